"""The SAM template in docs/deploy: cfn-lint clean, scheduled, least privilege."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "docs" / "deploy" / "template.yaml"


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _tag)


def _template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_Loader)


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("cfnlint") is None:
        pytest.skip("cfn-lint is not installed (pip install cfn-lint)")
    code = "import sys; from cfnlint.runner import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )


def test_cfn_lint_passes() -> None:
    result = _lint(TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("AWS::SNS::Topic", "AWS::SNS::Topik"))
    assert _lint(broken).returncode != 0


def test_schedule_handler_and_least_privilege() -> None:
    t = _template()
    fn = t["Resources"]["AuditFunction"]["Properties"]
    assert fn["Handler"] == "cloudaudit.aws_lambda.handler"
    assert fn["Events"]["Daily"]["Type"] == "Schedule"
    statements = {s["Sid"]: s for s in map(_unless, fn["Policies"][0]["Statement"])}
    read = statements["ReadOnlyInventory"]["Action"]
    verbs = ("Get", "List", "Describe", "Search", "SelectAggregateResourceConfig")
    assert all(a.split(":", 1)[1].startswith(verbs) for a in read), read
    provider_policy = ROOT / "cloudaudit" / "providers" / "aws" / "iam_policy.json"
    if provider_policy.exists():
        wanted = json.loads(provider_policy.read_text())["Statement"][0]["Action"]
        # the function must be allowed every read the provider makes, or it audits gaps only
        assert set(wanted) <= set(read), sorted(set(wanted) - set(read))
    org = ("OrganizationList", "AssumeAuditRole")
    writes = [
        a
        for sid, s in statements.items()
        if sid not in ("ReadOnlyInventory", *org)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert sorted(writes) == [
        "events:PutEvents",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "securityhub:BatchImportFindings",
        "sns:Publish",
    ]
    for sid in ("ReportsReadWrite", "Notify", "Events", "SecurityHubImport"):
        assert statements[sid]["Resource"] != "*"


def _unless(statement: Any) -> dict[str, Any]:
    """A statement, or the one a ``!If [condition, statement, !Ref AWS::NoValue]`` holds."""
    return statement[1] if isinstance(statement, list) else statement


def test_organization_reads_are_granted_only_when_asked_and_only_the_role() -> None:
    """An organization audit lists the accounts and assumes one role name; nothing else."""
    t = _template()
    assert t["Parameters"]["OrganizationRoleName"]["Default"] == ""
    fn = t["Resources"]["AuditFunction"]["Properties"]
    conditional = [s for s in fn["Policies"][0]["Statement"] if isinstance(s, list)]
    assert [(s[0], s[2]) for s in conditional] == [("Organization", "AWS::NoValue")] * 2
    listing, assume = (s[1] for s in conditional)
    shipped = json.loads((ROOT / "cloudaudit/providers/aws/org_policy.json").read_text())
    org_reads = {a for a in shipped["Statement"][0]["Action"] if a.startswith("organizations:")}
    assert set(listing["Action"]) == org_reads
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Resource"].endswith(":role/${OrganizationRoleName}")


def test_code_uri_is_the_build_folder_the_docs_fill() -> None:
    """SAM resolves CodeUri from the template's folder; the docs build exactly there."""
    fn = _template()["Resources"]["AuditFunction"]["Properties"]
    code_uri = fn["CodeUri"]
    assert isinstance(code_uri, str), "sam package only uploads a literal local CodeUri"
    built = (TEMPLATE.parent / code_uri).resolve().relative_to(ROOT)
    doc = (ROOT / "docs" / "deploy" / "lambda.md").read_text()
    assert f"--target {built.as_posix()}" in doc
    runtime = fn["Runtime"].removeprefix("python")
    assert f"--python-version {runtime}" in doc
    arch = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
    assert f"--platform {arch[fn['Architectures'][0]]}" in doc and "--only-binary=:all:" in doc


def test_template_and_docs_link_to_pages_that_exist() -> None:
    text = TEMPLATE.read_text() + (ROOT / "docs" / "deploy" / "lambda.md").read_text()
    for link in set(re.findall(r"docs/[\w/.-]+\.md", text)):
        assert (ROOT / link).exists(), link
