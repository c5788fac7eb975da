"""RDS instances holding the same data are copies of each other, wherever each is listed.

``DescribeDBInstances`` names, on a primary, its read-only instances
(``ReadOnlyDBInstanceIds.ReadOnlyDBInstanceId[].DBInstanceId``), its disaster-recovery
instance (``GuardDBInstanceId``) and its temporary instance (``TempDBInstanceId``), and on
those the primary (``MasterInstanceId``): the field names and shapes of the RDS API
reference's DescribeDBInstances response (``DBInstanceType`` Primary / Readonly / Guard /
Temp). Their regions come from the same listing when they are there (no call), else from
``DescribeDBInstanceAttribute`` (``Items.DBInstanceAttribute[].RegionId``). A disaster-recovery
instance in Hong Kong makes a Frankfurt primary's data reach Hong Kong, whatever regions the
audit covers; a look-up that fails is an unknown copy naming the call, never no copy.
"""

from __future__ import annotations

from typing import Any

import pytest
from alibaba_fake import KEY_ID, SECRET, FakeAlibaba, Server

from cloudaudit import Report, Status, audit
from cloudaudit.models import Location, Resource
from cloudaudit.providers.alibaba import AlibabaProvider

pytestmark = pytest.mark.http


def _instance(ident: str, region: str, kind: str = "Primary", **links: Any) -> dict[str, Any]:
    return {
        "DBInstanceId": ident,
        "DBInstanceDescription": ident,
        "RegionId": region,
        "ZoneId": f"{region}-a",
        "DBInstanceType": kind,
        "Engine": "MySQL",
        **links,
    }


def _read_only(*ids: str) -> dict[str, Any]:
    return {"ReadOnlyDBInstanceIds": {"ReadOnlyDBInstanceId": [{"DBInstanceId": i} for i in ids]}}


def _audit(server: Server, regions: list[str], policy: str = "eu-gdpr") -> Report:
    provider = AlibabaProvider(KEY_ID, SECRET, endpoint=server.url, regions=regions)  # type: ignore[arg-type]
    return audit(provider, policy)


def _by_id(report: Report) -> dict[str, Resource]:
    return {f.resource.id.rsplit("/", 1)[-1]: f.resource for f in report.findings}


def _copies(r: Resource) -> list[tuple[str | None, str | None]]:
    return sorted((c.region, c.via) for c in r.data_locations if c.via != _BACKUP)


_BACKUP = "alibaba.rds.cross-region-backup"


@pytest.fixture
def rds(fake: FakeAlibaba) -> FakeAlibaba:
    fake.items = {k: v for k, v in fake.items.items() if k[0] != "DescribeDBInstances"}
    return fake


def test_read_only_instances_in_the_region_are_copies_without_a_call(
    server: Server, rds: FakeAlibaba
) -> None:
    rds.add(
        "DescribeDBInstances",
        "eu-central-1",
        _instance("rm-p", "eu-central-1", **_read_only("rm-r1", "rm-r2")),
    )
    for r in ("rm-r1", "rm-r2"):
        rds.add(
            "DescribeDBInstances",
            "eu-central-1",
            _instance(r, "eu-central-1", "Readonly", MasterInstanceId="rm-p"),
        )
    found = _by_id(_audit(server, ["eu-central-1"]))
    ro = "alibaba.rds.read-only-instance"
    assert _copies(found["rm-p"]) == [("eu-central-1", ro), ("eu-central-1", ro)]
    assert _copies(found["rm-r1"]) == [("eu-central-1", "alibaba.rds.primary-instance")]
    assert "rm-r1" in str(found["rm-p"].data_locations[-2].note)
    assert ("DescribeDBInstanceAttribute", "") not in rds.calls  # all in the same listing


def test_a_disaster_recovery_instance_in_another_region_is_looked_up(
    server: Server, rds: FakeAlibaba
) -> None:
    rds.regions.append("cn-hongkong")
    rds.add(
        "DescribeDBInstances",
        "eu-central-1",
        _instance("rm-fra", "eu-central-1", GuardDBInstanceId="rm-hk"),
    )
    rds.add(
        "DescribeDBInstances",
        "cn-hongkong",
        _instance("rm-hk", "cn-hongkong", "Guard", MasterInstanceId="rm-fra"),
    )
    # Frankfurt only: the disaster-recovery instance is outside the audit, its copy is not
    report = _audit(server, ["eu-central-1"], "us-foreign-adversaries")
    found = _by_id(report)
    assert "rm-hk" not in found
    dr = "alibaba.rds.disaster-recovery-instance"
    assert _copies(found["rm-fra"]) == [("cn-hongkong", dr)]
    (bad,) = [f for f in report.findings if f.resource.id.endswith("rm-fra")]
    assert bad.status is Status.VIOLATION
    asked = [c for c in rds.calls if c[0] == "DescribeDBInstanceAttribute"]
    assert len(asked) == 1
    # both regions: each names the other, as its copy
    found = _by_id(_audit(server, ["eu-central-1", "cn-hongkong"]))
    assert _copies(found["rm-hk"]) == [("eu-central-1", "alibaba.rds.primary-instance")]


def test_a_temporary_instance_is_a_copy(server: Server, rds: FakeAlibaba) -> None:
    rds.add(
        "DescribeDBInstances",
        "eu-central-1",
        _instance("rm-p", "eu-central-1", TempDBInstanceId="rm-t"),
    )
    rds.add("DescribeDBInstances", "eu-central-1", _instance("rm-t", "eu-central-1", "Temp"))
    found = _by_id(_audit(server, ["eu-central-1"]))
    assert _copies(found["rm-p"]) == [("eu-central-1", "alibaba.rds.temporary-instance")]


@pytest.mark.parametrize("why", ["denied", "gone", "empty"])
def test_a_look_up_that_fails_is_an_unknown_copy_naming_the_call(
    server: Server, rds: FakeAlibaba, why: str
) -> None:
    if why == "denied":
        rds.denied_actions["DescribeDBInstanceAttribute"] = "Forbidden.RAM"
    rds.attribute_empty = why == "empty"  # a 200 answer that lists nothing: malformed
    rds.add(
        "DescribeDBInstances",
        "eu-central-1",
        _instance("rm-fra", "eu-central-1", GuardDBInstanceId="rm-elsewhere"),
    )
    report = _audit(server, ["eu-central-1"])
    (finding,) = [f for f in report.findings if f.resource.id.endswith("rm-fra")]
    (copy,) = [c for c in finding.resource.data_locations if c.via != _BACKUP]
    assert isinstance(copy, Location) and copy.region is None
    assert copy.via == "alibaba.rds.disaster-recovery-instance"
    assert "rds:DescribeDBInstanceAttribute" in str(copy.note)
    assert finding.status is Status.UNKNOWN
    gap = [g for g in report.coverage.gaps if "DescribeDBInstanceAttribute" in g.message]
    assert gap and gap[0].target == "instance rm-elsewhere"
