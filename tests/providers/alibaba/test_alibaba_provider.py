"""AlibabaProvider with the real SDK clients against the local HTTP fake."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from alibaba_fake import KEY_ID, SECRET, FakeAlibaba, Server
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.models import LocationKind, Status
from cloudaudit.providers.alibaba import AlibabaProvider
from cloudaudit.report import Report

pytestmark = pytest.mark.http


def _provider(server: Server, **kw: object) -> AlibabaProvider:
    return AlibabaProvider(KEY_ID, SECRET, endpoint=server.url, **kw)  # type: ignore[arg-type]


def _by_name(report: Report) -> dict[str, Status]:
    return {f.resource.name: f.status for f in report.findings}


def test_inventory_follows_every_page(server: Server, fake: FakeAlibaba) -> None:
    inv = _provider(server).inventory()
    assert not inv.gaps
    kinds: dict[str, int] = {}
    for r in inv.resources:
        kinds[f"{r.service}:{r.type}"] = kinds.get(f"{r.service}:{r.type}", 0) + 1
        assert r.account == fake.account
    # page_cap=7 forces NextToken (23 instances), PageNumber (16 images, 15 DBs) and
    # NextMarker (12 buckets) loops.
    assert kinds == {
        "ecs:instance": 24,
        "ecs:disk": 9,
        "ecs:snapshot": 1,
        "ecs:image": 16,
        "rds:db_instance": 15,
        "oss:bucket": 12,
    }
    assert fake.calls.count(("DescribeInstances", "cn-hangzhou")) == 4
    assert fake.calls.count(("DescribeImages", "cn-hangzhou")) == 3
    assert sum(1 for c in fake.calls if c[0] == "oss:ListBuckets") == 2
    # one unit per region × service, all recorded as audited
    audited = {(a.region, a.service) for a in inv.audited}
    assert ("us-east-1", "ecs:disk") in audited
    assert ("eu-central-1", "rds:db_instance") in audited


def test_locations_zones_and_replication(server: Server) -> None:
    res = {r.name: r for r in _provider(server).inventory().resources}
    vm = res["web-3"]
    assert (vm.location.region, vm.location.zone, vm.location.kind) == (
        "cn-hangzhou",
        "cn-hangzhou-h",
        LocationKind.ZONE,
    )
    assert vm.tags == {"team": "web"}
    assert vm.id == "acs:ecs:cn-hangzhou:5123456789012345:instance/i-hz003"
    assert res["nightly"].location.kind is LocationKind.REGION
    assert res["nightly"].location.region == "eu-central-1"
    assert res["orders-0"].location.kind is LocationKind.REGION  # multi-zone RDS
    assert res["orders-1"].location.zone == "eu-central-1a"
    assert res["va-data"].location.region == "us-east-1"
    assert res["va-data"].data_locations == ()
    copies = [loc.region for loc in res["fra-replicated"].data_locations]
    assert copies == ["us-east-1"]


def test_rds_cross_region_backup_is_a_copy(server: Server, fake: FakeAlibaba) -> None:
    res = {r.name: r for r in _provider(server).inventory().resources}
    (copy,) = res["orders-3"].data_locations
    assert (copy.region, copy.via) == ("cn-hongkong", "alibaba.rds.cross-region-backup")
    assert res["orders-4"].data_locations == ()  # BackupEnabled: Disable
    assert ("DescribeInstanceCrossBackupPolicy", "eu-central-1") in fake.calls


@pytest.mark.parametrize(
    ("action", "count", "kind"),
    [
        ("DescribeDBInstances", "TotalRecordCount", "db_instance"),
        ("DescribeImages", "TotalCount", "image"),
    ],
)
def test_a_page_numbered_answer_without_its_total_is_a_gap_not_the_last_page(
    server: Server, fake: FakeAlibaba, action: str, count: str, kind: str
) -> None:
    fake.untotalled.add(action)
    inv = _provider(server).inventory()
    gaps = [g for g in inv.gaps if g.code == "MalformedResponse"]
    assert {g.region for g in gaps} == set(fake.regions)  # each region's listing, not a page
    assert all(f"{count} is missing" in g.message for g in gaps)
    assert not [r for r in inv.resources if r.type == kind]


def test_a_region_entry_without_its_id_is_a_gap_not_skipped(
    server: Server, fake: FakeAlibaba
) -> None:
    # DescribeRegions documents RegionId on every entry: one without it is a region that
    # cannot be audited, and saying nothing of it would read as "every region audited"
    fake.nameless_region = True
    report = audit([_provider(server)], "us-foreign-adversaries")
    (gap,) = [g for g in report.coverage.gaps if g.code == "MalformedResponse"]
    assert "ecs:DescribeRegions" in gap.message and "RegionId is missing" in gap.message
    assert not report.complete


def test_refused_cross_backup_policy_keeps_every_instance_unknown(
    server: Server, fake: FakeAlibaba
) -> None:
    fake.denied_actions["DescribeInstanceCrossBackupPolicy"] = "Forbidden.RAM"
    inv = _provider(server).inventory()
    dbs = [r for r in inv.resources if r.type == "db_instance"]
    assert len(dbs) == 15  # every instance listed is reported
    for r in dbs:
        (copy,) = r.data_locations
        assert (copy.kind, copy.via) == (LocationKind.UNKNOWN, "alibaba.rds.cross-region-backup")
        assert "rds:DescribeInstanceCrossBackupPolicy on instance rm-fra" in str(copy.note)
        assert "failed: Forbidden.RAM" in str(copy.note)
    gaps = [g for g in inv.gaps if g.service == "rds:db_instance"]
    assert {g.target for g in gaps} == {f"instance rm-fra{i}" for i in range(15)}
    assert {g.code for g in gaps} == {"Forbidden.RAM"}
    assert all(g.message.startswith("rds:DescribeInstanceCrossBackupPolicy on ") for g in gaps)


@pytest.mark.parametrize(
    ("policy", "region", "note"),
    [
        ({"BackupEnabled": "Disable", "CrossBackupRegion": "cn-hongkong"}, "none", None),
        ({"BackupEnabled": "disable"}, "none", None),
        ({"BackupEnabled": "Enable", "CrossBackupRegion": "cn-hongkong"}, "cn-hongkong", None),
        ({"BackupEnabled": "enable", "CrossBackupRegion": "cn-hongkong"}, "cn-hongkong", None),
        ({"CrossBackupRegion": "cn-hongkong"}, None, "BackupEnabled=None"),
        ({"BackupEnabled": None}, None, "BackupEnabled=None"),
        ({"BackupEnabled": "Paused", "CrossBackupRegion": "cn-hongkong"}, None, "'Paused'"),
        ({"BackupEnabled": "Enable", "CrossBackupRegion": ""}, None, "CrossBackupRegion=''"),
    ],
    ids=[
        "disable",
        "lower-disable",
        "enable",
        "lower-enable",
        "missing",
        "null",
        "other",
        "no-region",
    ],
)
def test_cross_backup_policy_answers(
    server: Server,
    fake: FakeAlibaba,
    policy: dict[str, object],
    region: str | None,
    note: str | None,
) -> None:
    fake.cross_backup["rm-fra4"] = policy  # type: ignore[assignment]
    inv = _provider(server, regions=["eu-central-1"], account="1").inventory()
    db = next(r for r in inv.resources if r.name == "orders-4")
    if region == "none":
        assert db.data_locations == ()
        return
    (copy,) = db.data_locations
    assert (copy.region, copy.via) == (region, "alibaba.rds.cross-region-backup")
    if note is not None:
        assert copy.kind is LocationKind.UNKNOWN
        assert "rds:DescribeInstanceCrossBackupPolicy answered" in str(copy.note)
        assert note in str(copy.note)


def test_replication_rule_without_destination_bucket_is_placed_by_location(
    server: Server, fake: FakeAlibaba
) -> None:
    fra = next(b for b in fake.buckets if b.name == "fra-data")
    fra.replicate_to = [("", "us-east-1"), ("", "")]  # no <Bucket>; neither element
    inv = _provider(server).inventory()
    copies = next(r for r in inv.resources if r.name == "fra-data").data_locations
    assert [(c.region, c.kind, c.via) for c in copies] == [
        ("us-east-1", LocationKind.REGION, "alibaba.oss.replication"),
        (None, LocationKind.UNKNOWN, "alibaba.oss.replication"),
    ]
    assert "has no Location" in str(copies[1].note)


def test_denied_region_is_a_gap_for_that_region_only(server: Server, fake: FakeAlibaba) -> None:
    fake.denied_regions["eu-central-1"] = "Forbidden.RAM"
    inv = _provider(server).inventory()
    gaps = {(g.region, g.service): g for g in inv.gaps}
    assert set(gaps) == {
        ("eu-central-1", s)
        for s in ("ecs:instance", "ecs:disk", "ecs:snapshot", "ecs:image", "rds:db_instance")
    }
    assert {g.code for g in gaps.values()} == {"Forbidden.RAM"}
    assert all("403" in g.message for g in gaps.values())
    assert not any(
        r.service in ("ecs", "rds") and r.location.region == "eu-central-1" for r in inv.resources
    )
    assert any(r.location.region == "us-east-1" and r.service == "ecs" for r in inv.resources)
    # Frankfurt buckets come from OSS, which is not denied: still listed.
    assert any(r.name == "fra-data" for r in inv.resources)


def test_invalid_key_in_one_region_keeps_its_code(server: Server, fake: FakeAlibaba) -> None:
    fake.denied_regions["us-east-1"] = "InvalidAccessKeyId.NotFound"
    report = audit(_provider(server), "us-foreign-adversaries")
    codes = {(g.region, g.code) for g in report.coverage.gaps}
    assert codes == {("us-east-1", "InvalidAccessKeyId.NotFound")}
    assert not report.complete


def test_unreadable_replication_keeps_bucket_and_records_gap(
    server: Server, fake: FakeAlibaba
) -> None:
    fake.denied_buckets.add("fra-replicated")
    inv = _provider(server).inventory()
    assert [(g.service, g.code, g.region) for g in inv.gaps] == [
        ("oss:bucket/fra-replicated", "AccessDenied", "eu-central-1")
    ]
    bucket = next(r for r in inv.resources if r.name == "fra-replicated")
    assert bucket.location.region == "eu-central-1"


def test_bad_credentials_fail_the_whole_provider_as_one_gap(server: Server) -> None:
    provider = AlibabaProvider("LTAI5tWrongKeyId00000000", SECRET, endpoint=server.url)
    report = audit(provider, "us-foreign-adversaries")
    assert report.findings == ()
    [gap] = report.coverage.gaps
    assert gap.code == "InvalidAccessKeyId.NotFound"
    assert gap.provider == "alibaba"
    assert SECRET not in report.to_json()


def test_explicit_regions_skip_discovery(server: Server, fake: FakeAlibaba) -> None:
    inv = _provider(server, regions=["us-east-1"], account="1111").inventory()
    assert {r.account for r in inv.resources} == {"1111"}
    assert ("DescribeRegions", "") not in fake.calls
    assert ("GetCallerIdentity", "") not in fake.calls
    assert not any(c == ("DescribeInstances", "cn-hangzhou") for c in fake.calls)


def test_a_region_the_account_does_not_list_is_one_gap_naming_the_closest(
    server: Server, fake: FakeAlibaba
) -> None:
    """A misspelt region: one UnknownRegion gap saying so, and no call made in it."""
    inv = _provider(server, regions=["us-eats-1", "us-east-1"], account="1111").inventory()
    gaps = [g for g in inv.gaps if g.region == "us-eats-1"]
    assert [(g.code, g.message) for g in gaps] == [
        (
            "UnknownRegion",
            "region us-eats-1 is not one ecs:DescribeRegions lists for this account (did you "
            "mean us-east-1?): its ECS and RDS resources were not audited",
        )
    ]
    assert fake.calls.count(("DescribeRegions", "")) == 1
    assert not any(region == "us-eats-1" for _, region in fake.calls)
    assert any(r.location.region == "us-east-1" and r.service == "ecs" for r in inv.resources)
    assert not [g for g in inv.gaps if g.region != "us-eats-1"]


def test_a_region_newer_than_the_catalog_is_audited_when_the_account_lists_it(
    server: Server, fake: FakeAlibaba
) -> None:
    fake.regions.append("xx-newregion-1")
    fake.add(
        "DescribeInstances",
        "xx-newregion-1",
        {
            "InstanceId": "i-new",
            "RegionId": "xx-newregion-1",
            "ZoneId": "xx-newregion-1a",
            "InstanceName": "new",
        },
    )
    inv = _provider(server, regions=["xx-newregion-1"], account="1111").inventory()
    assert not inv.gaps
    assert ("DescribeInstances", "xx-newregion-1") in fake.calls
    assert [r.name for r in inv.resources if r.service == "ecs"] == ["new"]


def test_when_the_region_list_is_denied_the_regions_are_audited_as_given(
    server: Server, fake: FakeAlibaba
) -> None:
    fake.denied_actions["DescribeRegions"] = "Forbidden.RAM"
    inv = _provider(server, regions=["us-eats-1"], account="1111").inventory()
    assert ("DescribeInstances", "us-eats-1") in fake.calls  # the fake answers any region
    assert not [g for g in inv.gaps if g.code == "UnknownRegion"]


def test_done_when_virginia_violates_on_operator_axis_frankfurt_compliant_gdpr(
    server: Server,
) -> None:
    for policy in ("us-foreign-adversaries", "us-data-security-program"):
        report = audit(_provider(server), policy)
        va = next(f for f in report.findings if f.resource.name == "va-data")
        assert va.status is Status.VIOLATION
        assert "operator axis" in " ".join(va.reasons)
        assert "Alibaba" in " ".join(va.reasons)
        op = [e for e in va.evidence if e.axis == "operator"]
        assert op and op[0].place.operator_country == "CN"
        assert op[0].place.country == "US"
    gdpr = audit(_provider(server), "eu-gdpr")
    statuses = _by_name(gdpr)
    assert statuses["fra-data"] is Status.COMPLIANT
    assert statuses["va-data"] is Status.VIOLATION  # a US location, not the operator
    assert statuses["fra-replicated"] is Status.VIOLATION  # its copy is in Virginia
    fra = next(f for f in gdpr.findings if f.resource.name == "fra-data")
    assert all(e.axis != "operator" for e in fra.evidence)


def test_cli_audit_alibaba(server: Server, alibaba_env: Callable[..., None]) -> None:
    alibaba_env(KEY_ID, SECRET)
    runner = CliRunner()
    args = ["audit", "alibaba", "--endpoint", server.url, "--format", "json"]
    result = runner.invoke(main, [*args, "--policy", "us-foreign-adversaries"])
    assert result.exit_code == 1, result.output
    report = Report.from_json(result.stdout)
    assert _by_name(report)["va-data"] is Status.VIOLATION
    assert SECRET not in result.output
    result = runner.invoke(main, [*args, "--policy", "eu-gdpr", "--region", "eu-central-1"])
    report = Report.from_json(result.stdout)
    assert _by_name(report)["fra-data"] is Status.COMPLIANT
    assert {r.region for r in report.coverage.audited if r.region} == {"eu-central-1"}


def test_cli_without_credentials_exits_with_config_error(
    server: Server, alibaba_env: Callable[..., None]
) -> None:
    alibaba_env(None, None)
    result = CliRunner().invoke(main, ["audit", "alibaba", "--endpoint", server.url])
    assert result.exit_code == 2, result.output
    assert "no credentials" in result.output
    assert json.dumps(SECRET) not in result.output


def test_default_credential_chain_from_environment(
    server: Server, fake: FakeAlibaba, alibaba_env: Callable[..., None]
) -> None:
    alibaba_env(KEY_ID, SECRET)
    inv = AlibabaProvider(endpoint=server.url, regions=["us-east-1"]).inventory()
    assert not inv.gaps
    assert {r.name for r in inv.resources} >= {"i-va1", "va-data", "va-backup"}
