"""The SARIF log passes Microsoft's SARIF Multitool with GitHub's rules (``Gh;Ghas``).

The Multitool is the npm package ``@microsoft/sarif-multitool`` (a native Linux build ships in
``@microsoft/sarif-multitool-linux``); ``.ci/run`` installs it into ``.ci/node``. Outside CI the
test skips when it is missing; in CI (``CI`` set) a missing validator fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.formats import render
from cloudaudit.formats.sarif import artifact_uri
from cloudaudit.report import Report

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).parent / "sarif" / "github.config.xml"
NATIVE = "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


def _multitool() -> Path:
    candidates = [os.environ.get("SARIF_MULTITOOL", ""), str(ROOT / ".ci" / "node" / NATIVE)]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    if os.environ.get("CI"):
        pytest.fail("SARIF Multitool missing: .ci/run installs @microsoft/sarif-multitool")
    pytest.skip(
        "SARIF Multitool not installed (npm install --prefix .ci/node @microsoft/sarif-multitool)"
    )


def _validate(log: dict[str, Any], tmp_path: Path) -> list[str]:
    tool = _multitool()
    tmp_path.mkdir(exist_ok=True)
    target = tmp_path / "cloudaudit.sarif"
    target.write_text(json.dumps(log, indent=2), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    proc = subprocess.run(
        [str(tool), "validate", "--rule-kind", "Gh;Ghas", "--config", str(CONFIG),
         "--output", str(out), str(target)],
        capture_output=True, text=True, timeout=180, env=env, check=False,
    )  # fmt: skip
    console = proc.stdout + proc.stderr
    assert out.exists(), console
    results = json.loads(out.read_text())["runs"][0].get("results", [])
    errors = [f"{r['ruleId']}: {r['message']}" for r in results if r.get("level") == "error"]
    crashed = re.findall(r"error (ERR\d+\.\w+)", console)
    return errors + crashed


def test_sarif_passes_the_github_rules_of_the_sarif_multitool(
    report: Report, tmp_path: Path
) -> None:
    log = json.loads(render(report, "sarif"))
    assert log["runs"][0]["results"]
    assert _validate(log, tmp_path) == []


def test_the_multitool_catches_what_github_rejects(report: Report, tmp_path: Path) -> None:
    """The check is real: a rule without help and a result without a file location fail it."""
    log = json.loads(render(report, "sarif"))
    del log["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    errors = _validate(log, tmp_path / "no-help")
    assert any(e.startswith("GH2012") for e in errors), errors
    log = json.loads(render(report, "sarif"))
    del log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert _validate(log, tmp_path / "no-file")


def test_pseudo_paths_are_stable_relative_and_encoded(report: Report) -> None:
    for f in report.findings:
        uri = artifact_uri(f.resource)
        assert uri.startswith(f"cloud/{f.resource.provider.value}/")
        assert uri.count("/") == 6, uri
        assert not re.search(r"[<>\"\s]", uri), uri
        assert uri == artifact_uri(f.resource.model_copy())
