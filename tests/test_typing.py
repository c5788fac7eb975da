"""AWS clients are typed with boto3-stubs for mypy, and the stubs stay out of the run time.

``AwsContext.client("s3")`` is an ``S3Client`` to mypy (``providers/aws/_client_types.py``):
a misspelt operation, argument or paginator name fails ``mypy --strict``, which the first test
shows on a snippet (mypy runs in process and reuses the project's cache, so it is fast after a
``mypy`` run; cold it takes 10-20 s, hence ``slow``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SNIPPET = textwrap.dedent(
    """\
    from cloudaudit.providers.aws._base import AwsContext
    from cloudaudit.providers.aws._clients import ClientCache
    from cloudaudit.providers.aws._org_tasks import _Base


    def calls(ctx: AwsContext, cache: ClientCache, base: _Base) -> None:
        ctx.client("s3").get_bucket_location(Bucket="b")
        ctx.client("s3").get_bucket_locaton(Bucket="b")
        ctx.client("s3").get_bucket_location(Bukket="b")
        ctx.client_in("s3", "eu-west-1").get_bucket_replication(Bucket="b")
        ctx.client("ec2").get_paginator("describe_instancez")
        ctx.client("ec2").get_paginator("describe_volumes").paginate(OwnerIdz=["self"])
        ctx.client("s4")
        cache.get("s3", "eu-west-1").get_bucket_location(Bucket="b")
        cache.get("s3", "eu-west-1").get_bucket_locaton(Bucket="b")
        cache.for_region("eu-west-1")("ec2").describe_instancez()
        cache.for_region("eu-west-1")("kms").list_keys(Limitt=5)
        cache.get("s4", "eu-west-1")
        base.own("sts", "us-east-1", None).get_caller_identiti()
    """
)

# line of the snippet -> what mypy must say about it (the three correct calls: nothing)
EXPECTED = {
    8: '"S3Client" has no attribute "get_bucket_locaton"',
    9: 'Unexpected keyword argument "Bukket"',
    11: 'No overload variant of "get_paginator" of "EC2Client"',
    12: 'Unexpected keyword argument "OwnerIdz"',
    13: 'No overload variant of "__call__" of "ServiceClient"',
    15: '"S3Client" has no attribute "get_bucket_locaton"',
    16: '"EC2Client" has no attribute "describe_instancez"',
    17: 'Unexpected keyword argument "Limitt"',
    18: 'No overload variant of "__call__" of "ServiceClientIn"',
    19: '"STSClient" has no attribute "get_caller_identiti"',
}


@pytest.mark.slow
def test_mypy_catches_a_misspelt_aws_call(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    pytest.importorskip("mypy_boto3_s3")
    pytest.importorskip("mypy_boto3_ec2")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    out, err, _status = api.run(
        ["--strict", "--no-error-summary", "--hide-error-context", str(snippet)]
    )
    errors: dict[int, list[str]] = {}
    for line in out.splitlines():
        path, _, rest = line.partition(".py:")
        if not path.endswith("snippet") or ": error: " not in rest:
            continue
        number, _, message = rest.partition(": error: ")
        errors.setdefault(int(number), []).append(message)
    assert sorted(errors) == sorted(EXPECTED), (out, err)
    for number, needle in EXPECTED.items():
        assert any(needle in m for m in errors[number]), (number, errors[number])


def test_service_modules_import_no_stubs() -> None:
    code = (
        "import sys\n"
        "import cloudaudit.providers.aws\n"
        "import cloudaudit.providers.aws.services as s\n"
        "from cloudaudit.providers.aws import _client_types\n"
        "assert list(s.all_collectors())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mypy_boto3', 'botocore-stubs'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def _typed_services() -> set[str]:
    import re
    import typing

    from cloudaudit.providers.aws import _client_types as types

    out = []
    for protocol in (types.ServiceClient, types.ServiceClientIn, types.ServiceClientWith):
        names = set()
        for overload in typing.get_overloads(protocol.__call__):
            (name,) = re.findall(
                r"Literal\[['\"]([a-z0-9-]+)['\"]\]", overload.__annotations__["service"]
            )
            names.add(name)
        out.append(names)
    assert out[0] == out[1] == out[2], "the protocols name the same services"
    return out[0]


def _stub_list(pyproject: Path) -> set[str]:
    import tomllib

    dev = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    (stubs,) = [d for d in dev["dev"] if d.startswith("boto3-stubs[")]
    return set(stubs[len("boto3-stubs[") : stubs.index("]")].split(","))


def test_typed_services_are_the_declared_ones() -> None:
    from cloudaudit.providers.aws.services import PROVIDER_SERVICES, all_collectors

    declared = {c.service for c in all_collectors()} | set(PROVIDER_SERVICES)
    assert _typed_services() == declared
    listed = _stub_list(ROOT / "pyproject.toml")
    assert declared <= listed
    assert {"events", "securityhub"} <= listed  # imported by the Lambda's notifications


FAKE_SERVICE = textwrap.dedent(
    """\
    from cloudaudit.providers.aws._base import AwsContext, Collector, declare


    def collect_workgroups(ctx: AwsContext) -> list:
        return []


    COLLECTORS = (
        Collector(
            "athena",
            "workgroups",
            collect_workgroups,
            actions=("athena:ListWorkGroups",),
            copies=declare("athena", "workgroup", note="query results stay where it writes them"),
        ),
    )
    """
)

GENERATE = (
    "import generate\n"
    "del generate.TARGETS['docs/reliability.md']  # reads tests/, not the collectors\n"
    "assert generate.main([]) == 0 and generate.main(['--check']) == 0\n"
)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_new_service_module_is_the_only_hand_edit(tmp_path: Path) -> None:
    """In a copy of the repository, a new service module and ``generate.py`` are enough.

    Its collector's copy declaration reaches the copy model (``copymodel/aws.json``) and
    ``docs/copies.md``; the typing, the IAM policy and the docs follow its other declarations.
    """
    pytest.importorskip("mypy_boto3_s3")
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("cloudaudit", "scripts", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{tmp_path / 'scripts'}"}

    def generate() -> None:
        run = [sys.executable, "-c", GENERATE]
        subprocess.run(run, cwd=tmp_path, env=env, check=True, capture_output=True)

    before = _tree(tmp_path)
    generate()  # the copy as it is: nothing to rewrite
    assert _tree(tmp_path) == before
    module = "cloudaudit/providers/aws/services/athena.py"
    (tmp_path / module).write_text(FAKE_SERVICE, encoding="utf-8")
    generate()
    after = _tree(tmp_path)
    changed = sorted(p for p in after if p != module and after[p] != before.get(p))
    assert changed == [
        "cloudaudit/copymodel/aws.json",
        "cloudaudit/providers/aws/_client_types.py",
        "cloudaudit/providers/aws/iam_policy.json",
        "docs/copies.md",
        "docs/deploy/template.yaml",
        "docs/providers/aws.md",
        "pyproject.toml",
    ]
    types = after["cloudaudit/providers/aws/_client_types.py"].decode()
    assert "from mypy_boto3_athena import AthenaClient" in types
    assert types.count('Literal["athena"]') == 3
    assert "athena" in _stub_list(tmp_path / "pyproject.toml")
    assert b"athena:ListWorkGroups" in after["cloudaudit/providers/aws/iam_policy.json"]
    assert b"`athena`" in after["docs/providers/aws.md"]  # the services option's names
    assert b"| `athena` / `workgroup` | none: query results stay" in after["docs/copies.md"]
    names = (
        "from cloudaudit.providers.aws import SERVICE_NAMES\n"
        "from cloudaudit.copymodel import declaration\n"
        "print('athena' in SERVICE_NAMES, declaration('aws', 'athena', 'workgroup') is not None)"
    )
    run = [sys.executable, "-c", names]
    out = subprocess.run(run, cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "True True"  # the copy model of the copy declares it
