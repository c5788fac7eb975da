"""ApsaraDB RDS instances: ``fetch_db_instances`` (I/O) and ``db_instance_to_resource`` (pure).

Cross-region backups (``DescribeInstanceCrossBackupPolicy``, one call per instance) are copies:
with ``BackupEnabled: Enable`` the backups are also stored in ``CrossBackupRegion``;
``Disable`` means none. Any other answer (no ``BackupEnabled``, a value of another kind,
``Enable`` without a region) is a copy in an unknown place whose note says what was returned,
and a policy that could not be read (a secondary call: :func:`~cloudaudit.providers._detail.
lookup`) is one whose note names the call and its error: the instance is reported either way.

Instances that hold the same data are copies of each other: a primary's read-only instances
(``ReadOnlyDBInstanceIds``), its disaster-recovery instance (``GuardDBInstanceId``, often in
another region) and its temporary instance (``TempDBInstanceId``), and the primary of a
read-only or disaster-recovery instance (``MasterInstanceId``). Each is listed as a resource of
its own region too; its region comes from the same region's listing when it is there, else
from ``DescribeDBInstanceAttribute`` (one call per instance elsewhere), and a failed look-up
is an unknown copy naming the call and its error.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._answers import MalformedResponse
from cloudaudit.providers._detail import Unread, lookup
from cloudaudit.providers._paging import PageGuard, page_digest
from cloudaudit.providers.alibaba._clients import body_of, count_of
from cloudaudit.providers.alibaba._errors import classify

__all__ = [
    "CROSS_BACKUP",
    "RELATED",
    "db_instance_to_resource",
    "fetch_cross_backup",
    "fetch_db_instances",
    "fetch_instance_region",
]

CROSS_BACKUP = "CrossBackupPolicy"
"""Key under which :func:`fetch_db_instances` attaches each instance's cross-region policy."""
VIA = "alibaba.rds.cross-region-backup"
POLICY_CALL = "rds:DescribeInstanceCrossBackupPolicy"
RELATED = "RelatedInstances"
"""Key under which :func:`fetch_db_instances` attaches ``[(via, instance id, region)]``."""
ATTRIBUTE_CALL = "rds:DescribeDBInstanceAttribute"
LINKS: tuple[tuple[str, str, str], ...] = (
    # (copy mechanism, what the other instance is, the DescribeDBInstances field naming it)
    ("alibaba.rds.read-only-instance", "a read-only instance", "ReadOnlyDBInstanceIds"),
    (
        "alibaba.rds.disaster-recovery-instance",
        "its disaster-recovery instance",
        "GuardDBInstanceId",
    ),
    ("alibaba.rds.temporary-instance", "its temporary instance", "TempDBInstanceId"),
    ("alibaba.rds.primary-instance", "its primary instance", "MasterInstanceId"),
)

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
            where = _Regions(client, region, out)
            return [
                {**i, CROSS_BACKUP: _policy(client, region, i), RELATED: where.related(i)}
                for i in out
            ]
        page += 1


def _linked_ids(item: Item, field: str) -> list[str]:
    """The instance ids ``field`` of a ``DescribeDBInstances`` item names (one, or a list)."""
    value = item.get(field)
    if field == "ReadOnlyDBInstanceIds":  # {"ReadOnlyDBInstanceId": [{"DBInstanceId": ...}]}
        rows = value.get("ReadOnlyDBInstanceId") if isinstance(value, Mapping) else None
        value = [r.get("DBInstanceId") for r in rows or () if isinstance(r, Mapping)]
        return [str(v) for v in value if v]
    return [str(value)] if isinstance(value, str) and value.strip() else []


class _Regions:
    """Where each instance a region's instances name is: listed here, or looked up once."""

    def __init__(self, client: Any, region: str, listed: list[Item]) -> None:
        self._client, self._region = client, region
        self._known: dict[str, str | Unread] = {
            str(i["DBInstanceId"]): str(i.get("RegionId") or region) for i in listed
        }

    def related(self, item: Item) -> list[tuple[str, str, str | Unread]]:
        out: list[tuple[str, str, str | Unread]] = []
        for via, _what, field in LINKS:
            for other in _linked_ids(item, field):
                if other not in self._known:
                    fetch = partial(fetch_instance_region, self._client, self._region, other)
                    target = f"instance {other}"
                    self._known[other] = lookup(ATTRIBUTE_CALL, target, fetch, classify)
                out.append((via, other, self._known[other]))
        return out


def fetch_instance_region(client: Any, region: str, ident: str) -> str:
    """The region of RDS instance ``ident`` (``DescribeDBInstanceAttribute``).

    Raises:
        MalformedResponse: The answer has no ``Items.DBInstanceAttribute[].RegionId``.
    """
    from alibabacloud_rds20140815 import models

    req = models.DescribeDBInstanceAttributeRequest(dbinstance_id=ident)
    needs = ("Items{}", "Items.DBInstanceAttribute[]", "Items.DBInstanceAttribute[].RegionId")
    body = body_of(client.describe_dbinstance_attribute(req), ATTRIBUTE_CALL, needs)
    rows = body["Items"]["DBInstanceAttribute"]
    if not rows:
        raise MalformedResponse(ATTRIBUTE_CALL, f"it lists no instance {ident} (asked in {region})")
    return str(rows[0]["RegionId"])


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


def _related(item: Item) -> tuple[Location, ...]:
    found = item.get(RELATED)
    if not isinstance(found, list):
        return ()
    what = {via: name for via, name, _field in LINKS}
    out: list[Location] = []
    for via, other, where in found:
        if isinstance(where, Unread):
            out.append(where.location(ProviderId.ALIBABA, via))
        else:
            note = f"{what[via]}, {other}, holds the same data"
            out.append(Location(provider=ProviderId.ALIBABA, region=where, via=via, note=note))
    return tuple(out)


def _zone(zone_id: str | None) -> tuple[str | None, LocationKind]:
    """A multi-zone id such as ``cn-hangzhou-MAZ6(h,i)`` spans zones: judge it by region."""
    if not zone_id:
        return None, LocationKind.REGION
    if "MAZ" in zone_id or "(" in zone_id:
        return zone_id, LocationKind.REGION
    return zone_id, LocationKind.ZONE


def db_instance_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeDBInstances`` item into a Resource.

    Read-only and disaster-recovery instances are listed in their own regions as Resources of
    their own, and are copies of their primary (and it of them): see the module docstring.
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
        data_locations=(*_cross_backup(item), *_related(item)),
    )
