"""AWS clients are typed with boto3-stubs for mypy, and the stubs stay out of the run time.

``AwsContext.client("s3")`` is an ``S3Client`` to mypy (``providers/aws/_client_types.py``):
a misspelt operation, argument or paginator name fails ``mypy --strict``, which the first test
shows on a snippet (mypy runs in process and reuses the project's cache, so it is fast after a
``mypy`` run; cold it takes 10-20 s, hence ``slow``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SNIPPET = textwrap.dedent(
    """\
    from cloudaudit.providers.aws._base import AwsContext


    def calls(ctx: AwsContext) -> None:
        ctx.client("s3").get_bucket_location(Bucket="b")
        ctx.client("s3").get_bucket_locaton(Bucket="b")
        ctx.client("s3").get_bucket_location(Bukket="b")
        ctx.client_in("s3", "eu-west-1").get_bucket_replication(Bucket="b")
        ctx.client("ec2").get_paginator("describe_instancez")
        ctx.client("ec2").get_paginator("describe_volumes").paginate(OwnerIdz=["self"])
        ctx.client("s4")
    """
)

# line of the snippet -> what mypy must say about it (the two correct calls: nothing)
EXPECTED = {
    6: '"S3Client" has no attribute "get_bucket_locaton"',
    7: 'Unexpected keyword argument "Bukket"',
    9: 'No overload variant of "get_paginator" of "EC2Client"',
    10: 'Unexpected keyword argument "OwnerIdz"',
    11: 'No overload variant of "__call__" of "ServiceClient"',
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

    from cloudaudit.providers.aws._client_types import ServiceClient, ServiceClientIn

    out = []
    for protocol in (ServiceClient, ServiceClientIn):
        names = set()
        for overload in typing.get_overloads(protocol.__call__):
            (name,) = re.findall(
                r"Literal\[['\"]([a-z0-9-]+)['\"]\]", overload.__annotations__["service"]
            )
            names.add(name)
        out.append(names)
    assert out[0] == out[1], "ServiceClient and ServiceClientIn name the same services"
    return out[0]


def test_every_collector_service_has_a_typed_client() -> None:
    import tomllib

    from cloudaudit.providers.aws.services import all_collectors

    typed = _typed_services()
    used = {c.service for c in all_collectors()}
    assert used <= typed, f"add to providers/aws/_client_types.py: {sorted(used - typed)}"
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    dev = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    (stubs,) = [d for d in dev["dev"] if d.startswith("boto3-stubs[")]
    listed = set(stubs[len("boto3-stubs[") : stubs.index("]")].split(","))
    essential = {"cloudformation", "dynamodb", "ec2", "lambda", "rds", "s3", "sqs"}
    missing = typed - listed - essential
    assert not missing, f"add to the dev extra's boto3-stubs[...]: {sorted(missing)}"
