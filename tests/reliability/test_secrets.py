"""A canary credential never reaches logs, reports, gap messages or CLI output.

The fake echoes the credential back in error bodies (as some proxies and error pages do), in
the Authorization header it saw, and in a malformed body; every logger runs at DEBUG.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("alibabacloud_ecs20140526")

from alibaba_fake import KEY_ID, FakeAlibaba, Server
from click.testing import CliRunner
from faultkit import Fault, FaultLayer
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.formats import FORMATS, render
from cloudaudit.providers.alibaba import AlibabaProvider

pytestmark = pytest.mark.http

CANARY_SECRET = "canary-secret-7f3a9c1e2b"
CANARY_TOKEN = "canary-sts-token-5d8e0a4b6c"
CANARIES = (CANARY_SECRET, CANARY_TOKEN, KEY_ID)
REGIONS = ["cn-hangzhou", "us-east-1"]
LOGGERS = ("", "urllib3", "alibabacloud", "Tea", "darabonba", "cloudaudit")


def echo(req: Request) -> Response:
    """An error body that repeats every credential the caller might hold."""
    message = (
        f"SignatureDoesNotMatch: secret {CANARY_SECRET} token {CANARY_TOKEN} "
        f"key {KEY_ID}; you sent Authorization: {req.headers.get('Authorization', '')}"
    )
    body = {"RequestId": "x", "Code": "SignatureDoesNotMatch", "Message": message}
    return Response(json.dumps(body), 400, content_type="application/json")


def echo_disks(req: Request, body: bytes) -> bytes:
    return body[:20] + f" {CANARY_SECRET} {KEY_ID}".encode()


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    fake = FakeAlibaba(regions=list(REGIONS))
    fake.add("DescribeInstances", "us-east-1", {"InstanceId": "i-1", "RegionId": "us-east-1"})

    def wrap(app: Any) -> FaultLayer:
        layer = FaultLayer(app)
        act = lambda kind: lambda r: r.headers.get("x-acs-action") == kind  # noqa: E731
        layer.add(Fault(act("DescribeInstances"), "respond", echo))
        layer.add(Fault(act("DescribeDisks"), "rewrite", rewrite=echo_disks))
        layer.add(Fault(act("DescribeDBInstances"), "reset"))
        return layer

    with Server(fake, wrap=wrap) as srv:
        yield srv.url


def assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary[:12]}... leaked into {where}"


def test_api_reports_logs_and_gaps_hold_no_credential(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    provider = AlibabaProvider(
        KEY_ID, CANARY_SECRET, CANARY_TOKEN, regions=REGIONS, endpoint=url, read_timeout=2.0
    )
    assert CANARY_SECRET not in repr(provider)
    report = audit(provider, "ofac-embargoed")
    assert {g.code for g in report.coverage.gaps} >= {"SignatureDoesNotMatch"}
    for fmt in FORMATS:
        assert_clean(render(report, fmt), f"the {fmt} report")
    assert_clean(report.to_json(), "the JSON report")
    assert_clean(caplog.text, "the logs")


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_output_holds_no_credential(
    url: str,
    fmt: str,
    quiet: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from alibabacloud_credentials.utils import auth_util

    for name in LOGGERS:  # every logger at DEBUG; caplog restores the levels
        caplog.set_level(logging.DEBUG, logger=name)

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", None)
    for env, attr, value in (
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "environment_access_key_id", KEY_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "environment_access_key_secret", CANARY_SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "environment_security_token", CANARY_TOKEN),
    ):
        monkeypatch.setenv(env, value)
        monkeypatch.setattr(auth_util, attr, value)
    args = ["audit", "alibaba", "--endpoint", url, "--format", fmt, "--fail-on", "never"]
    for region in REGIONS:
        args += ["--region", region]
    result = CliRunner().invoke(main, [*args, *quiet])
    # every call is refused (SignatureDoesNotMatch): credentials refused is exit 3
    assert result.exit_code == 3, result.output
    if fmt not in ("csv", "ocsf", "dora-roi"):  # one row per finding, no gaps
        assert "SignatureDoesNotMatch" in result.output
    assert_clean(result.output, f"CLI output ({fmt} {quiet})")
    assert_clean(caplog.text, f"the DEBUG logs ({fmt} {quiet})")
    assert_clean(repr(result.exception), "the CLI exception")
