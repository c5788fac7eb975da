"""Catalog completeness for Oracle OCI, Tencent Cloud and Huawei Cloud, and their operators."""

from __future__ import annotations

import pytest

from cloudaudit import audit
from cloudaudit.catalog import default_catalog, locate
from cloudaudit.models import Status
from cloudaudit.testing import FakeProvider, make_resource


def test_every_oci_sdk_region_is_in_the_catalog() -> None:
    rd = pytest.importorskip("oci.regions_definitions")
    sdk = set(rd.REGIONS) | set(rd.REGION_REALMS) | set(rd.REGIONS_SHORT_NAMES.values())
    assert len(sdk) > 40
    missing = sdk - set(default_catalog().regions("oci"))
    assert not missing, f"add to catalog/data/oci.json: {sorted(missing)}"


def test_every_huawei_sdk_region_is_in_the_catalog() -> None:
    mod = pytest.importorskip("huaweicloudsdkecs.v2.region.ecs_region")
    sdk = set(mod.EcsRegion.static_fields)
    assert len(sdk) > 20
    missing = sdk - set(default_catalog().regions("huawei"))
    assert not missing, f"add to catalog/data/huawei.json: {sorted(missing)}"


@pytest.mark.parametrize("provider", ["oci", "tencent", "huawei"])
def test_every_region_has_a_country_and_an_operator(provider: str) -> None:
    regions = default_catalog().regions(provider)
    assert len(regions) >= 30
    for region in regions:
        place = locate(provider, region)
        assert place.known, f"{provider} {region} has no country"
        assert place.operator and place.operator_country, f"{provider} {region}"


@pytest.mark.parametrize("provider", ["tencent", "huawei"])
def test_tencent_and_huawei_are_chinese_operators_everywhere(provider: str) -> None:
    for region in default_catalog().regions(provider):
        assert locate(provider, region).operator_country == "CN", f"{provider} {region}"


def test_tricky_places() -> None:
    assert locate("tencent", "ap-taipei").country == "TW"
    assert locate("tencent", "ap-hongkong").country == "HK"
    assert locate("huawei", "ap-southeast-1").country == "HK"
    assert locate("huawei", "ap-southeast-3").country == "SG"
    assert locate("oci", "us-ashburn-1").operator_country == "US"


def test_operator_axis_flags_chinese_vendors_in_the_us_and_eu() -> None:
    resources = [
        make_resource("tencent", "na-siliconvalley", name="tc-sv"),
        make_resource("huawei", "eu-west-101", name="hw-dublin"),
        make_resource("oci", "us-ashburn-1", name="oci-va"),
    ]
    report = audit(FakeProvider(resources), "us-foreign-adversaries")
    status = {f.resource.name: f for f in report.findings}
    for name in ("tc-sv", "hw-dublin"):
        assert status[name].status is Status.VIOLATION
        assert "operator axis" in " ".join(status[name].reasons)
    assert status["oci-va"].status is Status.COMPLIANT
