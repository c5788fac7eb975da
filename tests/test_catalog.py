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


@pytest.mark.parametrize("provider", CATALOG_PROVIDERS)
def test_no_two_entries_collide_once_ids_are_normalised(provider: ProviderId) -> None:
    from cloudaudit.catalog import _norm

    f = load_catalog_file(provider.value)
    for table in (f.regions, f.zones):
        seen: dict[str, str] = {}
        for key in table:
            other = seen.setdefault(_norm(provider, key), key)
            assert other == key, f"{provider.value}: {other!r} and {key!r} are one key"


def test_cloud_storage_and_spanner_names_are_kept_apart() -> None:
    for code in ("EUR5", "eur5"):  # the Cloud Storage dual-region, in either case
        place = locate("gcp", code)
        assert place.kind is LocationKind.DUAL_REGION and set(place.countries) == {"BE", "GB"}
    spanner = locate("gcp", "instanceConfigs/eur5")  # the Spanner instance configuration
    assert spanner.kind is LocationKind.MULTI_REGION
    assert set(spanner.countries) == {"GB", "BE", "NL"}


@pytest.mark.parametrize(
    ("provider", "region"),
    [("alibaba", "ap-southeast-9"), ("tencent", "eu-paris"), ("huawei", "eu-west-200")],
)
def test_unlisted_region_of_a_vendor_that_runs_every_region_keeps_its_operator(
    provider: str, region: str
) -> None:
    place = locate(provider, region)
    assert place.country is None and not place.known  # the country is still not guessed
    assert place.operator_country == "CN" and place.operator
    assert place.source and "every" in place.source


def test_unlisted_zone_keeps_the_operator_of_its_region() -> None:
    place = locate("aws", "cn-north-1", "cn-north-1-xyz-1a")
    assert place.country is None and not place.known
    assert place.operator_country == "CN" and "Sinnet" in (place.operator or "")
    assert locate("aws", "cn-northwest-1", "cnnw1-xyz1-az1").operator_country == "CN"


def test_operator_every_region_needs_a_source() -> None:
    from pydantic import ValidationError

    from cloudaudit.catalog._data import OperatorInfo

    assert OperatorInfo(name="X", country="CN", every_region=True, source="s").every_region
    with pytest.raises(ValidationError, match="source"):
        OperatorInfo(name="X", country="CN", every_region=True)


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("us-east-1", "use1-lim1-az1"),  # Lima Local Zone by zone ID (PE, not US)
        ("us-east-1", "use1-bue1-az1"),  # Buenos Aires by zone ID
        ("eusc-de-east-1", "eusc-de-east-1-bru-1a"),  # a Local Zone group of the aws-eusc cloud
        ("us-east-1", "US-EAST-1-BUE-1A"),  # not an AWS zone name
        ("us-east-1", "eu-west-1a"),  # an availability zone of another region
        ("us-east-1", "usw2-az1"),  # an AZ ID of another region
        ("us-iso-east-1", "usie1-az1"),  # an AZ ID the catalog cannot map to a region
    ],
)
def test_a_zone_the_catalog_cannot_place_is_never_its_region(region: str, zone: str) -> None:
    place = locate("aws", region, zone)
    assert place.country is None and not place.known, place
    assert place.kind is LocationKind.UNKNOWN and zone.rstrip("a") in (place.notes or "")


@pytest.mark.parametrize(
    ("code", "region", "country"),
    [
        ("eusc-de-east-1a", "eusc-de-east-1", "DE"),
        ("use1-az1", "us-east-1", "US"),
        ("use2-az3", "us-east-2", "US"),
        ("usw2-az4", "us-west-2", "US"),
        ("euw1-az2", "eu-west-1", "IE"),
        ("apne1-az1", "ap-northeast-1", "JP"),
        ("usgw1-az1", "us-gov-west-1", "US"),
        ("cnnw1-az1", "cn-northwest-1", "CN"),
    ],
)
def test_plain_zone_names_and_az_ids_are_their_region(code: str, region: str, country: str) -> None:
    place = locate("aws", code)
    assert (place.region, place.zone, place.country) == (region, code, country)
    assert locate("aws", None, code).country == country


def test_region_whose_country_is_unverified_is_in_no_country() -> None:
    place = locate("aws", "eu-isoe-west-1")  # only a DNS suffix suggests GB
    assert place.country is None and not place.known
    assert "UNVERIFIED" in (place.notes or "")
