"""Amazon RDS: DB instances, DB clusters, DB snapshots, DB cluster snapshots, retained backups.

Retained backups are the automated backups an instance left behind when it was deleted.
Copies recorded in ``data_locations``: cross-region read replicas (the replicas of a source,
and the source of a replica), automated backups replicated to another region, Aurora
cross-region replicas and the other members of an Aurora global database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    SEPARATE_COPY,
    AwsContext,
    Collector,
    Unread,
    arn,
    declare,
    detail,
    on_outpost,
    page_items,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient

__all__ = [
    "AURORA_REPLICA",
    "BACKUP_REPLICATION",
    "COLLECTORS",
    "GLOBAL_DATABASE",
    "READ_REPLICA",
    "collect_cluster_snapshots",
    "collect_clusters",
    "collect_instances",
    "collect_retained_backups",
    "collect_snapshots",
    "fetch_cluster_snapshots",
    "fetch_clusters",
    "fetch_global_clusters",
    "fetch_instances",
    "fetch_retained_backups",
    "fetch_snapshots",
    "global_members",
    "to_cluster",
    "to_cluster_snapshot",
    "to_instance",
    "to_retained_backup",
    "to_snapshot",
]


READ_REPLICA = Mechanism(
    "aws.rds.read-replica",
    MechanismKind.REPLICA,
    "cross-region read replicas",
    "DescribeDBInstances ReadReplicaDBInstanceIdentifiers[] / "
    "ReadReplicaSourceDBInstanceIdentifier (ARNs)",
    "tests/providers/aws/services/test_aws_rds.py::"
    "test_instances_carry_zone_arn_and_cross_region_replicas",
)
"""The read replicas of a DB instance, and the source of a replica."""

BACKUP_REPLICATION = Mechanism(
    "aws.rds.automated-backup-replication",
    MechanismKind.BACKUP,
    "automated backups replicated to another region",
    "DescribeDBInstances DBInstanceAutomatedBackupsReplications[].DBInstanceAutomatedBackupsArn",
    "tests/providers/aws/services/test_aws_rds.py::test_automated_backup_replication_is_a_copy",
)
"""Automated backups of a DB instance replicated to another region."""

AURORA_REPLICA = Mechanism(
    "aws.rds.aurora-replica",
    MechanismKind.REPLICA,
    "Aurora cross-region replicas",
    "DescribeDBClusters ReadReplicaIdentifiers[] / ReplicationSourceIdentifier",
    "tests/providers/aws/services/test_aws_rds.py::test_cluster_aurora_replica_arns",
)
"""The cross-region replicas of an Aurora cluster, and the source of a replica."""

GLOBAL_DATABASE = Mechanism(
    "aws.rds.global-database",
    MechanismKind.REPLICATION,
    "Aurora global database members",
    "DescribeGlobalClusters GlobalClusterMembers[].DBClusterArn",
    "tests/providers/aws/services/test_aws_rds.py::test_clusters_include_global_database_members",
)
"""The other member clusters of an Aurora global database."""

_GLOBAL_CALL = "rds:DescribeGlobalClusters"


def _arn_regions(values: Iterable[str | None]) -> list[str]:
    """Regions named by ARNs; plain identifiers (same-region resources) are skipped."""
    out = []
    for value in values:
        if value and value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) < 6 or not parts[3]:
                raise ValueError(f"cannot resolve the region of {value!r}")
            out.append(parts[3])
    return out


def fetch_instances(client: RDSClient) -> list[Mapping[str, Any]]:
    """List every DB instance of the client's region (``DescribeDBInstances``)."""
    return page_items(client.get_paginator("describe_db_instances").paginate(), "DBInstances")


def fetch_clusters(client: RDSClient) -> list[Mapping[str, Any]]:
    """List every DB cluster of the client's region (``DescribeDBClusters``)."""
    return page_items(client.get_paginator("describe_db_clusters").paginate(), "DBClusters")


def fetch_global_clusters(client: RDSClient) -> list[Mapping[str, Any]]:
    """List the Aurora global databases visible from the client's region."""
    return page_items(client.get_paginator("describe_global_clusters").paginate(), "GlobalClusters")


def fetch_snapshots(client: RDSClient) -> list[Mapping[str, Any]]:
    """List the account's own DB snapshots (manual and automated) in the client's region."""
    return page_items(client.get_paginator("describe_db_snapshots").paginate(), "DBSnapshots")


def fetch_cluster_snapshots(client: RDSClient) -> list[Mapping[str, Any]]:
    """List the account's own DB cluster snapshots in the client's region."""
    return page_items(
        client.get_paginator("describe_db_cluster_snapshots").paginate(), "DBClusterSnapshots"
    )


def to_instance(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DBInstance`` into a zonal :class:`Resource` with its replica regions."""
    ident = raw["DBInstanceIdentifier"]
    replicated_backups = [
        r.get("DBInstanceAutomatedBackupsArn")
        for r in raw.get("DBInstanceAutomatedBackupsReplications") or ()
    ]
    replicas = [
        *(raw.get("ReadReplicaDBInstanceIdentifiers") or ()),
        *(raw.get("ReadReplicaDBClusterIdentifiers") or ()),
        raw.get("ReadReplicaSourceDBInstanceIdentifier"),
        raw.get("ReadReplicaSourceDBClusterIdentifier"),
    ]
    copies = [
        *via(READ_REPLICA, _arn_regions(replicas)),
        *via(BACKUP_REPLICATION, _arn_regions(replicated_backups)),
    ]
    res = resource(
        ctx,
        service="rds",
        type="db-instance",
        id=raw.get("DBInstanceArn")
        or arn(ctx.partition, "rds", ctx.region, ctx.account, f"db:{ident}"),
        name=ident,
        zone=raw.get("AvailabilityZone"),
        copies=copies,
        tags=raw.get("TagList"),
    )
    return on_outpost(res, _outpost(raw))


def _outpost(raw: Mapping[str, Any]) -> str | None:
    """The Outpost of an instance (RDS on Outposts: its subnet group's Outpost subnets)."""
    subnets = (raw.get("DBSubnetGroup") or {}).get("Subnets") or ()
    found = ((s.get("SubnetOutpost") or {}).get("Arn") for s in subnets)
    return next((str(a) for a in found if a), None)


def global_members(global_clusters: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Map each global cluster identifier to the regions of its member clusters."""
    return {
        g["GlobalClusterIdentifier"]: _arn_regions(
            m.get("DBClusterArn") for m in g.get("GlobalClusterMembers") or ()
        )
        for g in global_clusters
    }


def to_cluster(
    raw: Mapping[str, Any],
    ctx: AwsContext,
    members: Mapping[str, Sequence[str]] | Unread | None = None,
) -> Resource:
    """Turn one ``DBCluster`` into a :class:`Resource`.

    Args:
        raw: The ``DBCluster`` from ``DescribeDBClusters``.
        ctx: The unit's context.
        members: :func:`global_members` of the account's global clusters, or the
            :class:`Unread` of the ``DescribeGlobalClusters`` call that failed. A member of a
            global cluster whose members are unknown gets an unknown copy naming the call.
    """
    ident = raw["DBClusterIdentifier"]
    replicas = [*(raw.get("ReadReplicaIdentifiers") or ()), raw.get("ReplicationSourceIdentifier")]
    copies = via(AURORA_REPLICA, _arn_regions(replicas))
    global_id = raw.get("GlobalClusterIdentifier")
    if global_id:
        if isinstance(members, Unread):
            found: Sequence[str | Unread] = [members]
        elif members is None or global_id not in members:
            found = [Unread(_GLOBAL_CALL, f"global cluster {global_id}", "NotListed")]
        else:
            found = members[global_id]
        copies.extend(via(GLOBAL_DATABASE, found))
    return resource(
        ctx,
        service="rds",
        type="db-cluster",
        id=raw.get("DBClusterArn")
        or arn(ctx.partition, "rds", ctx.region, ctx.account, f"cluster:{ident}"),
        name=ident,
        copies=copies,
        tags=raw.get("TagList"),
    )


def fetch_retained_backups(client: RDSClient) -> list[Mapping[str, Any]]:
    """The retained automated backups of the region (``DescribeDBInstanceAutomatedBackups``).

    An instance deleted with its automated backups kept leaves them in the region, listed
    with ``Status`` ``retained``; the backups of a live instance (``active``) and those
    replicated to this region (read as the source instance's copies) are left out.
    """
    pages = client.get_paginator("describe_db_instance_automated_backups").paginate()
    items = page_items(pages, "DBInstanceAutomatedBackups")
    return [b for b in items if b.get("Status") == "retained"]


def to_retained_backup(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one retained ``DBInstanceAutomatedBackup`` into a :class:`Resource` of its region.

    Its replications to other regions (``DBInstanceAutomatedBackupsReplications``) are copies,
    as they are of a live instance.
    """
    ident = raw["DBInstanceIdentifier"]
    default = arn(ctx.partition, "rds", ctx.region, ctx.account, f"auto-backup:{ident}")
    replicated = [
        r.get("DBInstanceAutomatedBackupsArn")
        for r in raw.get("DBInstanceAutomatedBackupsReplications") or ()
    ]
    return resource(
        ctx,
        service="rds",
        type="db-automated-backup",
        id=raw.get("DBInstanceAutomatedBackupsArn") or default,
        name=ident,
        copies=via(BACKUP_REPLICATION, _arn_regions(replicated)),
    )


def collect_retained_backups(ctx: AwsContext) -> list[Resource]:
    """List the retained automated backups of ``ctx.region``."""
    return [to_retained_backup(raw, ctx) for raw in fetch_retained_backups(ctx.client("rds"))]


def to_snapshot(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DBSnapshot`` into a :class:`Resource` of the snapshot's own region."""
    ident = raw["DBSnapshotIdentifier"]
    return resource(
        ctx,
        service="rds",
        type="db-snapshot",
        id=raw.get("DBSnapshotArn")
        or arn(ctx.partition, "rds", ctx.region, ctx.account, f"snapshot:{ident}"),
        name=ident,
        tags=raw.get("TagList"),
    )


def to_cluster_snapshot(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DBClusterSnapshot`` into a :class:`Resource` of its own region."""
    ident = raw["DBClusterSnapshotIdentifier"]
    default = arn(ctx.partition, "rds", ctx.region, ctx.account, f"cluster-snapshot:{ident}")
    return resource(
        ctx,
        service="rds",
        type="db-cluster-snapshot",
        id=raw.get("DBClusterSnapshotArn") or default,
        name=ident,
        tags=raw.get("TagList"),
    )


def collect_instances(ctx: AwsContext) -> list[Resource]:
    """List the DB instances of ``ctx.region``."""
    return [to_instance(raw, ctx) for raw in fetch_instances(ctx.client("rds"))]


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the DB clusters of ``ctx.region``, resolving global-database members when needed."""
    client = ctx.client("rds")
    clusters = fetch_clusters(client)
    members: dict[str, list[str]] | Unread | None = None
    if any(c.get("GlobalClusterIdentifier") for c in clusters):
        found = detail(_GLOBAL_CALL, f"region {ctx.region}", lambda: fetch_global_clusters(client))
        members = found if isinstance(found, Unread) else global_members(found)
    return [to_cluster(raw, ctx, members) for raw in clusters]


def collect_snapshots(ctx: AwsContext) -> list[Resource]:
    """List the DB snapshots of ``ctx.region``."""
    return [to_snapshot(raw, ctx) for raw in fetch_snapshots(ctx.client("rds"))]


def collect_cluster_snapshots(ctx: AwsContext) -> list[Resource]:
    """List the DB cluster snapshots of ``ctx.region``."""
    return [to_cluster_snapshot(raw, ctx) for raw in fetch_cluster_snapshots(ctx.client("rds"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "rds",
        "instances",
        collect_instances,
        actions=("rds:DescribeDBInstances",),
        answers={"DescribeDBInstances": ("DBInstances[]",)},
        copies=declare(
            "rds",
            "db-instance",
            READ_REPLICA,
            BACKUP_REPLICATION,
        ),
    ),
    Collector(
        "rds",
        "clusters",
        collect_clusters,
        actions=("rds:DescribeDBClusters", "rds:DescribeGlobalClusters"),
        answers={
            "DescribeDBClusters": ("DBClusters[]",),
            "DescribeGlobalClusters": ("GlobalClusters[]",),
        },
        copies=declare(
            "rds",
            "db-cluster",
            AURORA_REPLICA,
            GLOBAL_DATABASE,
        ),
    ),
    Collector(
        "rds",
        "snapshots",
        collect_snapshots,
        actions=("rds:DescribeDBSnapshots",),
        answers={"DescribeDBSnapshots": ("DBSnapshots[]",)},
        copies=declare("rds", "db-snapshot", note=SEPARATE_COPY.format(what="snapshot")),
    ),
    Collector(
        "rds",
        "cluster-snapshots",
        collect_cluster_snapshots,
        actions=("rds:DescribeDBClusterSnapshots",),
        answers={"DescribeDBClusterSnapshots": ("DBClusterSnapshots[]",)},
        copies=declare("rds", "db-cluster-snapshot", note=SEPARATE_COPY.format(what="snapshot")),
    ),
    Collector(
        "rds",
        "retained-backups",
        collect_retained_backups,
        actions=("rds:DescribeDBInstanceAutomatedBackups",),
        answers={
            "DescribeDBInstanceAutomatedBackups": (
                "DBInstanceAutomatedBackups[]",
                "DBInstanceAutomatedBackups[].DBInstanceIdentifier",
            )
        },
        copies=declare("rds", "db-automated-backup", BACKUP_REPLICATION),
    ),
)
