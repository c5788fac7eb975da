"""Amazon ECR repositories, with the regions the registry replicates them to.

Registry replication (``DescribeRegistry``) copies every repository matching a rule's
``repositoryFilters`` (prefix filters; no filter means every repository) into each
destination region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    from mypy_boto3_ecr import ECRClient

__all__ = [
    "COLLECTORS",
    "REPLICATION",
    "collect_repositories",
    "fetch_replication_rules",
    "fetch_repositories",
    "replica_regions",
    "to_resource",
]

REPLICATION = Mechanism(
    "aws.ecr.replication",
    MechanismKind.REPLICATION,
    "registry replication rules",
    "DescribeRegistry replicationConfiguration.rules[].destinations[].region",
    "tests/providers/aws/services/test_aws_ecr.py::"
    "test_replica_regions_from_documented_describe_registry",
)
"""Registry replication (the ``via`` of a repository's replicas)."""


def fetch_repositories(client: ECRClient) -> list[Mapping[str, Any]]:
    """List every repository of the client's region (``DescribeRepositories``)."""
    pages = client.get_paginator("describe_repositories").paginate()
    return [item for page in pages for item in page.get("repositories", [])]


def fetch_replication_rules(client: ECRClient) -> list[Mapping[str, Any]]:
    """Read the registry's replication rules (``DescribeRegistry``)."""
    registry = client.describe_registry()
    config = registry.get("replicationConfiguration") or {}
    return list(config.get("rules") or [])


def _matches(rule: Mapping[str, Any], name: str) -> bool:
    filters = rule.get("repositoryFilters") or []
    if not filters:
        return True
    for f in filters:
        # PREFIX_MATCH is the only filter type AWS defines; an unknown type is assumed to
        # match, so that a copy is over-reported rather than hidden.
        if f.get("filterType", "PREFIX_MATCH") != "PREFIX_MATCH" or name.startswith(f["filter"]):
            return True
    return False


def replica_regions(rules: Iterable[Mapping[str, Any]], name: str) -> list[str]:
    """Destination regions of every replication rule that applies to repository ``name``."""
    return [
        d["region"]
        for rule in rules
        if _matches(rule, name)
        for d in rule.get("destinations") or ()
    ]


def to_resource(
    raw: Mapping[str, Any], ctx: AwsContext, rules: Sequence[Mapping[str, Any]] | Unread = ()
) -> Resource:
    """Turn one ``Repository`` into a :class:`Resource` with its replica regions.

    ``rules`` is an :class:`Unread` when ``DescribeRegistry`` failed: the copy is unknown.
    """
    copies = via(
        REPLICATION,
        [rules] if isinstance(rules, Unread) else replica_regions(rules, raw["repositoryName"]),
    )
    name = raw["repositoryName"]
    default = arn(ctx.partition, "ecr", ctx.region, ctx.account, f"repository/{name}")
    return resource(
        ctx,
        service="ecr",
        type="repository",
        id=raw.get("repositoryArn") or default,
        name=name,
        copies=copies,
    )


def collect_repositories(ctx: AwsContext) -> list[Resource]:
    """List the repositories of ``ctx.region`` with the registry's replication rules."""
    client = ctx.client("ecr")
    repositories = fetch_repositories(client)
    if not repositories:
        return []
    rules = detail(
        "ecr:DescribeRegistry", f"registry in {ctx.region}", lambda: fetch_replication_rules(client)
    )
    return [to_resource(raw, ctx, rules) for raw in repositories]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "ecr",
        "repositories",
        collect_repositories,
        actions=("ecr:DescribeRepositories", "ecr:DescribeRegistry"),
        answers={"DescribeRepositories": ("repositories[]",), "DescribeRegistry": ("registryId",)},
        copies=declare(
            "ecr",
            "repository",
            REPLICATION,
        ),
    ),
)
