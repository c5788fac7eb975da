"""The CLI through click's CliRunner: formats, --output, --fail-on, --quiet, diff, completion."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.cli._common import (
    EXIT_CONFIG,
    EXIT_FAIL,
    EXIT_OK,
    FORMATS,
    audit_options,
    config_errors,
    exit_code,
    resolve_policy,
    run_and_emit,
)
from cloudaudit.cli._render import AuditProgress
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, prog_name="cloudaudit")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_every_format(fmt: str) -> None:
    code, out, err = run("demo", "--format", fmt)
    assert code == EXIT_OK, err
    if fmt in ("json", "sarif", "ocsf", "asff"):
        doc = json.loads(out)
        assert doc
    elif fmt == "jsonl":
        *rows, summary = [json.loads(x) for x in out.splitlines()]
        assert summary["record"] == "summary" and summary["gaps"] == 2
        assert [r.get("record") for r in rows] == [None] * 21 + ["guardrail"] * 3
    elif fmt in ("csv", "csv-excel"):
        rows = list(csv.DictReader(io.StringIO(out)))
        statuses = [r["status"] for r in rows]
        assert len([s for s in statuses if s != "gap" and not s.startswith("guardrail-")]) == 21
        assert statuses.count("gap") == 2  # coverage gaps are rows too
        assert [s for s in statuses if s.startswith("guardrail-")] == [
            "guardrail-permits_restricted",
            "guardrail-resource_outside",
            "guardrail-no_guardrail",
        ]
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "</html>" in out
    elif fmt == "markdown":
        assert out.startswith("# cloudaudit report")
    elif fmt == "dora-roi":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all(r["c0140"] == "eba_BT:x28" for r in rows)
    else:
        assert "Coverage gaps" in out


def test_output_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    code, out, err = run("demo", "--format", "sarif", "--output", str(target))
    assert code == EXIT_OK
    assert out == ""
    assert "report written to" in err
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]  # no partial file left


def test_output_into_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    code, _, err = run("demo", "--output", str(tmp_path / "nope" / "r.json"))
    assert code == EXIT_CONFIG
    assert "cannot write" in err


def test_quiet_silences_stderr(tmp_path: Path) -> None:
    code, _, err = run("demo", "-q", "--format", "json", "--output", str(tmp_path / "r.json"))
    assert code == EXIT_OK
    assert err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), EXIT_OK),
        (("--fail-on", "violation"), EXIT_FAIL),
        (("--fail-on", "unknown"), EXIT_FAIL),
        (("--fail-on", "gap"), EXIT_FAIL),
        (("--fail-on", "never"), EXIT_OK),
    ],
)
def test_demo_fail_on(args: tuple[str, ...], expected: int) -> None:
    code, _, _ = run("demo", "--format", "json", *args)
    assert code == expected


def test_bad_fail_on_value_is_a_usage_error() -> None:
    code, _, err = run("demo", "--fail-on", "sometimes")
    assert code == 2
    assert "sometimes" in err


def _clean() -> Report:
    return audit(FakeProvider([make_resource("aws", "eu-central-1")]), "us-foreign-adversaries")


def test_exit_code_conditions() -> None:
    clean = _clean()
    assert exit_code(clean, ("violation", "unknown", "gap")) == EXIT_OK
    unknown = audit(FakeProvider([make_resource("aws", "xx-nowhere-1")]), "us-foreign-adversaries")
    assert unknown.summary.unknown == 1
    assert exit_code(unknown, ("violation",)) == EXIT_OK
    assert exit_code(unknown, ("unknown",)) == EXIT_FAIL
    partial = FakeProvider(
        [make_resource("aws", "eu-central-1")],
        gaps=[("aws/1/me-south-1/*", "OptInRequired", "region not enabled")],
    )
    gap = audit(partial, "us-foreign-adversaries")
    assert exit_code(gap, ("violation", "unknown")) == EXIT_OK
    assert exit_code(gap, ("gap",)) == EXIT_FAIL
    # a provider that audited nothing is exit 3 whatever --fail-on says
    blind = audit(FakeProvider(fail_with=PermissionError("denied")), "us-foreign-adversaries")
    assert exit_code(blind, ("never",)) == exit_code(blind, ("gap",)) == 3


# A provider command written as the provider engineers write theirs: audit_options gives it
# --fail-on and --quiet as parameters, which it passes on to run_and_emit (no hidden state).
def _provider_command(resources: list[object]) -> click.Command:
    @click.command()
    @audit_options
    @config_errors
    def command(policy: str, policy_options: tuple[str, ...], **run: Any) -> None:
        # like the provider commands: the shared options travel as **run, so an option added
        # to audit_options later reaches the command without a change here
        pol = resolve_policy(policy, policy_options)
        provider = FakeProvider(resources, name="aws")  # type: ignore[arg-type]
        workers, evidence = run["max_workers"], run["evidence"]
        run_and_emit(
            lambda: audit(provider, pol, max_workers=workers, evidence=evidence),
            run["fmt"],
            run["output"],
            fail_on=run["fail_on"],
            quiet=run["quiet"],
        )

    return command


def test_provider_commands_get_the_new_options_without_changes(tmp_path: Path) -> None:
    bad = _provider_command([make_resource("aws", "ap-east-1")])
    runner = CliRunner()
    assert runner.invoke(bad, ["--format", "csv"]).exit_code == EXIT_FAIL
    assert runner.invoke(bad, ["--fail-on", "never"]).exit_code == EXIT_OK
    res = runner.invoke(bad, ["-q", "--format", "ocsf", "--output", str(tmp_path / "o.json")])
    assert res.exit_code == EXIT_FAIL
    assert res.stderr == ""
    assert json.loads((tmp_path / "o.json").read_text())[0]["class_uid"] == 2003
    unknown = _provider_command([make_resource("aws", "xx-nowhere-1")])
    assert runner.invoke(unknown, []).exit_code == EXIT_OK
    assert runner.invoke(unknown, ["--fail-on", "unknown"]).exit_code == EXIT_FAIL
    assert runner.invoke(unknown, ["--policy", "nope"]).exit_code == EXIT_CONFIG


def test_run_and_emit_passes_a_progress_callback() -> None:
    seen: list[object] = []

    @click.command()
    def cmd() -> None:
        def make(progress: Callable[..., None] | None = None) -> Report:
            seen.append(progress)
            return audit(list(demo_providers()), demo_policy(), progress=progress)

        run_and_emit(make, "json", None, progress=True, fail_on=("never",))

    result = CliRunner().invoke(cmd, [])
    assert result.exit_code == EXIT_OK
    assert isinstance(seen[0], AuditProgress)
    assert json.loads(result.stdout)["summary"]["total"] == 21


def test_progress_bar_counts_every_unit() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    with AuditProgress(console) as bar:
        audit(list(demo_providers()), demo_policy(), progress=bar)
        snap = bar.snapshot()
    assert set(snap) == {"aws", "alibaba", "gcp", "azure"}
    assert all(done == total == 1 for done, total in snap.values())
    assert "aws" in buf.getvalue()


def test_progress_adds_up_successive_fanout_runs() -> None:
    from cloudaudit.providers import Scope

    console = Console(file=io.StringIO(), force_terminal=True)
    with AuditProgress(console) as bar:
        for done in (1, 2):
            bar(done, 2, Scope("aws"))  # discovery: 2 units
        for done in (1, 2, 3):
            bar(done, 3, Scope("aws"))  # then 3 regional units
        assert bar.snapshot() == {"aws": (5, 5)}


# --- diff --------------------------------------------------------------------------------------


def _write(path: Path, report: Report) -> Path:
    path.write_text(report.to_json())
    return path


def test_diff_reports_new_violations_and_exits_1(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.json", _clean())
    worse = audit(
        FakeProvider(
            [make_resource("aws", "eu-central-1"), make_resource("aws", "ap-east-1", name="hk")]
        ),
        "us-foreign-adversaries",
    )
    new = _write(tmp_path / "new.json", worse)
    code, out, _ = run("diff", str(old), str(new))
    assert code == EXIT_FAIL
    assert "new violations: 1" in out
    assert "hk" in out
    code, out, _ = run("diff", str(new), str(old), "--format", "json")
    assert code == EXIT_OK
    doc = json.loads(out)
    assert len(doc["removed"]) == 1 and doc["new_violations"] == []


def test_diff_of_identical_reports(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", _clean())
    code, out, _ = run("diff", str(a), str(a))
    assert code == EXIT_OK
    assert "no change" in out


def test_diff_rejects_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", _clean())
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    code, _, err = run("diff", str(a), str(junk))
    assert code == EXIT_CONFIG
    assert "not a cloudaudit JSON report" in err
    code, _, _ = run("diff", str(a), str(tmp_path / "missing.json"))
    assert code == 2


# --- completion and policies -------------------------------------------------------------------


def test_shell_completion_script_and_policy_names() -> None:
    code, out, _ = run(env={"_CLOUDAUDIT_COMPLETE": "bash_source"})
    assert code == 0
    assert "_CLOUDAUDIT_COMPLETE=bash_complete" in out
    env = {
        "_CLOUDAUDIT_COMPLETE": "bash_complete",
        "COMP_WORDS": "cloudaudit demo --policy eu",
        "COMP_CWORD": "3",
    }
    code, out, _ = run(env=env)
    assert code == 0
    names = [line.split(",", 1)[1] for line in out.splitlines()]
    assert set(names) == {"eu-gdpr"}


def test_policies_show_is_kept() -> None:
    code, out, _ = run("policies", "show", "us-foreign-adversaries")
    assert code == 0
    assert "15 CFR 791.4" in out
