"""Amazon DynamoDB tables, with the regions of their global-table replicas.

Version 2019.11.21 global tables list their replicas in ``DescribeTable`` (``Replicas``), and a
multi-Region strongly consistent one its witness region (``GlobalTableWitnesses``).
Version 2017.11.29 tables do not: for those (and only those) ``DescribeGlobalTable`` is
called to read the ``ReplicationGroup``.

Backups (``ListBackups`` with ``BackupType=ALL``: on demand, made by DynamoDB, and made by AWS
Backup) are data in their table's region, kept after the table is deleted until the backup
is: each is listed as a resource of its region, so a region whose tables are all gone still
shows the data it keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    AwsContext,
    Collector,
    Unread,
    arn,
    declare,
    detail,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = [
    "COLLECTORS",
    "GLOBAL_TABLE",
    "GLOBAL_TABLE_V1",
    "GLOBAL_TABLE_WITNESS",
    "V1",
    "collect_backups",
    "collect_tables",
    "fetch_backups",
    "fetch_global_table",
    "fetch_table",
    "fetch_table_names",
    "fetch_tables",
    "replication_regions",
    "to_backup",
    "to_resource",
]

V1 = "2017.11.29"
"""``GlobalTableVersion`` of legacy (v1) global tables."""

GLOBAL_TABLE = Mechanism(
    "aws.dynamodb.global-table",
    MechanismKind.REPLICATION,
    "global table replicas (2019.11.21)",
    "DescribeTable Table.Replicas[].RegionName",
    "tests/providers/aws/services/test_aws_dynamodb.py::test_v2_global_table_replicas_are_copies",
)
"""The replicas of a version 2019.11.21 global table."""

GLOBAL_TABLE_V1 = Mechanism(
    "aws.dynamodb.global-table-v1",
    MechanismKind.REPLICATION,
    "global table replication group (2017.11.29)",
    "DescribeGlobalTable GlobalTableDescription.ReplicationGroup[].RegionName",
    "tests/providers/aws/services/test_aws_dynamodb.py::"
    "test_v1_global_table_replication_group_is_copies",
)
"""The replication group of a legacy (v1) global table."""

GLOBAL_TABLE_WITNESS = Mechanism(
    "aws.dynamodb.global-table-witness",
    MechanismKind.REPLICATION,
    "global table witness (multi-Region strong consistency)",
    "DescribeTable Table.GlobalTableWitnesses[].RegionName",
    "tests/providers/aws/services/test_aws_dynamodb.py::test_mrsc_witness_region_is_a_copy",
)
"""The witness of a multi-Region strongly consistent global table: a region that holds the
replicated change data written to the replicas (AWS DynamoDB Developer Guide, "Multi-Region
strong consistency"), though no table replica."""


def fetch_table_names(client: DynamoDBClient) -> list[str]:
    """List the name of every table of the client's region (``ListTables``)."""
    pages = client.get_paginator("list_tables").paginate()
    return [name for page in pages for name in page["TableNames"]]


def fetch_tables(client: DynamoDBClient) -> list[Mapping[str, Any]]:
    """List every table of the client's region and describe each (``DescribeTable``)."""
    return [fetch_table(client, name) for name in fetch_table_names(client)]


def fetch_table(client: DynamoDBClient, name: str) -> Mapping[str, Any]:
    """Describe one table (``DescribeTable``)."""
    return dict(client.describe_table(TableName=name)["Table"])


def fetch_global_table(client: DynamoDBClient, name: str) -> Mapping[str, Any]:
    """Describe one legacy (v1) global table (``DescribeGlobalTable``)."""
    return dict(client.describe_global_table(GlobalTableName=name)["GlobalTableDescription"])


def replication_regions(global_table: Mapping[str, Any]) -> list[str]:
    """Regions of a v1 ``GlobalTableDescription`` (its ``ReplicationGroup``)."""
    return [r["RegionName"] for r in global_table.get("ReplicationGroup") or ()]


def to_resource(
    raw: Mapping[str, Any],
    ctx: AwsContext,
    v1_regions: Iterable[str | Unread] = (),
    v2_regions: Iterable[str | Unread] | None = None,
) -> Resource:
    """Turn one ``TableDescription`` into a :class:`Resource`.

    Args:
        raw: The ``Table`` of a ``DescribeTable`` response.
        ctx: The unit's context.
        v1_regions: For a v1 global table, the regions of its replication group.
        v2_regions: The regions of its replicas in place of ``raw``'s ``Replicas`` (the
            :class:`Unread` of a failed ``DescribeTable``).
    """
    name = raw["TableName"]
    replicas = [r["RegionName"] for r in raw.get("Replicas") or ()]
    witnesses = [w["RegionName"] for w in raw.get("GlobalTableWitnesses") or ()]
    if v2_regions is not None:
        replicas = list(v2_regions)
    return resource(
        ctx,
        service="dynamodb",
        type="table",
        id=raw.get("TableArn")
        or arn(ctx.partition, "dynamodb", ctx.region, ctx.account, f"table/{name}"),
        name=name,
        copies=[
            *via(GLOBAL_TABLE, replicas),
            *via(GLOBAL_TABLE_V1, v1_regions),
            *via(GLOBAL_TABLE_WITNESS, witnesses),
        ],
    )


def _group_regions(client: DynamoDBClient, name: str) -> list[str]:
    return replication_regions(fetch_global_table(client, name))


def collect_tables(ctx: AwsContext) -> list[Resource]:
    """List the tables of ``ctx.region`` with their replica regions.

    A table whose ``DescribeTable`` (or ``DescribeGlobalTable``) fails is still reported, in
    its region, with an unknown copy naming the failed call.
    """
    client = ctx.client("dynamodb")
    out = []
    for name in fetch_table_names(client):
        raw = detail("dynamodb:DescribeTable", f"table {name}", partial(fetch_table, client, name))
        if isinstance(raw, Unread):
            # the table's version is not known: a copy by either mechanism is unknown
            out.append(to_resource({"TableName": name}, ctx, [raw], v2_regions=[raw]))
            continue
        v1: list[str | Unread] = []
        if raw.get("GlobalTableVersion") == V1:
            group = detail(
                "dynamodb:DescribeGlobalTable",
                f"table {name}",
                partial(_group_regions, client, name),
            )
            v1 = [group] if isinstance(group, Unread) else list(group)
        out.append(to_resource(raw, ctx, v1))
    return out


def fetch_backups(client: DynamoDBClient) -> list[Mapping[str, Any]]:
    """Every backup of the region's tables, of every type (``ListBackups``, all pages)."""
    pages = client.get_paginator("list_backups").paginate(BackupType="ALL")
    return [b for page in pages for b in page.get("BackupSummaries") or ()]


def to_backup(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """A ``BackupSummary`` as a resource of its region, named for its table."""
    name = str(raw.get("BackupName") or raw["BackupArn"].rsplit("/", 1)[-1])
    table = raw.get("TableName")
    return resource(
        ctx,
        service="dynamodb",
        type="backup",
        id=str(raw["BackupArn"]),
        name=f"{name} (backup of table {table})" if table else name,
    )


def collect_backups(ctx: AwsContext) -> list[Resource]:
    """Backups of ``ctx.region``, whether or not their tables still exist."""
    return [to_backup(b, ctx) for b in fetch_backups(ctx.client("dynamodb"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "dynamodb",
        "tables",
        collect_tables,
        actions=("dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeGlobalTable"),
        answers={
            "ListTables": ("TableNames[]",),
            "DescribeTable": ("Table{}", "Table.TableName"),
            "DescribeGlobalTable": ("GlobalTableDescription{}",),
        },
        copies=declare(
            "dynamodb",
            "table",
            GLOBAL_TABLE,
            GLOBAL_TABLE_V1,
            GLOBAL_TABLE_WITNESS,
        ),
    ),
    Collector(
        "dynamodb",
        "backups",
        collect_backups,
        actions=("dynamodb:ListBackups",),
        answers={"ListBackups": ("BackupSummaries[]", "BackupSummaries[].BackupArn")},
        copies=declare(
            "dynamodb",
            "backup",
            note="kept in its table's region; a copy to another region (AWS Backup) is a "
            "recovery point of the destination vault",
        ),
    ),
)
