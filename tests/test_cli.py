import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_demo_table_prints_violations_with_reasons() -> None:
    code, out, _ = run("demo")
    assert code == 0
    assert "violation" in out and "15 CFR 791.4 counts as part of China" in out
    assert "operator axis" in out and "Coverage gaps" in out


def test_demo_json_has_every_trap() -> None:
    code, out, _ = run("demo", "--format", "json")
    assert code == 0
    report = json.loads(out)
    by_name = {f["resource"]["name"]: f for f in report["findings"]}
    assert by_name["acme-hk-orders"]["status"] == "violation"
    assert by_name["acme-va-oss"]["status"] == "violation"  # Alibaba, Virginia
    assert by_name["i-0c0ffee0c0ffee001"]["status"] == "violation"  # AWS China (Sinnet)
    assert by_name["acme-eu-lake"]["status"] == "compliant"  # GCS EU multi-region
    assert by_name["acme-us-backups"]["status"] == "violation"  # replica in HK
    assert by_name["acme-new-region-bucket"]["status"] == "unknown"  # unmapped region
    assert by_name["acme-hk-marketing-assets"]["status"] == "exempt"
    expired = by_name["partner-feed"]
    assert expired["status"] == "violation" and any("expired" in r for r in expired["reasons"])
    assert report["summary"]["gaps"] == 2
    # the rest of the README's trap list: four clouds, ASIA multi-region, a global location
    assert {f["resource"]["provider"] for f in report["findings"]} == {
        "aws",
        "azure",
        "gcp",
        "alibaba",
    }
    assert by_name["acme-asia-cdn-origin"]["status"] == "unknown"
    assert by_name["acme.example"]["status"] == "unknown"  # Azure, global
    # copy model: a Key Vault in Singapore is replicated by Microsoft to Hong Kong
    vault = by_name["acme-sg-keys"]
    assert vault["status"] == "violation"
    assert any("paired region of southeastasia" in r and "(HK)" in r for r in vault["reasons"])
    assert vault["resource"]["data_locations"][0]["via"] == "azure.keyvault.paired-region"
    # a Local Zone is placed by its own zone group: Taipei is Taiwan, not Japan
    taipei = by_name["i-0feedfacefeed0042"]
    assert any("Taiwan" in r for r in taipei["reasons"])
    assert not any("Japan" in r for r in taipei["reasons"])


def test_demo_under_eu_gdpr() -> None:
    code, out, _ = run("demo", "--policy", "eu-gdpr", "--format", "json")
    by_name = {f["resource"]["name"]: f["status"] for f in json.loads(out)["findings"]}
    assert code == 0
    assert by_name["acme-fra-oss"] == "compliant" and by_name["acmebrs"] == "violation"


def _demo_summary(*args: str) -> dict[str, int]:
    code, out, err = run("demo", "--format", "json", *args)
    assert code == 0, err
    summary: dict[str, int] = json.loads(out)["summary"]
    return summary


def test_demo_takes_policy_options_and_a_date() -> None:
    """The demo takes the audits' --option and --as-of, so a new user can try them offline."""
    plain = _demo_summary("--policy", "eu-gdpr")
    with_dpf = _demo_summary("--policy", "eu-gdpr", "--option", "us_dpf=true")
    assert with_dpf["violation"] < plain["violation"]  # US regions become adequate (EU-US DPF)
    assert with_dpf["total"] == plain["total"]
    # an exemption that expired since still held on an earlier date
    assert _demo_summary("--as-of", "2024-01-01")["exempt"] > _demo_summary()["exempt"]
    code, _out, err = run("demo", "--option", "no_such=true")
    assert code == 2 and "unknown option 'no_such'" in err and "Traceback" not in err


def test_bad_policy_exits_2_with_a_clear_message() -> None:
    code, _out, err = run("demo", "--policy", "no-such-policy")
    assert code == 2 and "no built-in policy" in err and "Traceback" not in err


def test_locate() -> None:
    code, out, _ = run("locate", "alibaba", "eu-west-1")
    assert code == 0 and json.loads(out)["city"] == "London"
    code, out, _ = run("locate", "alibaba", "eu-west-1", "--format", "table")
    assert code == 0 and "city              London" in out and "operator_country  CN" in out
    code, _, err = run("locate", "aws", "zz-new-1")
    assert code == 1 and "not in the catalog" in err  # an unknown region is not a success


def test_policies_as_json() -> None:
    code, out, _ = run("policies", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["name"] for r in rows} >= {"eu-gdpr", "us-foreign-adversaries"}
    assert all(r["citation"] and r["version"] for r in rows)


def test_ctrl_c_exits_130_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudaudit.demo

    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cloudaudit.demo, "demo_providers", interrupted)
    code, out, err = run("demo")
    assert code == 130 and out == "" and err == "interrupted\n"
    code, _, err = run("locate", "nocloud", "x")
    assert code == 2


def test_policies_lists_citations() -> None:
    code, out, _ = run("policies")
    assert code == 0 and "15 CFR 791.4" in out and "28 CFR 202.601" in out


def test_policies_show() -> None:
    code, out, _ = run("policies", "show", "eu-gdpr")
    assert code == 0 and "us_dpf" in out


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cloudaudit", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "cloudaudit" in out.stdout


def test_demo_resources_use_the_collectors_types() -> None:
    """A demo resource says what a real audit would: its type is the one the collector reports.

    Only the Azure DNS zone stays undeclared, as it would in a real Azure audit.
    """
    from cloudaudit.copymodel import undeclared
    from cloudaudit.demo import demo_resources

    assert undeclared(demo_resources()) == {("azure", "Microsoft.Network", "dnszones")}
    _, out, _ = run("demo", "--format", "json")
    db = next(f for f in json.loads(out)["findings"] if f["resource"]["name"] == "orders-db")
    assert db["resource"]["id"] == "arn:aws:rds:eu-central-1:111122223333:db:orders-db"
    assert db["status"] == "compliant", db["reasons"]


@pytest.mark.parametrize(
    "args",
    [
        ("demo", "--output", ""),
        ("audit", "inventory", "{r}", "--evidence", " "),
        ("diff", "{r}", "{r}", "--output", ""),
        ("render", "{r}", "--format", "json", "--output", ""),
        ("guardrails", "{r}", "--output", ""),
    ],
)
def test_an_empty_path_is_a_usage_error(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "r.json"
    run("demo", "--format", "json", "--output", str(report))
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(*(a.format(r=report) for a in args))
    assert code == 2, err
    assert "an empty path" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # nothing written


@pytest.mark.parametrize(
    "args",
    [("audit", "inventory", "a\x00b"), ("demo", "--output", "r\x00.json"), ("verify", "e\x00v")],
)
def test_a_path_with_a_nul_byte_is_a_usage_error(args: tuple[str, ...]) -> None:
    code, _out, err = run(*args)
    assert code == 2, err
    assert "NUL byte" in err and "Traceback" not in err


def test_audit_keeps_cloud_sdk_log_noise_off_stderr(tmp_path: Path) -> None:
    """An SDK's warning (DefaultAzureCredential lists every credential it tried) is not printed
    by logging's last resort: the coverage gap already says what failed."""
    inventory = tmp_path / "inv.csv"
    inventory.write_text("provider,account,service,type,id,region\naws,1,s3,bucket,b,eu-west-1\n")
    script = (
        "import logging, sys\n"
        "from cloudaudit.cli import main\n"
        "try:\n"
        "    main(['audit', 'inventory', sys.argv[1], '--quiet', '--format', 'json'])\n"
        "finally:\n"
        "    logging.getLogger('azure.identity._credentials.default').warning('SDK NOISE')\n"
        "    logging.getLogger('elsewhere').warning('OTHER WARNING')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(inventory)], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "SDK NOISE" not in done.stderr and "OTHER WARNING" in done.stderr
