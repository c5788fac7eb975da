"""CloudFront distributions: edge caches of the price class are copies (policy option)."""

from __future__ import annotations

import pytest

from cloudaudit.models import LocationKind, Status
from cloudaudit.policies import evaluate_resources, load_policy, policy_from_mapping
from cloudaudit.providers._answers import MalformedResponse
from cloudaudit.providers.aws.services import cloudfront

(DISTRIBUTIONS,) = cloudfront.COLLECTORS


def _config(ref: str, price_class: str) -> dict[str, object]:
    # CreateDistribution's DistributionConfig (botocore cloudfront model): the fields required
    # to create one with an S3 origin, and the PriceClass under test.
    origin = {
        "Id": "s3",
        "DomainName": "assets.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    return {
        "CallerReference": ref,
        "Comment": ref,
        "Enabled": True,
        "PriceClass": price_class,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "allow-all",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }


def test_price_class_edge_caches_are_copies(aws):
    cf = aws.client("cloudfront", "us-east-1")
    eu = cf.create_distribution(DistributionConfig=_config("eu-only", "PriceClass_100"))
    asia = cf.create_distribution(DistributionConfig=_config("asia", "PriceClass_200"))
    found = {r.id.rsplit("/", 1)[-1]: r for r in aws.run(DISTRIBUTIONS, "us-east-1").values()}
    eu_res = found[eu["Distribution"]["Id"]]
    asia_res = found[asia["Distribution"]["Id"]]
    (edge,) = asia_res.data_locations
    assert (edge.region, edge.via) == ("cloudfront-PriceClass_200", "aws.cloudfront.edge-cache")
    assert asia_res.location.region == "us-east-1"

    adversaries = load_policy("us-foreign-adversaries")
    verdicts = {f.resource.id: f for f in evaluate_resources([eu_res, asia_res], adversaries)}
    assert verdicts[eu_res.id].status is Status.COMPLIANT
    asia_f = verdicts[asia_res.id]
    assert asia_f.status is Status.VIOLATION
    text = " ".join(asia_f.reasons)
    assert "edge caches of the distribution's price class" in text and "Hong Kong" in text

    no_caches = policy_from_mapping(
        {"id": "no-edge", "restricted": ["us-icts-foreign-adversaries"], "edge_caches": False}
    )
    (f,) = evaluate_resources([asia_res], no_caches)
    assert f.status is Status.COMPLIANT


def test_distribution_without_price_class_is_an_unknown_copy(aws):
    res = cloudfront.to_resource(
        {"Id": "E1", "DomainName": "d.cloudfront.net"}, aws.ctx("us-east-1")
    )
    (edge,) = res.data_locations
    assert edge.region is None and "no PriceClass" in str(edge.note)


def test_a_listing_whose_quantity_disagrees_with_its_items_is_malformed():
    # ListDistributions' DistributionList (CloudFront API Reference): Items is left out when
    # Quantity is 0; a page that says 2 and holds none lost its items on the way.
    head = {"Marker": "", "MaxItems": 100, "IsTruncated": False}
    empty = {"DistributionList": {**head, "Quantity": 0}}
    assert cloudfront.distribution_items([empty]) == []
    lost = {"DistributionList": {**head, "Quantity": 2}}
    with pytest.raises(MalformedResponse, match="Quantity is 2 but it holds 0 items"):
        cloudfront.distribution_items([lost])


def test_edge_caches_outside_the_aws_partition_are_unknown(aws):
    # the price-class countries are the global edge network's; a distribution of aws-cn (or
    # aws-eusc) is served from other edge locations, which the catalog does not list
    raw = {"Id": "E2CN00000000", "DomainName": "d.cloudfront.cn", "PriceClass": "PriceClass_All"}
    (edge,) = cloudfront.to_resource(raw, aws.ctx("cn-north-1", partition="aws-cn")).data_locations
    assert edge.kind is LocationKind.UNKNOWN and "aws-cn" in (edge.note or "")
    (edge,) = cloudfront.to_resource(raw, aws.ctx("us-east-1")).data_locations
    assert edge.region == "cloudfront-PriceClass_All"
