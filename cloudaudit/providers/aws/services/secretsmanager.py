"""AWS Secrets Manager secrets, with the regions they are replicated to.

``ListSecrets`` does not return replication: ``DescribeSecret`` is called per secret to read
``ReplicationStatus`` (the replicas of a primary) and ``PrimaryRegion`` (of a replica), and
``CrossAccountReplicas`` / ``CrossAccountPrimary`` (replicas in other accounts, by ARN).
Secret values are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    AwsContext,
    Collector,
    Unread,
    declare,
    detail,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

__all__ = [
    "COLLECTORS",
    "CROSS_ACCOUNT_REPLICA",
    "REPLICA",
    "collect_secrets",
    "cross_account_regions",
    "fetch_secrets",
    "list_secrets",
    "to_resource",
]

REPLICA = Mechanism(
    "aws.secretsmanager.replica",
    MechanismKind.REPLICA,
    "replica secrets",
    "DescribeSecret ReplicationStatus[].Region",
    "tests/providers/aws/services/test_aws_secrets_kms.py::"
    "test_secret_from_documented_describe_secret",
)
"""Replica secrets (the ``via`` of a secret's primary and replicas)."""

CROSS_ACCOUNT_REPLICA = Mechanism(
    "aws.secretsmanager.cross-account-replica",
    MechanismKind.REPLICA,
    "cross-account replica secrets",
    "DescribeSecret CrossAccountReplicas[].ReplicaSecretARN / CrossAccountPrimary.PrimarySecretARN "
    "(the region of the ARN)",
    "tests/providers/aws/services/test_aws_secrets_kms.py::test_cross_account_replicas_are_copies",
)
"""Replicas of a secret in other accounts, and the primary of such a replica."""


def _arn_region(value: object, name: str) -> str | Unread:
    """The region of a secret ARN; an :class:`Unread` when the answer gives none."""
    parts = str(value or "").split(":")
    if len(parts) > 5 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return Unread("secretsmanager:DescribeSecret", f"secret {name}", f"no region in ARN {value!r}")


def cross_account_regions(raw: Mapping[str, Any]) -> list[str | Unread]:
    """Regions of a secret's cross-account replicas, or of its cross-account primary."""
    name = str(raw.get("Name") or raw.get("ARN"))
    arns = [r.get("ReplicaSecretARN") for r in raw.get("CrossAccountReplicas") or ()]
    primary = raw.get("CrossAccountPrimary")
    if primary:
        arns.append(primary.get("PrimarySecretARN"))
    return [_arn_region(a, name) for a in arns]


def list_secrets(client: SecretsManagerClient) -> list[Mapping[str, Any]]:
    """List every secret of the client's region (``ListSecrets``)."""
    pages = client.get_paginator("list_secrets").paginate()
    return [s for page in pages for s in page["SecretList"]]


def fetch_secrets(client: SecretsManagerClient) -> list[Mapping[str, Any]]:
    """List every secret of the client's region and describe each (``DescribeSecret``)."""
    return [client.describe_secret(SecretId=s["ARN"]) for s in list_secrets(client)]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext, unread: Unread | None = None) -> Resource:
    """Turn one ``DescribeSecret`` response into a :class:`Resource` with its replica regions.

    ``unread``: ``DescribeSecret`` failed and ``raw`` is the ``ListSecrets`` entry; the copy
    is unknown.
    """
    replicas = [r["Region"] for r in raw.get("ReplicationStatus") or ()]
    regions: list[str | Unread] = [raw.get("PrimaryRegion") or "", *replicas]
    others = [unread] if unread else cross_account_regions(raw)
    return resource(
        ctx,
        service="secretsmanager",
        type="secret",
        id=raw["ARN"],
        name=raw.get("Name") or raw["ARN"],
        copies=[
            *via(REPLICA, [unread] if unread else regions),
            *via(CROSS_ACCOUNT_REPLICA, others),
        ],
        tags=raw.get("Tags"),
    )


def collect_secrets(ctx: AwsContext) -> list[Resource]:
    """List the secrets of ``ctx.region`` (a failed ``DescribeSecret``: an unknown copy)."""
    client = ctx.client("secretsmanager")
    out = []
    for listed in list_secrets(client):
        name = listed.get("Name") or listed["ARN"]
        raw = detail(
            "secretsmanager:DescribeSecret",
            f"secret {name}",
            partial(client.describe_secret, SecretId=listed["ARN"]),
        )
        out.append(
            to_resource(listed, ctx, raw) if isinstance(raw, Unread) else to_resource(raw, ctx)
        )
    return out


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "secretsmanager",
        "secrets",
        collect_secrets,
        actions=("secretsmanager:ListSecrets", "secretsmanager:DescribeSecret"),
        answers={"ListSecrets": ("SecretList[]", "SecretList[].ARN")},
        copies=declare(
            "secretsmanager",
            "secret",
            REPLICA,
            CROSS_ACCOUNT_REPLICA,
        ),
    ),
)
