"""Building blocks shared by the AWS service collectors.

A *collector* lists one kind of resource in one region (or once per account for global
listings such as S3). Each service module under ``services/`` exports ``COLLECTORS``, separates
I/O (``fetch_*``, which only calls the API and paginates) from pure transforms
(``to_resource``), and receives its clients through :class:`AwsContext`, never globals.
Each collector declares how the data of the type it lists can exist elsewhere
(:attr:`Collector.copies`): ``scripts/generate.py`` writes the copy model's AWS declarations
from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from cloudaudit.copymodel import Declaration, Mechanism, declaration
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._detail import Unread, lookup

if TYPE_CHECKING:
    from cloudaudit.providers.aws._client_types import ServiceClient, ServiceClientIn

__all__ = [
    "SEPARATE_COPY",
    "AwsContext",
    "Collector",
    "Copy",
    "Mapper",
    "Unread",
    "arn",
    "declare",
    "detail",
    "location",
    "on_outpost",
    "page_items",
    "resource",
    "serial_map",
    "via",
]

T = TypeVar("T")
R = TypeVar("R")


class Mapper(Protocol):
    """**Protocol:** ``map(fn, items)``, like ``[fn(item) for item in items]``.

    It may run the items concurrently (the provider injects
    :meth:`cloudaudit.providers.FanOut.map`).
    """

    def __call__(self, fn: Callable[[T], R], items: Iterable[T], /) -> list[R]:
        """Apply ``fn`` to every item; keep the order."""
        ...


_NOT_GIVEN: Any = None


def serial_map(fn: Callable[[T], R], items: Iterable[T], /) -> list[R]:
    """Apply ``fn`` to every item, one after the other (the default :class:`Mapper`)."""
    return [fn(item) for item in items]


@dataclass(frozen=True)
class AwsContext:
    """What a collector needs for one (account, region).

    Attributes:
        account: The 12-digit account id.
        partition: ``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-eusc``, ``aws-iso``...
        region: The region this unit covers (for global collectors, the partition's home region).
        client: ``client("rds")`` returns the shared, cached boto3 client for this region
            (typed with its ``boto3-stubs`` class, see ``_client_types``).
        regions: Every region of the partition known to the provider (to resolve copies).
        client_in: ``client_in("s3", region)`` returns the shared client of a service in any
            region (a bucket's replication is read in the bucket's region). When not given
            (a context built by hand for one region), it returns ``client(service)``.
        map: ``map(fn, items)`` for per-item calls of a collector (S3's per-bucket
            lookups): the provider's runs them concurrently within the audit's one bound
            (``FanOut.map``); the default runs them one after the other.
    """

    account: str
    partition: str
    region: str
    client: ServiceClient
    regions: Sequence[str] = ()
    client_in: ServiceClientIn = _NOT_GIVEN  # filled in by __post_init__
    map: Mapper = serial_map

    def __post_init__(self) -> None:
        if self.client_in is None:
            client = self.client
            object.__setattr__(self, "client_in", lambda service, _region: client(service))


@dataclass(frozen=True)
class Collector:
    """One kind of resource of one AWS service.

    Attributes:
        service: The AWS API name used by ``--services`` (``ec2``, ``rds``, ``s3``...).
        name: What it lists (``instances``, ``volumes``, ``buckets``...).
        run: Lists resources for one context. Raise on API errors: the fan-out turns the
            exception into a coverage gap. Never return ``[]`` for "could not look".
        regional: False for account-wide listings that run once (S3 buckets).
        actions: The IAM actions ``run`` calls (documented in docs/providers/aws.md and
            checked against the operations the test suite records).
        answers: Per operation of ``service``, the fields of its answer that ``run`` relies
            on (``{"ListTables": ("TableNames[]",)}``): an answer without them is a
            ``MalformedResponse``, never an empty listing (see ``providers/_answers.py``).
            An operation of another service is named with it (``"ec2:DescribeSubnets"``).
        copies: The copy declaration of the resource type ``run`` reports (:func:`declare`):
            every way its data can exist elsewhere and the field that tells where, or a note
            saying why there is none. ``scripts/generate.py`` writes the copy model's AWS
            declarations (``cloudaudit/copymodel/aws.json``) from them; a type without one is
            judged with an ``unknown`` copy.

    Raises:
        ValueError: ``copies`` declares a type of another service or provider.
    """

    service: str
    name: str
    run: Callable[[AwsContext], list[Resource]]
    regional: bool = True
    actions: tuple[str, ...] = ()
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    copies: Declaration | None = None

    def __post_init__(self) -> None:
        found = self.copies
        if found is not None and (found.provider, found.service) != (ProviderId.AWS, self.service):
            raise ValueError(f"collector {self.service} {self.name} declares copies of {found.key}")


SEPARATE_COPY = (
    "a copy to another region is a new {what} listed in that region, judged there as a "
    "resource of its own"
)
"""The note of a type whose copies are new resources of their own (``.format(what=...)``)."""


def declare(service: str, type_: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    """The copy declaration of one AWS resource type (a :attr:`Collector.copies`).

    Args:
        service: :attr:`Resource.service` as the collector reports it (its own ``service``).
        type_: :attr:`Resource.type` as the collector reports it.
        *mechanisms: Every way its data can exist elsewhere (none when it cannot).
        note: Why there is no mechanism, or what is copied as a resource of its own.
    """
    return Declaration(ProviderId.AWS, service, type_, mechanisms, note)


class Copy(NamedTuple):
    """One copy of a resource's data, with the mechanism that put it there.

    Attributes:
        via: The mechanism: one of those the collector declares (:attr:`Collector.copies`).
            Its id becomes the copy's :attr:`Location.via`.
        region: The region an API field names (empty: no copy), or the :class:`Unread` of
            the detail call that was to tell where (an ``unknown`` copy naming the call).
    """

    via: Mechanism
    region: str | Unread


def via(mechanism: Mechanism, regions: Iterable[str | Unread]) -> list[Copy]:
    """The copies ``mechanism`` put in each of ``regions`` (for ``resource(copies=...)``)."""
    return [Copy(mechanism, region) for region in regions]


def page_items(pages: Iterable[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
    """The items under ``key`` of every page (``client.get_paginator(op).paginate()``).

    The paginator comes typed from the client (a misspelt operation or argument fails mypy);
    a page without ``key`` adds nothing (the answer checks flag a page missing it).
    """
    return [item for page in pages for item in page.get(key, [])]


def detail(action: str, target: str, fn: Callable[[], T]) -> T | Unread:
    """Run one secondary (per-resource or per-region detail) call of a collector.

    A failure the AWS classifier recognises (denied, throttled, unreachable, malformed answer)
    becomes a coverage gap naming ``action``, ``target`` and the error code, and an
    :class:`Unread` that the collector puts on the affected axis (``copies``, or the location),
    so that the resource it listed is still reported. See :mod:`cloudaudit.providers._detail`.

    Args:
        action: The IAM action of the call (``dynamodb:DescribeTable``).
        target: What it is about (``table orders``, ``region eu-west-1``).
        fn: Makes the call.
    """
    from cloudaudit.providers.aws._errors import classify

    return lookup(action, target, fn, classify)


def arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    """Build an ARN: ``arn:{partition}:{service}:{region}:{account}:{resource}``."""
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def location(region: str | None, zone: str | None = None) -> Location:
    """Build an AWS :class:`Location` (zonal when ``zone`` is given)."""
    kind = LocationKind.ZONE if zone else LocationKind.REGION
    return Location(provider=ProviderId.AWS, region=region, zone=zone, kind=kind)


def resource(
    ctx: AwsContext,
    *,
    service: str,
    type: str,
    id: str,
    name: str,
    zone: str | None = None,
    region: str | Unread | None = None,
    copies: Sequence[Copy] = (),
    tags: Any = None,
) -> Resource:
    """Build an AWS :class:`Resource`.

    ``copies`` are the regions holding copies of the data, each with the mechanism that put
    it there (its id is the copy's ``via``); a copy in the resource's own region, or with no
    region, is left out. A copy (or ``region``) given as an :class:`Unread` is an ``unknown``
    location whose note names the detail call that failed. ``tags`` accepts the AWS list shape
    (``[{"Key": k, "Value": v}]``) or a mapping.

    Raises:
        ValueError: A copy's mechanism is not one the copy model declares for the type.
    """
    where = region or ctx.region
    kept = [c for c in dict.fromkeys(copies) if c.region and c.region != where]
    if kept:
        _check_declared(service, type, kept)
    return Resource(
        provider=ProviderId.AWS,
        account=ctx.account,
        service=service,
        type=type,
        id=id,
        name=name,
        location=where.location(ProviderId.AWS)
        if isinstance(where, Unread)
        else location(where, zone),
        data_locations=tuple(map(_copy_location, kept)),
        tags=_tags(tags),
    )


def on_outpost(res: Resource, outpost: object) -> Resource:
    """``res`` placed on an AWS Outpost when ``outpost`` (its ARN) is set.

    An Outpost stands on the customer's premises, not in the parent region: the location keeps
    the region and zone but names the outpost as its ``site``, which the catalog does not
    place, so it is unknown unless the policy's ``premises`` maps it.
    """
    if not outpost:
        return res
    loc = res.location.model_copy(update={"site": str(outpost), "kind": LocationKind.UNKNOWN})
    return res.model_copy(update={"location": loc})


def _check_declared(service: str, type_: str, copies: Iterable[Copy]) -> None:
    declared = _declared(service, type_)
    for copy in copies:
        if copy.via.id not in declared:
            raise ValueError(f"aws {service}/{type_} declares no copy mechanism {copy.via.id}")


@cache
def _declared(service: str, type_: str) -> frozenset[str]:
    """Ids of the mechanisms the copy model declares for one AWS type (once per type)."""
    found = declaration(ProviderId.AWS, service, type_)
    return frozenset(m.id for m in found.mechanisms) if found is not None else frozenset()


def _copy_location(copy: Copy) -> Location:
    if isinstance(copy.region, Unread):
        return copy.region.location(ProviderId.AWS, copy.via.id)
    return Location(provider=ProviderId.AWS, region=copy.region, via=copy.via.id)


def _tags(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out: dict[str, str] = {}
    for item in raw:
        key = item.get("Key", item.get("key", item.get("TagKey")))
        if key is not None:
            out[str(key)] = str(item.get("Value", item.get("value", item.get("TagValue", ""))))
    return out
