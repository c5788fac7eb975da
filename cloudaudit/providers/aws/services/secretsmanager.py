"""AWS Secrets Manager secrets, with the regions they are replicated to.

``ListSecrets`` does not return replication: ``DescribeSecret`` is called per secret to read
``ReplicationStatus`` (the replicas of a primary) and ``PrimaryRegion`` (of a replica).
Secret values are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, resource

__all__ = ["COLLECTORS", "collect_secrets", "fetch_secrets", "to_resource"]


def fetch_secrets(client: Any) -> list[dict[str, Any]]:
    """List every secret of the client's region and describe each (``DescribeSecret``)."""
    pages = client.get_paginator("list_secrets").paginate()
    arns = [s["ARN"] for page in pages for s in page.get("SecretList", [])]
    return [client.describe_secret(SecretId=secret_arn) for secret_arn in arns]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DescribeSecret`` response into a :class:`Resource` with its replica regions."""
    replicas = [r["Region"] for r in raw.get("ReplicationStatus") or ()]
    return resource(
        ctx,
        service="secretsmanager",
        type="secret",
        id=raw["ARN"],
        name=raw["Name"],
        copies=[raw.get("PrimaryRegion") or "", *replicas],
        tags=raw.get("Tags"),
    )


def collect_secrets(ctx: AwsContext) -> list[Resource]:
    """List the secrets of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_secrets(ctx.client("secretsmanager"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "secretsmanager",
        "secrets",
        collect_secrets,
        actions=("secretsmanager:ListSecrets", "secretsmanager:DescribeSecret"),
    ),
)
