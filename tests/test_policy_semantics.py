"""Verdict semantics of every built-in policy (one table per policy, plus shared cases)."""

from datetime import date

import pytest

from cloudaudit import LocationKind, Status, evaluate, load_policy
from cloudaudit.policies import Engine, builtin_policy_names, policy_from_mapping
from cloudaudit.testing import make_resource

V, C, U, E = Status.VIOLATION, Status.COMPLIANT, Status.UNKNOWN, Status.EXEMPT
MR = LocationKind.MULTI_REGION

# (provider, region, kind, copies) -> expected status per policy
CASES: dict[str, list[tuple[str, str, LocationKind, tuple[str, ...], Status]]] = {
    "us-foreign-adversaries": [
        ("aws", "ap-east-1", LocationKind.REGION, (), V),  # Hong Kong
        ("aws", "eu-central-1", LocationKind.REGION, (), C),
        ("aws", "us-east-1", LocationKind.REGION, ("ap-east-1",), V),  # copy in HK
        ("alibaba", "us-east-1", LocationKind.REGION, (), V),  # operator axis (CN)
        ("aws", "cn-north-1", LocationKind.REGION, (), V),
        ("gcp", "EU", MR, (), C),
        ("gcp", "ASIA", MR, (), U),  # may include HK
        ("aws", "xx-unmapped-1", LocationKind.REGION, (), U),
        ("gcp", "global", LocationKind.GLOBAL, (), U),
        ("gcp", "asia-east1", LocationKind.REGION, (), C),  # Taiwan is not covered
        ("tencent", "eu-moscow", LocationKind.REGION, (), V),  # Russia + CN operator
        ("huawei", "eu-west-0", LocationKind.REGION, (), V),  # CN operator in Paris
    ],
    "us-data-security-program": [
        ("aws", "ap-east-1", LocationKind.REGION, (), V),
        ("alibaba", "us-east-1", LocationKind.REGION, (), V),
        ("aws", "us-west-2", LocationKind.REGION, (), C),
        ("gcp", "EU", MR, (), C),
        ("aws", "us-east-1", LocationKind.REGION, ("cn-north-1",), V),
        ("aws", "xx-unmapped-1", LocationKind.REGION, (), U),
    ],
    "us-padfa": [
        ("aws", "ap-east-1", LocationKind.REGION, (), V),  # HK (include_hk_mo default)
        ("alibaba", "eu-central-1", LocationKind.REGION, (), V),  # operator axis
        ("aws", "eu-central-1", LocationKind.REGION, (), C),
        ("gcp", "ASIA", MR, (), U),
        ("aws", "us-east-1", LocationKind.REGION, ("ap-east-1",), V),
    ],
    "ofac-embargoed": [
        ("aws", "ap-east-1", LocationKind.REGION, (), C),  # HK is not embargoed
        ("aws", "eu-central-1", LocationKind.REGION, (), C),
        ("aws", "xx-unmapped-1", LocationKind.REGION, (), U),
        ("gcp", "EU", MR, (), C),
    ],
    "eu-gdpr": [
        ("aws", "eu-central-1", LocationKind.REGION, (), C),
        ("aws", "us-east-1", LocationKind.REGION, (), V),  # DPF off by default
        ("aws", "eu-west-2", LocationKind.REGION, (), C),  # UK adequacy
        ("aws", "ap-northeast-1", LocationKind.REGION, (), C),  # Japan adequacy
        ("aws", "ap-east-1", LocationKind.REGION, (), V),
        ("alibaba", "eu-central-1", LocationKind.REGION, (), C),  # no operator axis
        ("alibaba", "us-east-1", LocationKind.REGION, (), V),
        ("azure", "brazilsouth", LocationKind.REGION, ("southcentralus",), V),  # copy in US
        ("gcp", "EU", MR, (), C),
        ("gcp", "EUR4", LocationKind.DUAL_REGION, (), C),
        ("gcp", "ASIA", MR, (), U),  # JP/KR adequate, others not
        ("gcp", "US", MR, (), V),
        ("gcp", "global", LocationKind.GLOBAL, (), U),
    ],
    "eea-only": [
        ("aws", "eu-central-1", LocationKind.REGION, (), C),
        ("aws", "eu-west-2", LocationKind.REGION, (), V),  # UK is outside the EEA
        ("aws", "eu-central-2", LocationKind.REGION, (), V),  # Switzerland
        ("gcp", "EU", MR, (), C),
        ("gcp", "ASIA", MR, (), V),  # no candidate is in the EEA
        ("aws", "eu-west-1", LocationKind.REGION, ("us-east-1",), V),
        ("aws", "xx-unmapped-1", LocationKind.REGION, (), U),
    ],
}


def test_every_builtin_policy_has_cases() -> None:
    assert sorted(CASES) == builtin_policy_names()


@pytest.mark.parametrize(
    ("policy", "provider", "region", "kind", "copies", "expected"),
    [(p, *case) for p, cases in CASES.items() for case in cases],
)
def test_verdicts(
    policy: str,
    provider: str,
    region: str,
    kind: LocationKind,
    copies: tuple[str, ...],
    expected: Status,
) -> None:
    r = make_resource(provider, region, kind=kind, copies=copies, name="thing")
    finding = evaluate([r], policy).findings[0]
    assert finding.status is expected, finding.reasons
    assert finding.reasons and all("`thing`" in x for x in finding.reasons[:1])


def test_reason_names_the_law_and_the_place() -> None:
    r = make_resource("aws", "ap-east-1", name="x")
    (reason,) = evaluate([r], "us-foreign-adversaries").findings[0].reasons
    assert reason == (
        "bucket `x` is in ap-east-1, Hong Kong (HK), which 15 CFR 791.4 counts as part of China"
    )


def test_copy_reason_names_the_destination() -> None:
    r = make_resource("aws", "us-east-1", name="backup", copies=["ap-east-1"])
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert f.status is V
    assert any("copy" in x and "ap-east-1" in x and "Hong Kong" in x for x in f.reasons)
    assert {e.axis for e in f.evidence} >= {"location", "copy"}


def test_operator_axis_reason() -> None:
    r = make_resource("alibaba", "us-east-1", name="va")
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert f.status is V and "CN" in f.jurisdictions
    assert any("operator axis" in x and "Alibaba" in x and "Virginia" in x for x in f.reasons)


def test_us_dpf_option_is_explicit() -> None:
    r = make_resource("aws", "us-east-1")
    off = evaluate([r], "eu-gdpr").findings[0]
    assert off.status is V and any("us_dpf" in x for x in off.reasons)
    on = evaluate([r], load_policy("eu-gdpr", options={"us_dpf": True})).findings[0]
    assert on.status is C


def test_padfa_hk_option() -> None:
    r = make_resource("aws", "ap-east-1")
    strict = load_policy("us-padfa", options={"include_hk_mo": False})
    assert evaluate([r], strict).findings[0].status is C
    assert evaluate([r], "us-padfa").findings[0].status is V


def _with_exemptions(name: str, exemptions: list[dict[str, object]]) -> object:
    raw = load_policy(name).model_dump(mode="json", exclude_none=True)
    raw["exemptions"] = exemptions
    return policy_from_mapping(raw)


@pytest.mark.parametrize("policy", builtin_policy_names())
def test_exempt_and_expired_for_every_policy(policy: str) -> None:
    bad = {
        "us-foreign-adversaries": ("aws", "ap-east-1"),
        "us-data-security-program": ("aws", "ap-east-1"),
        "us-padfa": ("aws", "ap-east-1"),
        "ofac-embargoed": ("aws", "xx-unmapped-1"),
        "eu-gdpr": ("aws", "us-east-1"),
        "eea-only": ("aws", "us-east-1"),
    }[policy]
    pol = _with_exemptions(
        policy,
        [
            {"resource": "arn:*:keep-*", "reason": "approved by DPO", "expires": "2030-01-01"},
            {"tags": {"exception": "T-*"}, "reason": "old approval", "expires": "2024-01-01"},
        ],
    )
    keep = make_resource(*bad, name="k", id="arn:x:keep-1")
    old = make_resource(*bad, name="o", id="arn:x:other", tags={"exception": "T-9"})
    engine = Engine(pol, today=date(2026, 11, 22))  # type: ignore[arg-type]
    f_keep, f_old = engine.finding(keep), engine.finding(old)
    assert f_keep.status is E and f_keep.exemption == "approved by DPO"
    assert any("would be" in x and "2030-01-01" in x for x in f_keep.reasons)
    assert f_old.status is not E and f_old.status is not C
    assert any("expired on 2024-01-01" in x for x in f_old.reasons)


def test_exemption_does_not_hide_compliance() -> None:
    pol = _with_exemptions("us-foreign-adversaries", [{"resource": "*", "reason": "all ok"}])
    f = Engine(pol).finding(make_resource("aws", "eu-west-1"))  # type: ignore[arg-type]
    assert f.status is C


def test_fail_closed() -> None:
    raw = load_policy("us-foreign-adversaries").model_dump(mode="json", exclude_none=True)
    raw["unknown"] = "violation"
    pol = policy_from_mapping(raw)
    f = evaluate([make_resource("aws", "xx-unmapped-1")], pol).findings[0]
    assert f.status is V and any("fails closed" in x for x in f.reasons)


def test_unknown_copy_makes_compliant_resource_unknown() -> None:
    r = make_resource("aws", "eu-west-1", copies=["xx-unknown-9"])
    assert evaluate([r], "us-foreign-adversaries").findings[0].status is U


def test_violation_wins_over_unknown() -> None:
    r = make_resource("aws", "xx-unknown-9", copies=["ap-east-1"])
    assert evaluate([r], "us-foreign-adversaries").findings[0].status is V


def test_dual_region_with_one_restricted_member() -> None:
    pol = policy_from_mapping({"id": "no-fi", "restricted": ["FI"]})
    assert evaluate([make_resource("gcp", "EUR4", kind="dual_region")], pol).findings[0].status is V


def test_ofac_subdivisions() -> None:
    pol = load_policy("ofac-embargoed")
    rules = pol.rules
    assert "UA-43" in rules.subdivisions and "UA-14" in rules.partial_subdivisions
    assert "SY" not in rules.countries  # Syria lifted in 2025


def test_custom_policy_with_country_codes() -> None:
    pol = policy_from_mapping({"id": "de-only", "allowed": ["DE"]})
    rep = evaluate([make_resource("aws", "eu-central-1"), make_resource("aws", "eu-west-1")], pol)
    assert [f.status for f in rep.findings] == [C, V]


def test_unknown_copy_location_reads_as_a_copy() -> None:
    from cloudaudit import Location, LocationKind, ProviderId, Resource

    r = Resource(
        provider="aws",
        account="1",
        service="s3",
        type="bucket",
        id="b",
        name="b",
        location=Location(provider="aws", region="eu-west-1"),
        data_locations=(Location(provider=ProviderId.AWS, region=None, kind=LocationKind.UNKNOWN),),
    )
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert f.status is U
    assert all("a copy of its data" in x for x in f.reasons), f.reasons
    assert any("could not be determined" in x for x in f.reasons)


def test_operator_of_a_copy_region() -> None:
    r = make_resource("aws", "us-east-1", copies=["cn-north-1"], name="b")
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert any("keeps a copy" in x and "Sinnet" in x for x in f.reasons)


def test_an_undeclared_type_reads_as_sentences_on_both_axes() -> None:
    """The copy model's note is said once per axis, after a colon, not nested in parentheses."""
    r = make_resource("azure", "westeurope", service="Microsoft.Network", type="dnsZones")
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert f.status is U
    copy_reasons = [x for x in f.reasons if "copy of its data" in x]
    assert len(copy_reasons) == 2, f.reasons
    for text in copy_reasons:
        assert "may keep a copy of its data elsewhere: cloudaudit declares no copy" in text
        assert "(cloudaudit" not in text and "could not be determined" not in text
    assert copy_reasons[1].endswith("; the operator axis cannot be judged")


def test_a_copy_note_that_repeats_the_mechanism_title_is_merged_into_it() -> None:
    from cloudaudit.models import Location, ProviderId

    paired = Location(
        provider=ProviderId.AZURE,
        region="eastasia",
        via="azure.keyvault.paired-region",
        note="the paired region of southeastasia",
    )
    r = make_resource("azure", "southeastasia", service="Microsoft.KeyVault", type="vaults")
    r = r.model_copy(update={"data_locations": (paired,)})
    reasons = " ".join(evaluate([r], "us-foreign-adversaries").findings[0].reasons)
    assert "to the paired region of southeastasia)" in reasons, reasons
    assert "paired region: the paired region" not in reasons


def test_unknown_copies_by_two_mechanisms_get_a_reason_each_on_every_axis() -> None:
    """A failed read leaves a copy unknown by each mechanism it would have read; each reason,
    the operator axis's too, names its mechanism (two identical reasons told nothing)."""
    from cloudaudit.copymodel import mechanism
    from cloudaudit.models import Location, Resource

    note = "dynamodb:DescribeTable on table t failed: AccessDenied"
    vias = ("aws.dynamodb.global-table", "aws.dynamodb.global-table-v1")
    copies = tuple(
        Location(provider="aws", kind=LocationKind.UNKNOWN, via=v, note=note) for v in vias
    )
    table = Resource(
        provider="aws",
        account="1",
        service="dynamodb",
        type="table",
        id="t",
        name="t",
        location=Location(provider="aws", region="eu-west-1"),
        data_locations=copies,
    )
    [finding] = evaluate([table], "us-foreign-adversaries").findings
    assert len(set(finding.reasons)) == len(finding.reasons) == 4
    for via in vias:
        title = mechanism(via).title  # type: ignore[union-attr]
        assert sum(title in r for r in finding.reasons) == 2, finding.reasons


@pytest.mark.parametrize(
    ("provider", "region"),
    [("alibaba", "ap-southeast-9"), ("tencent", "eu-paris"), ("huawei", "eu-west-200")],
)
def test_unlisted_region_of_a_chinese_vendor_is_a_violation_on_the_operator_axis(
    provider: str, region: str
) -> None:
    r = make_resource(provider, region, name="x")
    f = evaluate([r], "us-data-security-program").findings[0]
    assert f.status is V and f.jurisdictions == ("CN",)  # a known violation beats the unknown
    where, operator = f.reasons
    assert "does not place in any country" in where  # the country is still unknown
    assert operator.startswith(f"bucket `x` is in {region}, a region the catalog does not place;")
    assert f"every {provider} region is operated by" in operator
    assert operator.endswith(
        "under the jurisdiction of China (CN), which 28 CFR 202.601 names as a country of "
        "concern (operator axis)"
    )
    assert evaluate([r], "eu-gdpr").findings[0].status is U  # no operator axis: unknown


def test_unknown_zone_of_an_aws_china_region_is_a_violation_on_the_operator_axis() -> None:
    r = make_resource("aws", "cn-north-1", zone="cn-north-1-xyz-1a", kind="zone", name="x")
    f = evaluate([r], "us-foreign-adversaries").findings[0]
    assert f.status is V
    assert f.reasons[1] == (
        "bucket `x` is in cn-north-1-xyz-1a, a zone the catalog does not place; its parent "
        "region is operated by Beijing Sinnet Technology Co., Ltd. (Sinnet), under the "
        "jurisdiction of China (CN), which 15 CFR 791.4 names as a foreign adversary "
        "(operator axis)"
    )


def test_zone_id_of_a_local_zone_is_unknown_not_its_region() -> None:
    dpf = load_policy("eu-gdpr", options={"us_dpf": True})
    r = make_resource("aws", "us-east-1", zone="use1-lim1-az1", kind="zone", name="x")
    f = evaluate([r], dpf).findings[0]
    assert f.status is U, f.reasons  # Lima (PE), not Virginia
    assert (
        "zone use1-lim1-az1 (a zone ID; parent region us-east-1) is not in the catalog"
        in (f.reasons[0])
    )
    plain = make_resource("aws", "us-east-1", zone="use1-az1", kind="zone")
    assert evaluate([plain], dpf).findings[0].status is C


@pytest.mark.parametrize(
    ("provider", "region"), [("alibaba", "us-east-1"), ("tencent", "na-ashburn")]
)
def test_us_dpf_covers_only_operators_under_us_jurisdiction(provider: str, region: str) -> None:
    dpf = load_policy("eu-gdpr", options={"us_dpf": True})
    f = evaluate([make_resource(provider, region, name="x")], dpf).findings[0]
    assert f.status is V and f.jurisdictions == ("US",)
    (reason,) = f.reasons
    assert "for an operator under the jurisdiction of United States (US)" in reason
    assert "is under the jurisdiction of China (CN), so it is outside the allowed set" in reason
    assert evaluate([make_resource("aws", "us-east-1")], dpf).findings[0].status is C


@pytest.mark.parametrize(
    ("policy", "options", "region", "basis"),
    [
        (
            "us-padfa",
            {},
            "ap-east-1",
            "Hong Kong (HK), which 15 U.S.C. 9901 (via 10 U.S.C. 4872(d)(2)) counts as part of "
            "China by option include_hk_mo",
        ),
        (
            "eu-gdpr",
            {},
            "ca-central-1",
            "Canada (CA), which is covered by an EU adequacy decision (partial: commercial "
            "organisations under PIPEDA)",
        ),
        (
            "eu-gdpr",
            {},
            "ap-northeast-1",
            "Japan (JP), which is covered by an EU adequacy decision (partial: private-sector "
            "business operators under the APPI, with the Supplementary Rules of Decision (EU) "
            "2019/419)",
        ),
        (
            "eu-gdpr",
            {"us_dpf": True},
            "us-east-1",
            "United States (US), which is covered by an EU adequacy decision (partial: US "
            "organisations certified under the EU-US Data Privacy Framework, Commission "
            "Implementing Decision (EU) 2023/1795) by option us_dpf; its operator, Amazon Web "
            "Services, Inc., is under the jurisdiction of United States (US)",
        ),
    ],
)
def test_reasons_say_when_the_basis_is_conditional_or_partial(
    policy: str, options: dict[str, bool], region: str, basis: str
) -> None:
    f = evaluate([make_resource("aws", region, name="x")], load_policy(policy, options=options))
    (reason,) = f.findings[0].reasons
    assert reason.startswith(f"bucket `x` is in {region}, ") and reason.endswith(basis), reason
