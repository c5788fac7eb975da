"""S3's per-bucket calls run under the audit's one bound (``FanOut.map``), over real HTTP.

Each bucket costs ``GetBucketLocation`` (moto's ``ListBuckets`` gives no ``BucketRegion``) and
``GetBucketReplication``; the :class:`~tests.scale.conftest.Gate` records the most requests
ever in flight at the server.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest
import requests

from cloudaudit import audit
from cloudaudit.providers.aws import AwsOrganization, AwsProvider
from tests.scale.conftest import MANAGEMENT, ROLE, Gate, GatedMotoServer, Org

POLICY = "us-foreign-adversaries"
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")


@pytest.fixture
def gate(moto_server: GatedMotoServer, monkeypatch: pytest.MonkeyPatch) -> Gate:
    """An empty moto server reached through ``AWS_ENDPOINT_URL``; its gate, reset."""
    host, port = moto_server.get_host_and_port()
    url = f"http://{host}:{port}"
    requests.post(f"{url}/moto-api/reset", timeout=10)
    moto_server.gate.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return moto_server.gate


def _buckets(account: str, n: int, prefix: str = "b") -> set[str]:
    from moto.s3.models import s3_backends

    names = {f"{prefix}-{account}-{i:03d}" for i in range(n)}
    for i, name in enumerate(sorted(names)):
        s3_backends[account]["aws"].create_bucket(name, REGIONS[i % len(REGIONS)])
    return names


def _provider(services: list[str], max_workers: int) -> AwsProvider:
    return AwsProvider(
        boto3.Session(region_name="us-east-1"),
        regions=list(REGIONS),
        services=services,
        max_workers=max_workers,
    )


def test_many_buckets_use_every_slot_and_never_more(gate: Gate) -> None:
    names = _buckets(MANAGEMENT, 200)
    report = audit(_provider(["s3"], 4), POLICY, max_workers=4)
    assert report.coverage.gaps == ()
    buckets = {f.resource.name: f.resource for f in report.findings}
    assert set(buckets) == names
    # every bucket's own region was read (GetBucketLocation per bucket, in parallel)
    assert {r.location.region for r in buckets.values()} == set(REGIONS)
    assert gate.calls >= 2 * 200
    # one S3 unit: its 400 lookups ran several at a time (not one by one), within 4
    assert 1 < gate.peak <= 4


def test_bucket_lookups_share_the_slots_with_the_other_units(gate: Gate) -> None:
    _buckets(MANAGEMENT, 120)
    report = audit(_provider(["s3", "ec2", "rds", "dynamodb"], 3), POLICY, max_workers=3)
    assert report.coverage.gaps == ()
    assert sum(1 for f in report.findings if f.resource.type == "bucket") == 120
    assert len(report.coverage.audited) > 1 + 3  # S3 and several regional units ran
    assert 1 < gate.peak <= 3


def test_one_slot_is_enough(gate: Gate) -> None:
    """The S3 unit gives its slot to its lookups while it waits: no deadlock at 1."""
    _buckets(MANAGEMENT, 20)
    report = audit(_provider(["s3", "ec2"], 1), POLICY, max_workers=1)
    assert report.coverage.gaps == ()
    assert sum(1 for f in report.findings if f.resource.type == "bucket") == 20
    assert gate.peak == 1


def test_organization_bound_holds_with_many_buckets_per_account(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(4)
    for acct in (*org.members, MANAGEMENT):
        _buckets(acct, 40, prefix="many")
    org_provider = AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=["eu-west-1"],
        services=["s3", "ec2"],
        max_accounts=2,
    )
    report = audit(org_provider, POLICY, max_workers=3)
    assert report.coverage.gaps == ()
    by_account: dict[str, int] = {}
    for f in report.findings:
        if f.resource.type == "bucket":
            by_account[f.resource.account] = by_account.get(f.resource.account, 0) + 1
    assert by_account == {a: 41 for a in (*org.members, MANAGEMENT)}  # 40 + the seeded one
    # the documented bound: 3 slots, plus one discovery call per account in flight (2)
    assert 1 < org.gate.peak <= 3 + 2
