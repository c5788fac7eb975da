"""Pure transforms and error classification of the Alibaba provider (no network)."""

from __future__ import annotations

import pytest

from cloudaudit.catalog import locate
from cloudaudit.models import LocationKind
from cloudaudit.providers.alibaba import classify
from cloudaudit.providers.alibaba.oss import Bucket, Destination, bucket_region, bucket_to_resource
from cloudaudit.providers.alibaba.rds import db_instance_to_resource


@pytest.mark.parametrize(
    ("location", "region", "expected"),
    [
        ("oss-us-east-1", None, "us-east-1"),
        ("oss-eu-central-1", None, "eu-central-1"),
        ("oss-cn-hangzhou", "cn-hangzhou", "cn-hangzhou"),
        (None, None, None),
    ],
)
def test_bucket_region(location: str | None, region: str | None, expected: str | None) -> None:
    assert bucket_region(location, region) == expected


def test_bucket_without_location_is_unknown_not_guessed() -> None:
    r = bucket_to_resource("1", Bucket("b", None), [Destination("d", None)])
    assert r.location.kind is LocationKind.UNKNOWN
    assert r.location.region is None
    assert [c.kind for c in r.data_locations] == [LocationKind.UNKNOWN]


def test_multi_zone_rds_is_judged_by_region() -> None:
    item = {"DBInstanceId": "rm-1", "RegionId": "cn-shanghai", "ZoneId": "cn-shanghai-MAZ2(b,g)"}
    r = db_instance_to_resource("1", "cn-shanghai", item)
    assert r.location.kind is LocationKind.REGION
    assert r.name == "rm-1"


def test_every_alibaba_region_has_a_chinese_operator() -> None:
    for region in ("us-east-1", "us-west-1", "eu-central-1", "eu-west-1", "ap-southeast-1"):
        place = locate("alibaba", region)
        assert place.operator_country == "CN", region
        assert place.operator and "Alibaba" in place.operator
    assert locate("alibaba", "us-east-1").country == "US"


class _NotFromSdk(Exception):
    code = "Forbidden.RAM"


def test_classify_ignores_foreign_exceptions() -> None:
    assert classify(_NotFromSdk("x")) is None
    assert classify(ValueError("x")) is None


def test_classify_tea_client_exception() -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException

    exc = ClientException(code="Forbidden.RAM", message="not authorized", status_code=403)
    assert classify(exc) == ("Forbidden.RAM", "not authorized (HTTP 403)")
