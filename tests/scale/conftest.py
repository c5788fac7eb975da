"""Fixtures for the scale tests: a moto server over real HTTP with an organization in it.

The server runs moto's WSGI app behind :class:`Gate`, a middleware that can deny
``sts:AssumeRole`` into chosen accounts and that records the most requests ever in flight at
once (to check the audit's global bound). Resources are seeded straight into moto's backends
(the server runs in this process), which is much faster than creating them through the API.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import urllib.parse
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

MANAGEMENT = "123456789012"
ROLE = "OrganizationAccountAccessRole"


@dataclass
class Gate:
    """WSGI middleware: deny AssumeRole into some accounts; track requests in flight."""

    app: Callable[..., Any]
    denied: set[str] = field(default_factory=set)
    denied_targets: set[str] = field(default_factory=set)  # X-Amz-Target operations
    denial: str = "not authorized to perform sts:AssumeRole"  # the AssumeRole error message
    answers: dict[str, Callable[[], tuple[int, Any]]] = field(default_factory=dict)
    """REST-JSON paths moto does not serve (Control Tower), answered in the documented shape."""
    targets: dict[str, Callable[[dict[str, Any]], tuple[int, Any]]] = field(default_factory=dict)
    """JSON operations (``X-Amz-Target``) moto does not serve, answered from the request body."""
    ops: list[str] = field(default_factory=list)  # JSON and query operations, in order
    held_regions: set[str] = field(default_factory=set)
    """Requests signed for these regions are held unanswered until :attr:`release` is set."""
    release: threading.Event = field(default_factory=threading.Event)
    heard: Callable[[str, str], None] | None = None
    """Called with each request's operation and signing region as it arrives (before a hold)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    peak: int = 0
    calls: int = 0

    def reset(self) -> None:
        with self.lock:
            self.denied.clear()
            self.denied_targets.clear()
            self.targets.clear()
            self.ops.clear()
            self.denial = Gate.denial
            self.active = self.peak = self.calls = 0
            self.held_regions.clear()
            self.heard = None
        self.release.set()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        req = Request(environ)
        body = req.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        form = dict(urllib.parse.parse_qsl(body.decode(errors="replace")))
        scope = req.headers.get("Authorization", "").split("Credential=")[-1].split("/")
        region = scope[2] if len(scope) > 2 else ""
        target = req.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        operation = target or form.get("Action") or f"{req.method} {req.path}"
        if self.heard is not None:
            self.heard(operation, region)
        if region in self.held_regions:
            self.release.wait(60)  # a silent region: the client's read timeout ends the call
        answer = self.answers.get(req.path)
        if answer is not None:
            status, payload = answer()
            response = Response(json.dumps(payload), status=status, content_type="application/json")
            return response(environ, start_response)
        self.ops.append(operation)
        if target in self.targets:
            status, payload = self.targets[target](json.loads(body or b"{}"))
            ctype = "application/x-amz-json-1.1"
            return Response(json.dumps(payload), status=status, content_type=ctype)(
                environ, start_response
            )
        if target and target in self.denied_targets:
            payload = '{"__type": "AccessDeniedException", "message": "denied by SCP"}'
            denied = Response(payload, status=400, content_type="application/x-amz-json-1.1")
            return denied(environ, start_response)
        if form.get("Action") == "AssumeRole":
            account = form.get("RoleArn", "").split(":")[4:5]
            if account and account[0] in self.denied:
                xml = (
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    f"<Message>{self.denial}</Message></Error>"
                    "</ErrorResponse>"
                )
                return Response(xml, status=403, content_type="text/xml")(environ, start_response)
        with self.lock:
            self.active += 1
            self.calls += 1
            self.peak = max(self.peak, self.active)
        try:
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.active -= 1


class GatedMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app is wrapped in a :class:`Gate`."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.gate = Gate(DomainDispatcherApplication(create_backend_app))

    def _server_entry(self) -> None:
        self._server = make_server(
            self._ip_address, self._port, self.gate, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, nothing from the machine's AWS config, no retry backoff."""
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
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
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, **kw: None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[GatedMotoServer]:
    """One gated moto server for the whole run."""
    server = GatedMotoServer()
    server.start()
    yield server
    server.stop()


@dataclass
class Org:
    """A seeded organization: its member accounts and the endpoint serving it."""

    url: str
    gate: Gate
    members: list[str]
    ous: dict[str, str]  # OU name -> id
    root: str


@pytest.fixture
def org_factory(
    moto_server: GatedMotoServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Org]:
    """Build an organization of ``n`` members (half in OU ``a``, the rest in ``b``/``b1``)."""

    def build(n: int, *, region: str = "eu-west-1") -> Org:
        host, port = moto_server.get_host_and_port()
        url = f"http://{host}:{port}"
        requests.post(f"{url}/moto-api/reset", timeout=10)
        moto_server.gate.reset()
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        ou_a = org.create_organizational_unit(ParentId=root, Name="a")["OrganizationalUnit"]["Id"]
        ou_b = org.create_organizational_unit(ParentId=root, Name="b")["OrganizationalUnit"]["Id"]
        ou_b1 = org.create_organizational_unit(ParentId=ou_b, Name="b1")["OrganizationalUnit"]["Id"]
        members: list[str] = []
        for i in range(n):
            status = org.create_account(AccountName=f"acct{i}", Email=f"a{i}@example.com")
            acct = status["CreateAccountStatus"]["AccountId"]
            target = ou_a if i % 2 == 0 else (ou_b if i % 4 == 1 else ou_b1)
            org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=target)
            members.append(acct)
            seed_account(acct, region, i)
        seed_account(MANAGEMENT, region, 999)
        return Org(url, moto_server.gate, members, {"a": ou_a, "b": ou_b, "b1": ou_b1}, root)

    return build


def seed_account(account: str, region: str, i: int) -> None:
    """One bucket in ``region`` and one EBS volume in each account (moto backends)."""
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    s3_backends[account]["aws"].create_bucket(f"bucket-{account}-{i}", region)
    ec2_backends[account][region].create_volume(size=8, zone_name=f"{region}a")


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Any]:
    """Two in-process dask workers (tasks are still pickled by the client).

    Without dask's profiler: it calls ``sys._current_frames()`` every 10 ms, which on CPython
    before 3.11.9 and 3.12.3 can deadlock a process whose threads start and end meanwhile
    (python/cpython#106883; a test hung so in CI, every thread waiting). docs/scale.md says so.
    """
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = distributed.LocalCluster(
            processes=False, n_workers=2, threads_per_worker=2, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
        try:
            yield client.get_executor()
        finally:
            client.close()
            cluster.close()
