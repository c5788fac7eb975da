"""Shared AWS fixtures: fake credentials, in-process moto, and moto over real HTTP.

The HTTP tier runs moto's own WSGI app behind :class:`FaultMiddleware`, which can refuse
every request signed for a region (a region that is not opted in), deny one service in one
region, throttle, or add latency, and which logs every request it sees.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import requests
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

_CRED = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")
_EC2_STYLE = {"ec2"}
_REST_XML = {"s3"}


@dataclass(frozen=True)
class Rule:
    """Answer requests matching (service, region, operation) with an AWS error."""

    code: str
    message: str
    service: str | None = None
    region: str | None = None
    operation: str | None = None
    status: int = 403
    times: int | None = None  # None: forever


@dataclass
class FaultMiddleware:
    """WSGI middleware around moto: error rules, latency, and a log of every request."""

    app: Callable[..., Any]
    rules: list[Rule] = field(default_factory=list)
    left: dict[int, int] = field(default_factory=dict)
    log: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list[tuple[str, Callable[[str], tuple[int, Any]]]] = field(default_factory=list)
    operations: dict[str, Callable[[str, Any], tuple[int, Any]]] = field(default_factory=dict)

    def reset(self) -> None:
        with self.lock:
            self.rules.clear()
            self.left.clear()
            self.log.clear()
            self.answers.clear()
            self.operations.clear()

    def answer(self, path_suffix: str, respond: Callable[[str], tuple[int, Any]]) -> None:
        """Serve a JSON API moto lacks: ``respond(region) -> (status, body)`` for the path.

        Used for operations moto does not implement, with bodies in the documented response
        shape, so that the real client parses them over HTTP as it would AWS's.
        """
        with self.lock:
            self.answers.append((path_suffix, respond))

    def answer_operation(
        self, operation: str, respond: Callable[[str, Any], tuple[int, Any]]
    ) -> None:
        """Serve a JSON-protocol operation moto lacks: ``respond(region, body)``.

        ``body`` is the request's parsed JSON; the answer is ``(status, payload)`` in the
        documented response shape.
        """
        with self.lock:
            self.operations[operation] = respond

    def add(self, rule: Rule) -> None:
        with self.lock:
            self.rules.append(rule)
            if rule.times is not None:
                self.left[id(rule)] = rule.times

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        req = Request(environ)
        body = req.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        match = _CRED.search(req.headers.get("Authorization", ""))
        region, service = (match.group(1), match.group(2)) if match else ("", "")
        op = _operation(req, body, service)
        with self.lock:
            self.log.append((service, region, op))
            rule = self._match(service, region, op)
            answers = [fn for suffix, fn in self.answers if req.path.endswith(suffix)]
            by_op = self.operations.get(op)
        if rule is None and by_op is not None:
            status, payload = by_op(region, json.loads(body or b"{}"))
            resp = Response(json.dumps(payload), status, content_type="application/x-amz-json-1.1")
            return resp(environ, start_response)
        if rule is None and answers:
            status, payload = answers[0](region)
            headers = {"x-amzn-ErrorType": payload["__type"]} if status >= 400 else {}
            resp = Response(json.dumps(payload), status, headers, content_type="application/json")
            return resp(environ, start_response)
        if rule is None:
            return self.app(environ, start_response)
        return _error(rule, service, req)(environ, start_response)

    def _match(self, service: str, region: str, op: str) -> Rule | None:
        for rule in self.rules:
            if rule.service not in (None, service) or rule.region not in (None, region):
                continue
            if rule.operation not in (None, op):
                continue
            if rule.times is not None:
                if self.left.get(id(rule), 0) <= 0:
                    continue
                self.left[id(rule)] -= 1
            return rule
        return None


def _operation(req: Request, body: bytes, service: str) -> str:
    target = req.headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    action = req.args.get("Action")
    if action is None and body and b"Action=" in body:
        action = dict(
            p.split("=", 1) for p in body.decode(errors="replace").split("&") if "=" in p
        ).get("Action")
    if action:
        return action
    return f"{req.method} {req.path}?{'&'.join(sorted(req.args))}"


def _error(rule: Rule, service: str, req: Request) -> Response:
    if req.headers.get("X-Amz-Target") or "json" in req.headers.get("Content-Type", ""):
        payload = json.dumps({"__type": rule.code, "message": rule.message})
        return Response(payload, status=rule.status, content_type="application/x-amz-json-1.1")
    if service in _EC2_STYLE:
        xml = (
            f"<Response><Errors><Error><Code>{rule.code}</Code><Message>{rule.message}"
            "</Message></Error></Errors><RequestID>fault</RequestID></Response>"
        )
    elif service in _REST_XML:
        xml = f"<Error><Code>{rule.code}</Code><Message>{rule.message}</Message></Error>"
    else:
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{rule.code}</Code><Message>"
            f"{rule.message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
    return Response(xml, status=rule.status, content_type="text/xml")


class FaultyMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app is wrapped in a :class:`FaultMiddleware`."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.faults = FaultMiddleware(DomainDispatcherApplication(create_backend_app))

    def _server_entry(self) -> None:
        self._server = make_server(
            self._ip_address, self._port, self.faults, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, no profile or endpoint from the machine, no default AMIs, no backoff."""
    for var in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    from botocore.retries import adaptive, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    # Adaptive retries also rate-limit the client after throttling: no waiting in tests.
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, **kw: None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


@dataclass
class OperationLog:
    """Every (IAM service prefix, operation) a recorded session's clients called."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def record(self, model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.signing_name, model.name))


READ_PREFIXES = ("List", "Describe", "Get", "Head", "SelectAggregateResourceConfig")
"""Read operations (AWS Config's Select query is one: IAM access level Read)."""


def assert_read_only(calls: list[tuple[str, str]]) -> None:
    """Fail unless every call is a read operation whose IAM action the policy document lists."""
    from cloudaudit.providers.aws._iam import iam_action, load_policy_document

    allowed = {a for st in load_policy_document()["Statement"] for a in st["Action"]}
    for signing_name, operation in calls:
        assert operation.startswith(READ_PREFIXES), f"{signing_name}:{operation} is not a read"
        action = iam_action(signing_name, operation)
        assert action in allowed, f"{action} is called but missing from iam_policy.json"


@pytest.fixture
def recorded_session() -> Iterator[boto3.Session]:
    """A boto3 session for the code under test; every operation its clients call is recorded.

    On teardown the recorded operations are checked: each must be a read (List, Describe,
    Get, Head) listed in the packaged IAM policy (the one docs/providers/aws.md shows).
    """
    log = OperationLog()
    session = boto3.Session(region_name="us-east-1")
    session.events.register("before-call", log.record)
    yield session
    assert log.calls, "the recorded session made no call"
    assert_read_only(log.calls)


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto: fastest, fresh state per test."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture(scope="session")
def moto_server() -> Iterator[FaultyMotoServer]:
    """One moto server over real HTTP for the whole run, with fault injection."""
    server = FaultyMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws_http(moto_server: FaultyMotoServer, monkeypatch: pytest.MonkeyPatch) -> FaultMiddleware:
    """Reset moto and the fault rules; point every boto3 client at the server."""
    host, port = moto_server.get_host_and_port()
    url = f"http://{host}:{port}"
    requests.post(f"{url}/moto-api/reset", timeout=10)
    moto_server.faults.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return moto_server.faults
