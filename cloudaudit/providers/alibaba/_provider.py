"""AlibabaProvider: ECS, OSS and ApsaraDB RDS inventory of one Alibaba Cloud account."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from cloudaudit.models import ProviderId, Resource
from cloudaudit.providers._calls import calling
from cloudaudit.providers._choose import chosen, unlisted
from cloudaudit.providers._detail import Unread, lookup
from cloudaudit.providers._extras import require_extra
from cloudaudit.providers._fanout import FanOut
from cloudaudit.providers._protocol import Batch, Inventory
from cloudaudit.providers._stop import phase
from cloudaudit.providers._work import Classifier, Scope, Unit, Work, make_gap
from cloudaudit.providers.alibaba import ecs, oss, rds
from cloudaudit.providers.alibaba._clients import (
    DISCOVERY_REGION,
    ClientFactory,
    fetch_account_id,
)
from cloudaudit.providers.alibaba._errors import classify

__all__ = ["AlibabaProvider"]

NAME = "alibaba"
UNKNOWN_REGION = "UnknownRegion"
"""The gap code of a region asked for that the account's region list lacks."""

Fetch = Callable[[Any, str], Sequence[Mapping[str, Any]]]
Transform = Callable[[str, str, Mapping[str, Any]], Resource]

# (service, listing call, fetch, transform): one unit per region for each. The call's product
# (ecs, rds) picks the client; a unit's gap names the call when nothing closer to the error did.
REGIONAL: tuple[tuple[str, str, Fetch, Transform], ...] = (
    ("ecs:instance", "ecs:DescribeInstances", ecs.fetch_instances, ecs.instance_to_resource),
    ("ecs:disk", "ecs:DescribeDisks", ecs.fetch_disks, ecs.disk_to_resource),
    ("ecs:snapshot", "ecs:DescribeSnapshots", ecs.fetch_snapshots, ecs.snapshot_to_resource),
    ("ecs:image", "ecs:DescribeImages", ecs.fetch_images, ecs.image_to_resource),
    (
        "rds:db_instance",
        "rds:DescribeDBInstances",
        rds.fetch_db_instances,
        rds.db_instance_to_resource,
    ),
)


class AlibabaProvider:
    """Read-only inventory of an Alibaba Cloud account: ECS, OSS and ApsaraDB RDS.

    Every resource is placed by the region catalog, whose default operator for Alibaba Cloud is
    Alibaba Group (jurisdiction CN) in every region, including us-east-1 and eu-central-1.

    Args:
        access_key_id: AccessKey id. When ``None`` (with the secret), credentials come from the
            SDK's default chain: ``ALIBABA_CLOUD_ACCESS_KEY_ID``,
            ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` and ``ALIBABA_CLOUD_SECURITY_TOKEN``, the CLI
            profile, an ECS RAM role or OIDC.
        access_key_secret: AccessKey secret (never logged; masked in gap messages).
        security_token: STS token for temporary credentials.
        regions: Regions to audit (ECS, RDS, and the OSS buckets located there); default:
            every region ECS ``DescribeRegions`` returns, and every bucket.
        endpoint: Send every API call to this endpoint (``https://host:port``), e.g. a proxy or
            a test fake. Default: each product's regional endpoint.
        account: Account id (UID) to report; default: STS ``GetCallerIdentity``.
        max_workers: Bound on concurrent API units when :meth:`inventory` runs on its own.
        discovery_region: Region whose endpoints answer the account-wide calls.
        clients: A ready :class:`ClientFactory` (injected in tests or to share clients).
        connect_timeout: Seconds to wait for a TCP connection (when ``clients`` is not given).
        read_timeout: Seconds to wait for an answer (when ``clients`` is not given).
        max_attempts: Attempts per OSS call, the first one included (when ``clients`` is
            not given); the ECS, RDS and STS (RPC) clients make one attempt per call.
    """

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        regions: Sequence[str] | None = None,
        endpoint: str | None = None,
        *,
        account: str | None = None,
        max_workers: int = 16,
        discovery_region: str = DISCOVERY_REGION,
        clients: ClientFactory | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        require_extra(NAME)
        self._clients = clients or ClientFactory(
            access_key_id,
            access_key_secret,
            security_token,
            endpoint,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
        )
        self._secrets = tuple(s for s in (access_key_secret, security_token) if s)
        self._regions = chosen(regions, "regions", "region")
        self._account = account
        self._discovery = discovery_region
        self.max_workers = max_workers

    @property
    def name(self) -> str:
        """The provider id, ``alibaba``."""
        return NAME

    def classifiers(self) -> Sequence[Classifier]:
        """Classify Tea/OpenAPI and OSS SDK errors into their Alibaba error codes."""
        return (classify,)

    def secrets(self) -> Sequence[str]:
        """The AccessKey secret and STS token this provider was given (masked in output)."""
        return self._secrets

    def check_credentials(self) -> None:
        """Raise AuthenticationError now if no credentials can be found (used by the CLI).

        Raises:
            AuthenticationError: Neither keys nor a default-chain credential were found.
            ProviderUnavailable: The ``alibaba`` extra is not installed.
        """
        self._clients.check_credentials()

    def inventory(self) -> Inventory:
        """Collect everything with a private FanOut bounded by ``max_workers``."""
        fanout = FanOut(max_workers=self.max_workers, classifiers=list(self.classifiers()))
        inv = Inventory()
        for batch in self.collect(fanout):
            inv.add(batch)
        return inv

    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Yield batches: OSS buckets first, then ECS, RDS and bucket replication per region.

        Raises:
            AuthenticationError: No credentials at all.
            ProviderUnavailable: The ``alibaba`` extra is not installed.
        """
        self._clients.check_credentials()
        fanout.add_secrets(*self._secrets, *self._clients.secrets())
        with (
            phase("sts:GetCallerIdentity and ecs:DescribeRegions (discovery)"),
            fanout.evidence(Scope(NAME, self._account, None, "discovery")),  # what it read
        ):
            account = self._account or fetch_account_id(self._clients, self._discovery)
            regions = self._regions or tuple(ecs.fetch_regions(self._clients.ecs(self._discovery)))
            refused = self._unlisted() if self._regions is not None else {}
        for region, close in refused.items():
            yield Batch(
                gaps=(make_gap(Scope(NAME, account, region), UNKNOWN_REGION, _hint(region, close)),)
            )
        regions = tuple(r for r in regions if r not in refused)
        listing: list[oss.BucketListing] = []
        list_scope = Scope(NAME, account, None, "oss:bucket-list")
        for outcome in fanout.run([Unit(list_scope, partial(self._list_buckets, listing))]):
            yield Batch.from_outcome(outcome, resources=len(listing[0].buckets) if listing else 0)
        buckets = self._in_scope(listing[0].buckets if listing else ())
        units = [*self._regional_units(account, regions), *self._bucket_units(account, buckets)]
        for outcome in fanout.run(units):
            yield Batch.from_outcome(outcome)

    def _unlisted(self) -> dict[str, tuple[str, ...]]:
        """The regions asked for that ``ecs:DescribeRegions`` does not list (closest names).

        Asked only when one of them is not in the region catalog (a misspelt name, most
        often, or a region newer than the catalog). When the call fails, the regions are
        audited as given: their own units' gaps say what failed.
        """
        from cloudaudit.catalog import default_catalog

        wanted = self._regions or ()
        known = default_catalog().regions(ProviderId.ALIBABA)
        if all(r in known for r in wanted):
            return {}
        with phase("ecs:DescribeRegions (checking the regions asked for)"):
            listed = lookup(
                "ecs:DescribeRegions",
                "the account's regions",
                partial(ecs.fetch_regions, self._clients.ecs(self._discovery)),
                classify,
            )
        return {} if isinstance(listed, Unread) else unlisted(wanted, listed)

    def _in_scope(self, buckets: Sequence[oss.Bucket]) -> Sequence[oss.Bucket]:
        """With explicit ``regions``, keep the buckets of those regions (and unplaced ones)."""
        if self._regions is None:
            return buckets
        wanted = set(self._regions)
        return [
            b
            for b in buckets
            if (region := oss.bucket_region(b.location, b.region)) is None or region in wanted
        ]

    def _list_buckets(self, sink: list[oss.BucketListing]) -> Sequence[Resource]:
        sink.append(oss.fetch_buckets(self._clients.oss(self._discovery)))
        return ()

    def _regional_units(self, account: str, regions: Iterable[str]) -> Iterator[Unit]:
        for region in regions:
            for service, call, fetch, transform in REGIONAL:
                scope = Scope(NAME, account, region, service)
                run = partial(self._regional, call, region, account, fetch, transform)
                yield Unit(scope, run)

    def _regional(
        self, call: str, region: str, account: str, fetch: Fetch, transform: Transform
    ) -> Sequence[Resource]:
        with calling(call):
            ecs_call = call.startswith("ecs:")
            client = self._clients.ecs(region) if ecs_call else self._clients.rds(region)
            return [transform(account, region, item) for item in fetch(client, region)]

    def _bucket_scope(self, account: str, bucket: oss.Bucket) -> Scope:
        region = oss.bucket_region(bucket.location, bucket.region)
        return Scope(NAME, account, region, f"oss:bucket/{bucket.name}")

    def _bucket_units(self, account: str, buckets: Iterable[oss.Bucket]) -> Iterator[Unit]:
        for bucket in buckets:
            yield Unit(self._bucket_scope(account, bucket), partial(self._bucket, account, bucket))

    def _bucket(self, account: str, bucket: oss.Bucket) -> Sequence[Resource]:
        region = oss.bucket_region(bucket.location, bucket.region) or self._discovery
        # Replication unreadable: the bucket is still reported, with a copy in an unknown
        # place naming the failed call (never compliant), and a gap for the lookup.
        destinations = lookup(
            "oss:GetBucketReplication",
            f"bucket {bucket.name}",
            partial(oss.fetch_replication, self._clients.oss(region), bucket.name),
            classify,
        )
        return [oss.bucket_to_resource(account, bucket, destinations)]


def _hint(region: str, close: tuple[str, ...]) -> str:
    """The gap message of a region asked for that ``ecs:DescribeRegions`` does not list."""
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return (
        f"region {region} is not one ecs:DescribeRegions lists for this account{hint}: "
        "its ECS and RDS resources were not audited"
    )
