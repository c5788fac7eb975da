"""Amazon CloudFront distributions, with the edge caches of their price class as copies.

CloudFront is a global service: a distribution's configuration is held in the partition's
home region (``us-east-1`` for ``aws``), and its content is cached at the edge locations of
its price class (``PriceClass_100``, ``PriceClass_200``, ``PriceClass_All``). Each price class
is a catalog entry (``cloudfront-PriceClass_200``) listing the countries of its edge
locations. Whether edge caches count as copies is the policy's ``edge_caches`` option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._answers import MalformedResponse
from cloudaudit.providers.aws._base import AwsContext, Collector, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient

__all__ = [
    "COLLECTORS",
    "EDGE_CACHE",
    "collect_distributions",
    "distribution_items",
    "edge_caches",
    "fetch_distributions",
]

EDGE_CACHE = Mechanism(
    "aws.cloudfront.edge-cache",
    MechanismKind.EDGE_CACHE,
    "edge caches of the distribution's price class",
    "ListDistributions DistributionList.Items[].PriceClass",
    "tests/providers/aws/services/test_aws_cloudfront.py::test_price_class_edge_caches_are_copies",
)
"""The copy mechanism of a distribution (its ``id`` is the ``via`` of its edge caches)."""
VIA = EDGE_CACHE.id


def fetch_distributions(client: CloudFrontClient) -> list[Mapping[str, Any]]:
    """List every distribution of the account (``ListDistributions``, all pages)."""
    return distribution_items(client.get_paginator("list_distributions").paginate())


def distribution_items(pages: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The distributions of ``ListDistributions`` pages (pure).

    CloudFront leaves ``Items`` out when ``Quantity`` is 0; a page whose ``Quantity`` does not
    match its items lost some on the way (:class:`MalformedResponse`).
    """
    out: list[Mapping[str, Any]] = []
    for page in pages:
        listing = page["DistributionList"]  # checked present (the collector's ``answers``)
        items = listing.get("Items") or []
        said = listing["Quantity"]
        if len(items) != said:
            problem = f"DistributionList.Quantity is {said} but it holds {len(items)} items"
            raise MalformedResponse("cloudfront:ListDistributions", problem)
        out.extend(items)
    return out


def edge_caches(price_class: str | None, partition: str = "aws") -> Location:
    """The edge locations of a price class as a copy.

    Unknown when the class is not given, and outside the ``aws`` partition: the catalog's
    price-class countries are those of the global edge network, not of the edge locations a
    distribution of another partition (``aws-cn``, ``aws-eusc``) uses.
    """
    if not price_class or partition != "aws":
        note = (
            "the distribution returned no PriceClass: its edge locations are unknown"
            if not price_class
            else f"the edge locations of a {partition} distribution ({price_class}) are not "
            "in the catalog"
        )
        return Location(provider=ProviderId.AWS, kind=LocationKind.UNKNOWN, via=VIA, note=note)
    return Location(
        provider=ProviderId.AWS,
        region=f"cloudfront-{price_class}",
        kind=LocationKind.MULTI_REGION,
        via=VIA,
        note=f"content is cached at the edge locations of {price_class}",
    )


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``DistributionSummary`` into a :class:`Resource` homed in ``ctx.region``."""
    dist_id = raw["Id"]
    res = resource(
        ctx,
        service="cloudfront",
        type="distribution",
        id=raw.get("ARN")
        or f"arn:{ctx.partition}:cloudfront::{ctx.account}:distribution/{dist_id}",
        name=raw.get("DomainName") or dist_id,
    )
    edges = edge_caches(raw.get("PriceClass"), ctx.partition)
    return res.model_copy(update={"data_locations": (edges,)})


def collect_distributions(ctx: AwsContext) -> list[Resource]:
    """List the account's distributions (a global listing, run once)."""
    return [to_resource(raw, ctx) for raw in fetch_distributions(ctx.client("cloudfront"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "cloudfront",
        "distributions",
        collect_distributions,
        regional=False,
        actions=("cloudfront:ListDistributions",),
        answers={"ListDistributions": ("DistributionList{}", "DistributionList.Quantity")},
        copies=declare("cloudfront", "distribution", EDGE_CACHE),
    ),
)
