"""Canary credentials never reach the CLI's stdout, stderr or logs, in any format, quiet or not.

``cloudaudit audit aws|azure|gcp`` runs through click with canary credentials taken from
where a user would put them (the AWS environment variables, the Azure test token, a GCP
Application Default Credentials file). The fakes answer some calls with an error that repeats
the Authorization and token headers they received and the canaries themselves; every logger
runs at DEBUG and its records are captured too.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from faultkit import Fault, FaultLayer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cloudaudit.cli import main
from cloudaudit.formats import FORMATS

pytestmark = pytest.mark.http

AWS_KEY_ID = "AKIACANARYC11E2E4A6B"
AWS_SECRET = "canary-cli-aws-secret-5e7a9c1b3d"
AWS_TOKEN = "canary-cli-aws-session-token-8f0b2d4c6e"
AZURE_TOKEN = "canary-cli-azure-bearer-3b5d7f9a1c"
GCP_TOKEN = "ya29.canary-cli-gcp-access-6d8f0a2c4e"
GCP_REFRESH = "canary-cli-gcp-refresh-7e9a1c3e5b"
GCP_CLIENT_SECRET = "canary-cli-gcp-client-secret-0c2e4a6b8d"
LOGGERS = ("", "botocore", "boto3", "urllib3", "azure", "google", "google.auth", "cloudaudit")
_CRED = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")
QUIET = pytest.mark.parametrize("quiet", [False, True], ids=["loud", "quiet"])
FORMAT = pytest.mark.parametrize("fmt", FORMATS)
# csv, csv-excel, ocsf and dora-roi do not print gap codes: there the echo is shown sent and
# answered (dora-roi: location columns only)
SHOWS_GAPS = frozenset(FORMATS) - {"csv", "csv-excel", "ocsf", "dora-roi"}


def aws_xml(req: Request, message: str) -> str:
    """An AccessDenied error in the request's XML protocol (EC2, S3 or query)."""
    error = f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    scope = req.headers.get("Authorization", "")
    if "/ec2/aws4_request" in scope:
        return f"<Response><Errors>{error}</Errors><RequestID>echo</RequestID></Response>"
    if "/s3/aws4_request" in scope:
        return error
    return f"<ErrorResponse>{error}<RequestId>echo</RequestId></ErrorResponse>"


def echo(*secrets: str) -> Any:
    """An error that repeats every credential header the caller sent, and the secrets."""

    def respond(req: Request) -> Response:
        seen = {k: v for k, v in req.headers.items() if k.lower().startswith(("auth", "x-amz"))}
        message = f"denied; you sent {seen}; known secrets {' '.join(secrets)}"
        if "x-amz-date" in req.headers:  # case-insensitive
            return Response(aws_xml(req, message), 403, content_type="text/xml")
        if "/subscriptions" in req.path:
            body: dict[str, Any] = {"error": {"code": "AuthorizationFailed", "message": message}}
        else:
            body = {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}}
        return Response(json.dumps(body), 403, content_type="application/json")

    return respond


@dataclass
class Run:
    """What one CLI run showed: stdout, stderr and every log record."""

    exit_code: int
    stdout: str
    stderr: str
    logs: str

    def assert_clean(self, canaries: tuple[str, ...]) -> None:
        for where, text in (("stdout", self.stdout), ("stderr", self.stderr), ("logs", self.logs)):
            for canary in canaries:
                assert canary not in text, f"{canary[:16]}... leaked into {where}"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def invoke(
    caplog: pytest.LogCaptureFixture, args: list[str], env: dict[str, str], fmt: str, quiet: bool
) -> Run:
    caplog.clear()
    argv = ["audit", *args, "--policy", "eea-only", "--format", fmt]
    argv += ["--quiet"] if quiet else []
    result = CliRunner().invoke(main, argv, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code != 2, result.output  # a usage error would test nothing
    return Run(result.exit_code, result.stdout, result.stderr, caplog.text)


def serve(app: Any) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join()


# ----- AWS: moto over HTTP; S3 and RDS echo the credentials back ----------------------------


def _aws_service(req: Request) -> str:
    m = _CRED.search(req.headers.get("Authorization", ""))
    return m.group(2) if m else ""


@pytest.fixture(scope="module")
def aws_echo() -> Iterator[tuple[str, FaultLayer, list[str]]]:
    pytest.importorskip("boto3")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    sent: list[str] = []

    def record(req: Request) -> bool:
        sent.append(" ".join(f"{k}: {v}" for k, v in req.headers.items()))
        return _aws_service(req) in ("s3", "rds")

    layer = FaultLayer(DomainDispatcherApplication(create_backend_app))
    layer.add(Fault(record, "respond", echo(AWS_KEY_ID, AWS_SECRET, AWS_TOKEN)))
    for url in serve(layer):
        yield url, layer, sent


@QUIET
@FORMAT
def test_aws_cli_canaries(
    aws_echo: tuple[str, FaultLayer, list[str]],
    debug_logs: pytest.LogCaptureFixture,
    fmt: str,
    quiet: bool,
) -> None:
    url, layer, sent = aws_echo
    env = {
        "AWS_ACCESS_KEY_ID": AWS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "AWS_SESSION_TOKEN": AWS_TOKEN,
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    acted = layer.faults[0].acted
    sent.clear()
    args = ["aws", "--regions", "us-east-1", "--services", "s3,rds,ec2", "--max-workers", "2"]
    run = invoke(debug_logs, args, env, fmt, quiet)
    # the canaries went out (signed with the key, token in a header) and were echoed back
    assert layer.faults[0].acted >= acted + 2
    assert any(AWS_KEY_ID in h and AWS_TOKEN in h for h in sent)
    if fmt in SHOWS_GAPS:
        assert "AccessDenied" in run.stdout + run.stderr  # the echoed errors became gaps
    run.assert_clean((AWS_KEY_ID, AWS_SECRET, AWS_TOKEN))


# ----- Azure: the fake tenant over HTTPS with the static test token ------------------------


@pytest.fixture(scope="module")
def azure_echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, FaultLayer]]:
    pytest.importorskip("azure.mgmt.resource")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "providers" / "azure"))
    from azure_fake import FakeARM
    from azure_tenant import PROD, build_tenant

    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        # the subscription's resources are refused, with the token echoed back
        match = lambda req: req.path.startswith(f"/subscriptions/{PROD}/")  # noqa: E731
        layers[0].add(Fault(match, "respond", echo(AZURE_TOKEN)))
        return layers[0]

    with FakeARM(build_tenant(), tmp_path_factory.mktemp("arm"), wrap=wrap) as fake:
        yield fake, layers[0]


@QUIET
@FORMAT
def test_azure_cli_canaries(
    azure_echo: tuple[Any, FaultLayer], debug_logs: pytest.LogCaptureFixture, fmt: str, quiet: bool
) -> None:
    from azure_tenant import CHINA, PROD

    from cloudaudit.cli.azure import CA_BUNDLE_ENV, TEST_TOKEN_ENV

    fake, layer = azure_echo
    acted = layer.faults[0].acted
    env = {CA_BUNDLE_ENV: fake.ca_file, TEST_TOKEN_ENV: AZURE_TOKEN}
    args = ["azure", "--arm-endpoint", fake.url, "--subscription", PROD, "--subscription", CHINA]
    args += ["--no-resource-graph", "--max-workers", "2"]
    run = invoke(debug_logs, args, env, fmt, quiet)
    assert layer.faults[0].acted > acted
    if fmt in SHOWS_GAPS:
        assert "AuthorizationFailed" in run.stdout + run.stderr
    run.assert_clean((AZURE_TOKEN,))


# ----- GCP: Application Default Credentials from a file, refreshed at a local token URI -----


@pytest.fixture(scope="module")
def gcp_echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, FaultLayer]]:
    pytest.importorskip("google.cloud.asset_v1")

    def token(req: Request) -> Response:
        if req.form.get("refresh_token") != GCP_REFRESH:
            return Response(json.dumps({"error": "invalid_grant"}), 400)
        body = {"access_token": GCP_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
        return Response(json.dumps(body), content_type="application/json")

    layer = FaultLayer(lambda environ, start: token(Request(environ))(environ, start))
    api = lambda req: req.path != "/token"  # noqa: E731
    layer.add(Fault(api, "respond", echo(GCP_TOKEN, GCP_REFRESH, GCP_CLIENT_SECRET)))
    for url in serve(layer):
        adc = tmp_path_factory.mktemp("adc") / "adc.json"
        adc.write_text(
            json.dumps(
                {
                    # google-auth always refreshes an "authorized_user" file at Google's
                    # token URI; this type takes its token URL from the file.
                    "type": "external_account_authorized_user",
                    # Not a workforce-pool audience: google-auth then skips its background
                    # "regional access boundary" lookup, which would reach out to Google.
                    "audience": "//iam.example.test/cloudaudit-canary-audience",
                    "client_id": "cloudaudit-test",
                    "client_secret": GCP_CLIENT_SECRET,
                    "refresh_token": GCP_REFRESH,
                    "token_url": f"{url}/token",
                }
            )
        )
        yield url, adc, layer


@QUIET
@FORMAT
def test_gcp_cli_canaries(
    gcp_echo: tuple[str, Path, FaultLayer],
    debug_logs: pytest.LogCaptureFixture,
    fmt: str,
    quiet: bool,
) -> None:
    url, adc, layer = gcp_echo
    acted = layer.faults[0].acted
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(adc),
        "CLOUDAUDIT_GCP_API_ENDPOINT": url,
        "GOOGLE_CLOUD_PROJECT": "p-canary",
        "CLOUDSDK_CONFIG": str(adc.parent),  # no gcloud configuration of this machine
    }
    run = invoke(
        debug_logs, ["gcp", "--project", "p-canary", "--max-workers", "2"], env, fmt, quiet
    )
    # the token came from the token URI and went out as a bearer token, echoed back
    assert layer.faults[0].acted > acted
    assert any(path.startswith("/token") for _, path in layer.log)
    if fmt in SHOWS_GAPS:
        assert "PermissionDenied" in run.stdout + run.stderr or "403" in run.stdout
    run.assert_clean((GCP_TOKEN, GCP_REFRESH, GCP_CLIENT_SECRET))
