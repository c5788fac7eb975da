"""The copy model: one declaration read by code and docs, and the rule it enforces."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit import copymodel
from cloudaudit.catalog import locate
from cloudaudit.copymodel import DECLARATIONS, UNDECLARED, declaration, unread_copies
from cloudaudit.models import Location, LocationKind, ProviderId, Status
from cloudaudit.policies import evaluate_resources, load_policy, policy_from_mapping
from cloudaudit.testing import make_resource

ROOT = Path(__file__).resolve().parents[1]


def test_docs_copies_md_is_generated_and_current() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    text = (ROOT / "docs" / "copies.md").read_text()
    for d in DECLARATIONS:
        for m in d.mechanisms:
            assert f"`{m.id}`" in text and m.test in text


def test_stale_docs_are_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    monkeypatch.setattr(generate, "TARGETS", {"docs/copies.md": generate.TARGETS["docs/copies.md"]})
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "copies.md").write_text("old table\n")
    assert generate.stale() == ["docs/copies.md"]
    assert generate.main(["--check"]) == 1
    assert generate.main([]) == 0
    assert generate.stale() == []


def test_every_declared_test_exists() -> None:
    for d in DECLARATIONS:
        for m in d.mechanisms:
            path, _, name = m.test.partition("::")
            source = (ROOT / path).read_text()
            assert f"def {name}(" in source, f"{m.id}: {m.test} does not exist"


def _aws_literal_types() -> set[tuple[str, str]]:
    """(service, type) of every ``resource(ctx, service=..., type=...)`` call in the collectors."""
    found = set()
    for path in (ROOT / "cloudaudit/providers/aws/services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "resource":
                kw = {k.arg: k.value for k in node.keywords}
                service, rtype = kw.get("service"), kw.get("type")
                if isinstance(service, ast.Constant) and isinstance(rtype, ast.Constant):
                    found.add((service.value, rtype.value))
    return found


def test_every_type_a_collector_reports_is_declared() -> None:
    from cloudaudit.copymodel._aws import AWS
    from cloudaudit.inventory._prowler_types import AWS_TYPES as PROWLER_AWS
    from cloudaudit.inventory._prowler_types import AZURE_TYPES as PROWLER_AZURE
    from cloudaudit.inventory._prowler_types import GCP_TYPES as PROWLER_GCP
    from cloudaudit.providers.aws import CONFIG_TYPES
    from cloudaudit.providers.azure._types import KNOWN_TYPES
    from cloudaudit.providers.gcp._asset import ASSET_TYPES, service_and_type
    from cloudaudit.providers.gcp._fallback import FALLBACK_SERVICES

    aws = _aws_literal_types()
    assert len(aws) >= 25, "the scan found too few collectors to prove anything"
    # the AWS declarations are the collectors' own: none for a type no collector reports
    assert {(d.service, d.type) for d in AWS} == aws
    missing = [t for t in aws if declaration("aws", *t) is None]
    missing += [t for t in CONFIG_TYPES.values() if declaration("aws", *t) is None]  # AWS Config
    missing += [t for t in PROWLER_AWS.values() if declaration("aws", *t) is None]  # Prowler
    missing += [t for t in PROWLER_GCP.values() if declaration("gcp", *t) is None]
    missing += [t for t in PROWLER_AZURE.values() if declaration("azure", *t) is None]
    missing += [t for t in KNOWN_TYPES.values() if declaration("azure", *t) is None]
    missing += [
        service_and_type(a) for a in ASSET_TYPES if declaration("gcp", *service_and_type(a)) is None
    ]
    missing += [
        ("compute", t)
        for _, t, _ in FALLBACK_SERVICES.values()
        if not declaration("gcp", "compute", t)
    ]
    assert not missing, f"collectors report types the copy model does not declare: {missing}"


def test_prowler_types_are_the_live_providers_own() -> None:
    """A Prowler GCP type maps to a (service, type) the live provider reports, and the ARM
    types a Prowler Azure resource may have include every type the Azure provider reports."""
    from cloudaudit.inventory._prowler_types import AZURE_TYPES, GCP_TYPES
    from cloudaudit.providers.azure._types import KNOWN_TYPES
    from cloudaudit.providers.gcp._asset import ASSET_TYPES, service_and_type

    live_gcp = {service_and_type(a) for a in ASSET_TYPES}
    assert {a: service_and_type(a) for a in GCP_TYPES if "/" in a} == {
        a: t for a, t in GCP_TYPES.items() if "/" in a
    }
    assert set(GCP_TYPES.values()) <= live_gcp, set(GCP_TYPES.values()) - live_gcp
    assert KNOWN_TYPES.items() <= AZURE_TYPES.items()


def test_declarations_survive_their_json_text() -> None:
    from cloudaudit.copymodel._types import declarations_from_json, declarations_json

    assert declarations_from_json(declarations_json(DECLARATIONS)) == DECLARATIONS
    with pytest.raises(ValueError, match="'cached'"):
        declarations_from_json(declarations_json(DECLARATIONS[:1]).replace("replication", "cached"))


def test_an_undeclared_type_fails_the_coverage_check() -> None:
    r = make_resource("aws", "eu-west-1", service="newsvc", type="widget")
    assert copymodel.undeclared([r]) == {("aws", "newsvc", "widget")}
    assert copymodel.undeclared([make_resource("aws", "eu-west-1")]) == set()


def test_unread_mechanism_is_an_unknown_copy_naming_it() -> None:
    domain = make_resource("aws", "eu-central-1", service="opensearch", type="domain")
    (copy,) = unread_copies(domain)
    assert (
        copy.kind is LocationKind.UNKNOWN and copy.via == "aws.opensearch.cross-cluster-replication"
    )
    (f,) = evaluate_resources([domain], load_policy("eu-gdpr"))
    assert f.status is Status.UNKNOWN
    assert "cross-cluster replication to follower domains" in " ".join(f.reasons)
    assert copy in f.resource.data_locations


def test_undeclared_type_is_unknown_never_compliant() -> None:
    r = make_resource("azure", "westeurope", service="Microsoft.Contoso", type="widgets")
    (f,) = evaluate_resources([r], load_policy("eu-gdpr"))
    assert f.status is Status.UNKNOWN
    assert f.resource.data_locations[-1].via == UNDECLARED
    assert "declares no copy mechanism for azure Microsoft.Contoso/widgets" in " ".join(f.reasons)


def test_other_providers_and_location_only_policies_are_untouched() -> None:
    oci = make_resource("oci", "eu-frankfurt-1", service="objectstorage", type="bucket")
    assert unread_copies(oci) == ()
    loc_only = policy_from_mapping({"id": "loc", "allowed": ["DE"], "axes": ["location"]})
    domain = make_resource("aws", "eu-central-1", service="opensearch", type="domain")
    (f,) = evaluate_resources([domain], loc_only)
    assert f.status is Status.COMPLIANT


def test_copy_reason_names_mechanism_and_note() -> None:
    vault = make_resource("azure", "southeastasia", service="Microsoft.KeyVault", type="vaults")
    pair = Location(
        provider=ProviderId.AZURE,
        region="eastasia",
        via="azure.keyvault.paired-region",
        note="paired region of southeastasia",
    )
    vault = vault.model_copy(update={"data_locations": (pair,)})
    (f,) = evaluate_resources([vault], load_policy("us-foreign-adversaries"))
    assert f.status is Status.VIOLATION
    text = " ".join(f.reasons)
    assert "replicated by Microsoft to the paired region of southeastasia" in text
    assert "Hong Kong (HK)" in text


_HOMES = {
    "aws": "eu-west-1",
    "gcp": "europe-west1",
    "azure": "westeurope",
    "alibaba": "eu-central-1",
}


def test_a_copy_a_source_does_not_carry_names_its_mechanism_once() -> None:
    """Every declared mechanism's unseen copy: the title once per reason, on both axes."""
    policy = load_policy("us-foreign-adversaries")  # judges copies and operators
    checked = 0
    for d in DECLARATIONS:
        carried_none = copymodel.unseen_copies(d.provider, d.service, d.type, (), "not carried")
        if not carried_none:
            continue
        home = _HOMES[d.provider.value]
        r = make_resource(d.provider.value, home, service=d.service, type=d.type)
        r = r.model_copy(update={"data_locations": carried_none})
        (f,) = evaluate_resources([r], policy)
        assert f.status is not Status.COMPLIANT
        for copy in carried_none:
            title = copymodel.mechanism(copy.via).title  # type: ignore[union-attr]
            said = [x for x in f.reasons if title in x]
            assert len(said) >= 2, (d.type, copy.via, f.reasons)  # location and operator axes
            for reason in said:
                assert reason.count(title) == 1, reason
                assert "not carried" in reason
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("ap-northeast-1-tpe-1a", "TW"),
        ("ap-southeast-1-bkk-1a", "TH"),
        ("ap-southeast-2-akl-1a", "NZ"),
        ("us-east-1-wl1-bos-wlz-1", "US"),
        ("eu-central-1-ham-1a", "DE"),
    ],
)
def test_local_and_wavelength_zones_are_in_their_own_country(zone: str, country: str) -> None:
    parent = zone.split("-wl")[0] if "-wl" in zone else "-".join(zone.split("-")[:3])
    assert locate("aws", parent, zone).country == country


def test_unknown_zone_group_is_unknown_never_the_parent_country() -> None:
    place = locate("aws", "ap-northeast-1", "ap-northeast-1-zzz-1a")
    assert place.country is None and not place.known
    r = make_resource("aws", "ap-northeast-1", zone="ap-northeast-1-zzz-1a", kind="zone")
    (f,) = evaluate_resources([r], load_policy("eu-gdpr"))
    assert f.status is Status.UNKNOWN
    assert "zone group ap-northeast-1-zzz-1 (parent region ap-northeast-1) is not in the" in (
        " ".join(f.reasons)
    )


def test_taipei_local_zone_is_not_japan_under_gdpr() -> None:
    r = make_resource("aws", "ap-northeast-1", zone="ap-northeast-1-tpe-1a", kind="zone")
    (f,) = evaluate_resources([r], load_policy("eu-gdpr"))
    assert f.status is Status.VIOLATION
    assert "Taiwan" in " ".join(f.reasons) and "Japan" not in " ".join(f.reasons)


def _outpost_instance() -> object:
    r = make_resource("aws", "eu-central-1", service="ec2", type="instance")
    site = "arn:aws:outposts:eu-central-1:111122223333:outpost/op-0123456789abcdef0"
    return r.model_copy(
        update={"location": Location(provider=ProviderId.AWS, region="eu-central-1", site=site)}
    )


def test_outpost_is_unknown_unless_the_policy_maps_it() -> None:
    r = _outpost_instance()
    (f,) = evaluate_resources([r], load_policy("eu-gdpr"))  # type: ignore[list-item]
    assert f.status is Status.UNKNOWN
    assert "customer premises" in " ".join(f.reasons) and "`premises`" in " ".join(f.reasons)
    mapped = policy_from_mapping(
        {"id": "p", "allowed": ["eea"], "premises": {"op-0123456789abcdef0": "FR"}}
    )
    (g,) = evaluate_resources([r], mapped)  # type: ignore[list-item]
    assert g.status is Status.COMPLIANT
    assert "France (FR)" in " ".join(g.reasons)
    elsewhere = policy_from_mapping(
        {"id": "p", "allowed": ["eea"], "premises": {"op-0123456789abcdef0": "US"}}
    )
    (h,) = evaluate_resources([r], elsewhere)  # type: ignore[list-item]
    assert h.status is Status.VIOLATION


def test_premises_must_be_country_codes() -> None:
    from cloudaudit.errors import ConfigurationError

    with pytest.raises((ConfigurationError, ValueError), match="premises"):
        policy_from_mapping({"id": "p", "allowed": ["eea"], "premises": {"op-1": "France"}})


@pytest.mark.parametrize(
    ("provider", "code", "country"),
    [
        ("gcp", "asia-east2-a", "HK"),  # a zone: placed by its region, as audits place it
        ("gcp", "regional-europe-west1", "BE"),  # a Spanner regional configuration
        ("huawei", "sa-argentina-1", "AR"),
        ("huawei", "sa-chile-1", "CL"),
        ("aws", "us-east-1a", "US"),
        ("aws", "ap-southeast-2-akl-1a", "NZ"),
    ],
)
def test_locate_agrees_with_audits(provider: str, code: str, country: str) -> None:
    from click.testing import CliRunner

    from cloudaudit.cli import main

    assert locate(provider, code).country == country
    result = CliRunner().invoke(main, ["locate", provider, code])
    assert result.exit_code == 0 and f'"country": "{country}"' in result.output


def test_spanner_multi_region_config_names_resolve() -> None:
    place = locate("gcp", "instanceConfigs/nam-eur-asia1")
    assert place.kind is LocationKind.MULTI_REGION and set(place.countries) == {"US", "BE", "TW"}


def test_azure_catalog_check_ignores_accents() -> None:
    from cloudaudit.catalog import default_catalog
    from cloudaudit.providers.azure._geo import Geo, LocationInfo, catalog_mismatches

    geo = Geo()
    geo.add([LocationInfo("swedencentral", "Sweden Central", "Physical", "Gävle", "Europe")])
    assert catalog_mismatches(geo, ["swedencentral"], default_catalog()) == []


def test_gap_messages_never_carry_an_html_page() -> None:
    from cloudaudit.models import CoverageGap

    page = (
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title>"
        "<style>body{font:1em sans-serif}</style></head>"
        "<body><h1>Bad Gateway</h1><p>The proxy received an invalid response.</p></body></html>"
    )
    gap = CoverageGap(
        provider="azure", scope="azure/s", code="502", message=f"HTTP 502 on GET /vaults: {page}"
    )
    assert gap.message == "HTTP 502 on GET /vaults: [HTML error page: 502 Bad Gateway]"
    again = CoverageGap.model_validate_json(gap.model_dump_json())
    assert again.message == gap.message
    plain = CoverageGap(provider="aws", scope="aws/1", code="AccessDenied", message="a < b > c")
    assert plain.message == "a < b > c"


def test_the_demos_copies_name_their_mechanism() -> None:
    """The first estate a user sees shows what a provider's copies carry: each its mechanism."""
    from cloudaudit.demo import demo_resources
    from tests.providers.copy_vias import vias, wrong_vias

    resources = demo_resources()
    assert wrong_vias(resources) == []
    assert None not in vias(resources)
