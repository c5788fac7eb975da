"""GCP's effective gcp.resourceLocations per project on the project's fake (real REST client).

The policy bodies follow the Org Policy v2 ``Policy`` resource (``spec.rules[].values.
allowedValues``); value groups are those Google documents in "Restricting Resource Locations"
(``in:eu-locations``, ``in:asia-locations``, ``in:<region>-locations``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "providers" / "gcp"))

from gcp_fake import FakeGcp

from cloudaudit import audit
from cloudaudit.catalog import default_catalog
from cloudaudit.providers.gcp import GcpProvider, default_retry
from cloudaudit.providers.gcp._value_groups import EU27, expand, group_members

POLICY = "us-foreign-adversaries"
CATALOG = default_catalog()


def _allow(*values: str) -> dict[str, object]:
    return {"rules": [{"values": {"allowedValues": list(values)}}]}


def test_documented_value_groups_expand_to_regions() -> None:
    eu = group_members("eu", CATALOG)
    assert eu is not None
    assert {"eu", "eur4", "europe-west1", "europe-west3", "europe-north1"} <= set(eu)
    assert "europe-west2" not in eu and "europe-west6" not in eu  # London, Zurich: not EU
    assert "eur5" not in eu  # Belgium + London
    assert "u-france-east1" not in eu  # a sovereign universe, another cloud
    asia = group_members("asia", CATALOG)
    assert asia is not None
    assert {"asia", "asia1", "asia-east2", "asia-northeast1"} <= set(asia)
    assert group_members("us-east1", CATALOG) == ("us-east1",)
    assert group_members("eur4", CATALOG) == ("eur4", "europe-north1", "europe-west4")
    assert group_members("atlantis", CATALOG) is None
    patterns, unknown = expand(["in:eu-locations", "is:us-east1", "in:atlantis-locations"], CATALOG)
    assert "us-east1" in patterns and "europe-west1" in patterns
    assert unknown == ("in:atlantis-locations",)


def test_a_value_also_names_the_spanner_configuration_of_that_name() -> None:
    """Spanner instances are in ``instanceConfigs/<name>``, kept apart from Cloud Storage's
    names in the catalog; a policy value such as ``eur5`` names both."""
    from cloudaudit.guardrails import LocationRule

    patterns, unknown = expand(["is:eur5", "nam12", "europe-west1"], CATALOG)
    rule = LocationRule(allow=patterns, case_sensitive=False)
    for location in ("EUR5", "instanceConfigs/eur5", "instanceConfigs/nam12", "europe-west1"):
        assert rule.permits(location), location
    assert "instanceconfigs/europe-west1" not in patterns and unknown == ()
    assert {"eur5", "instanceconfigs/eur5", "europe-west4"} <= set(
        group_members("eur5", CATALOG) or ()
    )


@given(st.sampled_from(sorted(EU27)))
def test_eu_group_holds_every_catalog_region_of_a_member_state(country: str) -> None:
    members = set(group_members("eu", CATALOG) or ())
    in_country = {
        k.lower()
        for k, v in CATALOG.regions("gcp").items()
        if v.kind.value == "region" and v.country == country and not k.startswith("u-")
    }
    assert in_country <= members


@pytest.fixture
def fake() -> Iterator[FakeGcp]:
    fake = FakeGcp()
    eu = fake.add_folder("42")
    fake.add_project("eu-data", 1001, parent=eu)
    fake.add_project("apac-data", 1002)
    fake.add_project("sandbox", 1003)
    fake.add_bucket("eu-data", "eu-dual", "EU", "dual-region", ["EUROPE-WEST1", "EUROPE-WEST4"])
    fake.add_bucket("eu-data", "old-us-bucket", "US", "multi-region")
    fake.add_bucket("apac-data", "hk-bucket", "asia-east2")
    fake.add_bucket("sandbox", "sandbox-bucket", "us-east1")
    # set on the folder, inherited by eu-data; set on the organization, inherited by apac-data;
    # sandbox resets (no guardrail)
    fake.org_policies[eu] = _allow("in:eu-locations")
    fake.org_policies[fake.organization] = _allow("in:asia-locations", "in:eu-locations")
    fake.org_policies["projects/sandbox"] = {"reset": True}
    with fake.serve() as served:
        yield served


def _provider(fake: FakeGcp, **kw: object) -> GcpProvider:
    return GcpProvider(
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": fake.url},
        organization="123",
        retry=default_retry(initial=0.0, maximum=0.0, timeout=2.0),
        guardrails=True,
        **kw,  # type: ignore[arg-type]
    )


def test_three_findings_on_an_organization(fake: FakeGcp) -> None:
    report = audit(_provider(fake), POLICY)
    section = report.guardrails
    assert section is not None
    assert not [g for g in report.coverage.gaps if g.service == "guardrails"]
    (permits,) = section.of_kind("permits_restricted")
    assert permits.scope == "projects/apac-data"
    assert "asia-east2" in permits.locations
    assert any("allows asia-east2, Hong Kong (HK)" in r for r in permits.reasons)
    (outside,) = section.of_kind("resource_outside")
    assert outside.account == "eu-data" and outside.resource_id is not None
    assert outside.resource_id.endswith("old-us-bucket")
    assert outside.guardrail == "projects/eu-data/policies/gcp.resourceLocations"
    assert "is in the US multi-region, but org policy" in outside.reasons[0]
    (eu_rule,) = [g for g in section.guardrails if g.applies_to == ("eu-data",)]
    assert "in:eu-locations" in eu_rule.source and not eu_rule.rule.permits("us")
    assert [f.scope for f in section.of_kind("no_guardrail")] == ["sandbox"]


def test_unknown_value_group_and_denied_project_are_gaps(fake: FakeGcp) -> None:
    fake.org_policies["projects/sandbox"] = _allow("in:atlantis-locations")
    fake.denied_projects.add("apac-data")
    report = audit(_provider(fake), POLICY)
    gaps = {g.account: g.code for g in report.coverage.gaps if g.service == "guardrails"}
    assert gaps["sandbox"] == "UnknownValueGroup"
    assert "apac-data" in gaps
    assert report.guardrails is not None
    assert report.guardrails.of_kind("no_guardrail") == ()
    assert {s.id for s in report.guardrails.checked} == {"eu-data"}


def test_cli_audit_gcp_with_guardrails_then_guardrails_alone(fake: FakeGcp, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cloudaudit.cli import main

    env = {"CLOUDAUDIT_GCP_API_ENDPOINT": fake.url, "CLOUDAUDIT_GCP_ANONYMOUS": "1"}
    out = tmp_path / "report.json"
    args = ["audit", "gcp", "--organization", "123", "--guardrails", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--output", str(out)], env=env)
    assert result.exit_code == 1, result.output  # hk-bucket violates
    shown = CliRunner().invoke(main, ["guardrails", str(out), "--format", "json"])
    assert shown.exit_code == 1
    kinds = [f["kind"] for f in json.loads(shown.stdout)["findings"]]
    assert kinds == ["permits_restricted", "resource_outside", "no_guardrail"]


def test_evidence_bundle_replays_the_guardrails(fake: FakeGcp, tmp_path: Path) -> None:
    """The bundle keeps the effective policies read; a replay compares them again, offline."""
    from cloudaudit.evidence import read_bundle, replay, verify_bundle

    report = audit(_provider(fake), POLICY, evidence=tmp_path / "b")
    assert verify_bundle(tmp_path / "b") == []
    readings = read_bundle(tmp_path / "b").guardrails
    assert readings is not None and {s.id for s in readings.scopes} >= {"eu-data", "sandbox"}
    fake.org_policies.clear()  # replay makes no call: what the cloud says now does not matter
    again = replay(tmp_path / "b")
    assert report.guardrails is not None and again.guardrails is not None
    assert again.guardrails.model_dump() == report.guardrails.model_dump()
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]


_SANDBOX = {"expression": "resource.matchTag('123456789/env', 'sandbox')"}


@pytest.mark.parametrize(
    ("conditional", "europe_west1", "us_east1"),
    [({"denyAll": True}, True, False), ({"allowAll": True}, True, False)],
    ids=["deny-all-for-tagged", "allow-all-for-tagged"],
)
def test_a_conditional_rule_is_not_merged_into_the_project_wide_guardrail(
    conditional: dict[str, object], europe_west1: bool, us_east1: bool
) -> None:
    """Org Policy v2 PolicyRule.condition: a rule with a condition is used only for the
    resources it matches (their tags). Merged in, a tagged denyAll made every resource of
    the project 'allowed nowhere', and a tagged allowAll erased the EU allow-list."""
    from cloudaudit.providers.gcp._guardrails import to_guardrail

    policy = {
        "name": "projects/p/policies/gcp.resourceLocations",
        "spec": {
            "rules": [
                {"values": {"allowedValues": ["in:eu-locations"]}},
                {"condition": _SANDBOX, **conditional},
            ]
        },
    }
    guardrail, unknown = to_guardrail("p", policy, default_catalog())
    assert guardrail is not None and unknown == ()
    assert guardrail.rule.permits("europe-west1") is europe_west1
    assert guardrail.rule.permits("us-east1") is us_east1
    assert any("matchTag" in n for n in guardrail.notes)
    # a conditional rule alone restricts only the tagged resources: the project is unguarded
    only = {
        "spec": {
            "rules": [{"condition": _SANDBOX, "values": {"allowedValues": ["in:eu-locations"]}}]
        }
    }
    assert to_guardrail("p", only, default_catalog())[0] is None
