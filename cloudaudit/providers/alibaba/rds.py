"""ApsaraDB RDS instances: ``fetch_db_instances`` (I/O) and ``db_instance_to_resource`` (pure).

Cross-region backups (``DescribeInstanceCrossBackupPolicy``, one call per instance) are copies:
with ``BackupEnabled: Enable`` the backups are also stored in ``CrossBackupRegion``;
``Disable`` means none. Any other answer (no ``BackupEnabled``, a value of another kind,
``Enable`` without a region) is a copy in an unknown place whose note says what was returned,
and a policy that could not be read (a secondary call: :func:`~cloudaudit.providers._detail.
lookup`) is one whose note names the call and its error: the instance is reported either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._detail import Unread, lookup
from cloudaudit.providers._paging import PageGuard, page_digest
from cloudaudit.providers.alibaba._clients import body_of, count_of
from cloudaudit.providers.alibaba._errors import classify

__all__ = ["CROSS_BACKUP", "db_instance_to_resource", "fetch_cross_backup", "fetch_db_instances"]

CROSS_BACKUP = "CrossBackupPolicy"
"""Key under which :func:`fetch_db_instances` attaches each instance's cross-region policy."""
VIA = "alibaba.rds.cross-region-backup"
POLICY_CALL = "rds:DescribeInstanceCrossBackupPolicy"

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
        # the total decides whether to ask for another page: an answer without it is malformed
        needs = ("Items{}", "Items.DBInstance[]", "TotalRecordCount")
        body = body_of(client.describe_dbinstances(req), "rds:DescribeDBInstances", needs)
        items = body["Items"]["DBInstance"]
        guard.next(page_digest(items))  # a page served twice is a loop
        out.extend(items)
        total = count_of(body, "TotalRecordCount", "rds:DescribeDBInstances")
        if not items or len(out) >= total:
            return [{**i, CROSS_BACKUP: _policy(client, region, i)} for i in out]
        page += 1


def _policy(client: Any, region: str, item: Item) -> dict[str, Any] | Unread:
    """One instance's policy, or an :class:`Unread` (and a gap) when it cannot be read."""
    target = f"instance {item.get('DBInstanceId')}"
    return lookup(POLICY_CALL, target, partial(fetch_cross_backup, client, region, item), classify)


def fetch_cross_backup(client: Any, region: str, item: Item) -> dict[str, Any]:
    """Read one instance's cross-region backup policy (``DescribeInstanceCrossBackupPolicy``)."""
    from alibabacloud_rds20140815 import models

    req = models.DescribeInstanceCrossBackupPolicyRequest(
        region_id=region, dbinstance_id=str(item["DBInstanceId"])
    )
    body: dict[str, Any] = body_of(client.describe_instance_cross_backup_policy(req), POLICY_CALL)
    return body


def _unknown(note: str) -> tuple[Location, ...]:
    return (Location(provider=ProviderId.ALIBABA, kind=LocationKind.UNKNOWN, via=VIA, note=note),)


def _cross_backup(item: Item) -> tuple[Location, ...]:
    policy = item.get(CROSS_BACKUP)
    if isinstance(policy, Unread):
        return (policy.location(ProviderId.ALIBABA, VIA),)
    if not isinstance(policy, Mapping):
        return _unknown("the cross-region backup policy was not read")
    enabled, region = policy.get("BackupEnabled"), policy.get("CrossBackupRegion")
    state = enabled.strip().lower() if isinstance(enabled, str) else None
    if state == "disable":
        return ()
    if state == "enable" and isinstance(region, str) and region.strip():
        note = "backups are also stored in the cross-backup region"
        return (Location(provider=ProviderId.ALIBABA, region=region.strip(), via=VIA, note=note),)
    return _unknown(
        f"{POLICY_CALL} answered BackupEnabled={enabled!r}, CrossBackupRegion={region!r}: "
        "where the backups are is not known"
    )


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
