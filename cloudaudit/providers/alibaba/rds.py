"""ApsaraDB RDS instances: ``fetch_db_instances`` (I/O) and ``db_instance_to_resource`` (pure).

Cross-region backups (``DescribeInstanceCrossBackupPolicy``, one call per instance) are copies:
with ``BackupEnabled: Enable`` the backups are also stored in ``CrossBackupRegion``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._paging import PageGuard, page_digest
from cloudaudit.providers.alibaba._clients import body_of

__all__ = ["CROSS_BACKUP", "db_instance_to_resource", "fetch_cross_backup", "fetch_db_instances"]

CROSS_BACKUP = "CrossBackupPolicy"
"""Key under which :func:`fetch_db_instances` attaches each instance's cross-region policy."""
VIA = "alibaba.rds.cross-region-backup"

PAGE_SIZE = 100
Item = Mapping[str, Any]


@recorded("rds:DescribeDBInstances")
def fetch_db_instances(client: Any, region: str) -> list[Item]:
    """List every RDS instance of ``region`` (``DescribeDBInstances``, page numbers).

    Args:
        client: An ``alibabacloud_rds20140815.client.Client``.
        region: Region id.
    """
    from alibabacloud_rds20140815 import models

    out: list[Item] = []
    page = 1
    guard = PageGuard(f"rds:DescribeDBInstances {region}")
    while True:
        req = models.DescribeDBInstancesRequest(
            region_id=region, page_number=page, page_size=PAGE_SIZE
        )
        needs = ("Items{}", "Items.DBInstance[]")
        body = body_of(client.describe_dbinstances(req), "rds:DescribeDBInstances", needs)
        items = body["Items"]["DBInstance"]
        guard.next(page_digest(items))  # a page served twice is a loop
        out.extend(items)
        total = int(body.get("TotalRecordCount") or 0)
        if not items or len(out) >= total:
            return [{**i, CROSS_BACKUP: fetch_cross_backup(client, region, i)} for i in out]
        page += 1


def fetch_cross_backup(client: Any, region: str, item: Item) -> dict[str, Any]:
    """Read one instance's cross-region backup policy (``DescribeInstanceCrossBackupPolicy``)."""
    from alibabacloud_rds20140815 import models

    req = models.DescribeInstanceCrossBackupPolicyRequest(
        region_id=region, dbinstance_id=str(item["DBInstanceId"])
    )
    body: dict[str, Any] = body_of(
        client.describe_instance_cross_backup_policy(req), "rds:DescribeInstanceCrossBackupPolicy"
    )
    return body


def _cross_backup(item: Item) -> tuple[Location, ...]:
    policy = item.get(CROSS_BACKUP)
    if not isinstance(policy, Mapping):
        note = "the cross-region backup policy was not read"
        return (
            Location(provider=ProviderId.ALIBABA, kind=LocationKind.UNKNOWN, via=VIA, note=note),
        )
    if str(policy.get("BackupEnabled") or "") != "Enable":
        return ()
    region = str(policy.get("CrossBackupRegion") or "")
    if not region:
        note = "cross-region backup is enabled but CrossBackupRegion is empty"
        return (
            Location(provider=ProviderId.ALIBABA, kind=LocationKind.UNKNOWN, via=VIA, note=note),
        )
    note = "backups are also stored in the cross-backup region"
    return (Location(provider=ProviderId.ALIBABA, region=region, via=VIA, note=note),)


def _zone(zone_id: str | None) -> tuple[str | None, LocationKind]:
    """A multi-zone id such as ``cn-hangzhou-MAZ6(h,i)`` spans zones: judge it by region."""
    if not zone_id:
        return None, LocationKind.REGION
    if "MAZ" in zone_id or "(" in zone_id:
        return zone_id, LocationKind.REGION
    return zone_id, LocationKind.ZONE


def db_instance_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeDBInstances`` item into a Resource.

    Read-only and disaster-recovery instances are listed in their own regions, so each copy is a
    Resource of its own.
    """
    rid = str(item["DBInstanceId"])
    where = str(item.get("RegionId") or region)
    zone, kind = _zone(item.get("ZoneId"))
    return Resource(
        provider=ProviderId.ALIBABA,
        account=account,
        service="rds",
        type="db_instance",
        id=f"acs:rds:{where}:{account}:dbinstance/{rid}",
        name=str(item.get("DBInstanceDescription") or rid),
        location=Location(provider=ProviderId.ALIBABA, region=where, zone=zone, kind=kind),
        data_locations=_cross_backup(item),
    )
