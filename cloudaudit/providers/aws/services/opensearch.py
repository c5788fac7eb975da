"""Amazon OpenSearch Service domains (``--services`` name ``opensearch``; IAM prefix ``es``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import NOT_READ, Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_opensearch import OpenSearchServiceClient

__all__ = ["COLLECTORS", "collect_domains", "fetch_domains", "to_resource"]

_BATCH = 5
"""``DescribeDomains`` accepts at most five domain names per call."""


def fetch_domains(client: OpenSearchServiceClient) -> list[Mapping[str, Any]]:
    """List and describe every domain of the client's region.

    ``ListDomainNames`` is not paginated; ``DescribeDomains`` takes five names per call.
    """
    names = [d["DomainName"] for d in client.list_domain_names()["DomainNames"]]
    out: list[Mapping[str, Any]] = []
    for start in range(0, len(names), _BATCH):
        batch = names[start : start + _BATCH]
        found = client.describe_domains(DomainNames=batch)["DomainStatusList"]
        described = {d.get("DomainName") for d in found}
        out.extend(found)  # a listed domain left out of the answer is still reported, by name
        out.extend({"DomainName": n} for n in batch if n not in described)
    return out


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DomainStatus`` into a :class:`Resource`."""
    name = raw["DomainName"]
    return resource(
        ctx,
        service="opensearch",
        type="domain",
        id=raw.get("ARN") or arn(ctx.partition, "es", ctx.region, ctx.account, f"domain/{name}"),
        name=name,
    )


def collect_domains(ctx: AwsContext) -> list[Resource]:
    """List the OpenSearch domains of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_domains(ctx.client("opensearch"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "opensearch",
        "domains",
        collect_domains,
        actions=("es:ListDomainNames", "es:DescribeDomains"),
        answers={
            "ListDomainNames": ("DomainNames[]", "DomainNames[].DomainName"),
            "DescribeDomains": ("DomainStatusList[]", "DomainStatusList[].DomainName"),
        },
        copies=declare(
            "opensearch",
            "domain",
            Mechanism(
                "aws.opensearch.cross-cluster-replication",
                MechanismKind.REPLICATION,
                "cross-cluster replication to follower domains",
                NOT_READ,
                "tests/test_copymodel.py::test_unread_mechanism_is_an_unknown_copy_naming_it",
            ),
        ),
    ),
)
