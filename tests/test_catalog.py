import pytest

from cloudaudit import locate
from cloudaudit.catalog import CATALOG_PROVIDERS, Catalog, country_name
from cloudaudit.catalog._data import load_catalog_file, load_country_names
from cloudaudit.models import LocationKind, ProviderId


@pytest.mark.parametrize(
    ("provider", "region", "country", "city"),
    [
        ("aws", "ap-east-1", "HK", "Hong Kong"),
        ("aws", "eu-west-1", "IE", None),
        ("alibaba", "eu-west-1", "GB", "London"),
        ("alibaba", "me-central-1", "SA", "Riyadh"),
        ("huawei", "ap-southeast-1", "HK", "Hong Kong"),
        ("aws", "ap-east-2", "TW", None),
        ("gcp", "asia-east1", "TW", None),
        ("gcp", "asia-east2", "HK", None),
        ("azure", "eastasia", "HK", None),
        ("tencent", "ap-taipei", "TW", None),
    ],
)
def test_same_id_different_places_and_hk_tw_never_folded(
    provider: str, region: str, country: str, city: str | None
) -> None:
    place = locate(provider, region)
    assert place.country == country
    if city:
        assert place.city == city


def test_hk_mo_tw_are_their_own_codes() -> None:
    names = load_country_names().countries
    assert {"HK", "MO", "TW", "CN"} <= set(names)
    assert names["TW"] == "Taiwan"


def test_unmapped_region_is_never_guessed() -> None:
    place = locate("aws", "xx-nowhere-1")
    assert place.country is None and place.countries == () and not place.known
    assert place.operator is None and place.operator_country is None


def test_operators() -> None:
    assert locate("aws", "cn-north-1").operator_country == "CN"
    assert "Sinnet" in (locate("aws", "cn-north-1").operator or "")
    assert "NWCD" in (locate("aws", "cn-northwest-1").operator or "")
    assert "21Vianet" in (locate("azure", "chinanorth3").operator or "")
    assert locate("azure", "westeurope").operator_country == "US"
    for region in ("us-east-1", "us-west-1", "eu-central-1"):
        assert locate("alibaba", region).operator_country == "CN"
    for provider, region in (("tencent", "na-ashburn"), ("huawei", "eu-west-0")):
        assert locate(provider, region).operator_country == "CN"


def test_local_zone_is_placed_in_its_own_country() -> None:
    place = locate("aws", "us-east-1", "us-east-1-bue-1a")
    assert place.country == "AR" and place.kind is LocationKind.ZONE
    assert locate("aws", "us-east-1", "us-east-1a").country == "US"


def test_gcp_zones_and_case() -> None:
    assert locate("gcp", None, "europe-west3-b").country == "DE"
    assert locate("gcp", "EUROPE-WEST3").country == "DE"
    eu = locate("gcp", "EU")
    assert eu.kind is LocationKind.MULTI_REGION and eu.country is None
    assert "DE" in eu.candidates and "GB" not in eu.candidates
    assert set(locate("gcp", "EUR4").countries) == {"FI", "NL"}
    assert locate("gcp", "global").kind is LocationKind.GLOBAL


def test_every_entry_has_source_and_iso_codes() -> None:
    names = load_country_names()
    for provider in CATALOG_PROVIDERS:
        f = load_catalog_file(provider.value)
        assert f.reviewed
        for rid, e in {**f.regions, **f.zones}.items():
            assert e.source, (provider, rid)
            for code in (e.country, e.operator_country, *e.countries, *e.candidates):
                assert code is None or code in names.countries, (provider, rid, code)


def test_botocore_regions_are_all_in_the_catalog() -> None:
    botocore_loaders = pytest.importorskip("botocore.loaders")
    data = botocore_loaders.create_loader().load_data("partitions")
    catalog = load_catalog_file("aws").regions
    missing = [(p["id"], r) for p in data["partitions"] for r in p["regions"] if r not in catalog]
    assert not missing, f"regions known to botocore but missing from the catalog: {missing}"


def test_injected_catalog() -> None:
    files = {ProviderId.AWS: load_catalog_file("aws")}
    cat = Catalog(files)
    assert cat.locate("aws", "eu-west-1").country == "IE"
    assert cat.locate("gcp", "europe-west3").country is None  # not in this catalog


def test_country_names() -> None:
    assert country_name("HK") == "Hong Kong"
    assert country_name("UA-43") != "UA-43"
    assert country_name("ZZ") == "ZZ"
