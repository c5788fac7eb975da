"""Amazon S3 Glacier vaults (the legacy Glacier API, ``--services`` name ``glacier``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_glacier import GlacierClient

__all__ = ["COLLECTORS", "collect_vaults", "fetch_vaults", "to_resource"]


def fetch_vaults(client: GlacierClient) -> list[Mapping[str, Any]]:
    """List every vault of the client's region (``ListVaults``, account ``-``)."""
    pages = client.get_paginator("list_vaults").paginate(accountId="-")
    return [item for page in pages for item in page.get("VaultList", [])]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DescribeVaultOutput`` into a :class:`Resource`."""
    name = raw["VaultName"]
    return resource(
        ctx,
        service="glacier",
        type="vault",
        id=raw.get("VaultARN")
        or arn(ctx.partition, "glacier", ctx.region, ctx.account, f"vaults/{name}"),
        name=name,
    )


def collect_vaults(ctx: AwsContext) -> list[Resource]:
    """List the Glacier vaults of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_vaults(ctx.client("glacier"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "glacier",
        "vaults",
        collect_vaults,
        actions=("glacier:ListVaults",),
        answers={"ListVaults": ("VaultList[]",)},
        copies=declare("glacier", "vault", note="archives stay in the vault's region"),
    ),
)
