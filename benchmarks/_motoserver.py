"""A moto server on loopback with injected latency and per-operation request counts.

Shared by the AWS benchmarks. ``start()`` runs :func:`serve` in a child process and returns a
:class:`Server` handle; the child prints its port and serves until it is terminated. Every
request (other than the ``/__bench/*`` control paths) is counted by service and operation,
then held for the configured latency before moto answers it. The latency is a per-request
sleep in the server's own request thread, so requests in flight overlap as they would on a
real network.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

_CRED_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/")


def operation(environ: dict[str, Any]) -> str:
    """``service:Operation`` of one request (from the SigV4 scope, target or Action)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CRED_SCOPE.search(auth)
    service = match.group(2) if match else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "Action" in query:
        return f"{service}:{query['Action'][0]}"
    if environ.get("REQUEST_METHOD") == "POST" and service != "s3":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return f"{service}:{action[0]}"
    if service == "s3":
        path = environ.get("PATH_INFO", "/").strip("/")
        sub = ",".join(sorted(query)) or ("object" if "/" in path else "bucket" if path else "")
        return f"s3:{environ.get('REQUEST_METHOD')} {sub or 'service'}"
    return f"{service}:?"


def serve(seeders: dict[str, Callable[[dict[str, list[str]]], Any]]) -> None:
    """Run moto behind the latency + counting middleware; print the port; serve forever.

    Args:
        seeders: ``/__bench/seed/NAME?...`` calls ``seeders[NAME](query)`` inside the server
            process (moto's backends live there) and answers its JSON result.
    """
    import logging

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto serves no EC2 Recycle Bin listing: the tests' fake of them, in EC2's shape
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tests"))
    from moto_recycle_bin import install

    install()
    moto_app = routed(DomainDispatcherApplication(create_backend_app))
    state: dict[str, Any] = {"latency": 0.0}
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            req = Request(environ)
            answer: Any = {"latency_ms": state["latency"] * 1000}
            if path == "/__bench/latency":
                state["latency"] = float(req.args["ms"]) / 1000
            elif path == "/__bench/reset":
                with lock:
                    answer = {"count": sum(counts.values()), "by_operation": dict(counts)}
                    counts.clear()
            elif path.startswith("/__bench/seed/"):
                answer = seeders[path.rsplit("/", 1)[1]](req.args.to_dict(flat=False))
            return Response(json.dumps(answer), content_type="application/json")(
                environ, start_response
            )
        op = operation(environ)
        with lock:
            counts[op] += 1
        if state["latency"]:
            time.sleep(state["latency"])
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


STOCK_DISPATCH = "BENCH_STOCK_DISPATCH"
"""Environment variable: when set, the server keeps moto's dispatcher as it is (see
:func:`routed`), to measure against the fake's own limit."""

# Signing names whose backend moto picks without looking at the request path.
_OWN_PATHS = ("/moto-api", "/favicon.ico", "/latest/")  # moto's own and the metadata service
_PATH_FREE = frozenset({"config", "dynamodb", "ec2", "iam", "organizations", "rds", "s3", "sts"})


def routed(dispatcher: Any) -> Any:
    """moto's dispatcher, its choice of backend remembered per kind of request.

    For every request moto picks the backend (the service's Flask app) under one
    process-wide lock, listing its own modules on disk on the way: a few milliseconds per
    request during which every other request in flight waits. That caps the server at about
    150-250 answers a second on this machine, a limit of the fake, not of AWS. The choice
    depends only on the request's signing scope (service, region), its host, its
    ``X-Amz-Target`` prefix and, for some services, its path, so the first answer for each
    such key is kept and later requests skip the lock. Unsigned requests go the stock way,
    and so does everything when :data:`STOCK_DISPATCH` is set.
    """
    if os.environ.get(STOCK_DISPATCH):
        return dispatcher
    route = dispatcher.get_application
    known: dict[tuple[str, ...], Any] = {}

    def get_application(environ: dict[str, Any]) -> Any:
        match = _CRED_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        path = environ.get("PATH_INFO", "")
        if match is None or path.startswith(_OWN_PATHS):
            return route(environ)
        region, service = match.group(1), match.group(2)
        if service not in _PATH_FREE:
            where = path
        else:
            where = "s3control" if path.startswith("/v20180820/") else ""
        target = environ.get("HTTP_X_AMZ_TARGET", "").split(".", 1)[0]
        key = (service, region, environ.get("HTTP_HOST", ""), target, where)
        app = known.get(key)
        if app is None:
            app = known[key] = route(environ)
        return app

    dispatcher.get_application = get_application
    return dispatcher


class Server:
    """Handle on the child moto server: its URL and control calls."""

    def __init__(self, script: str) -> None:
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
        self.child = subprocess.Popen(
            [sys.executable, script, "--serve"], stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.child.stdout is not None
        self.url = f"http://127.0.0.1:{self.child.stdout.readline().strip()}"

    def get(self, path: str) -> Any:
        """GET a control path (``latency?ms=100``, ``reset``, ``seed/NAME?...``)."""
        import requests

        return requests.get(f"{self.url}/__bench/{path}", timeout=600).json()

    def environ(self) -> dict[str, str]:
        """Environment for a client process: endpoint, dummy credentials, no profile."""
        env = dict(
            os.environ,
            AWS_ENDPOINT_URL=self.url,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
            env.pop(var, None)
        return env

    def close(self) -> None:
        """Stop the child server."""
        self.child.terminate()
        self.child.wait(timeout=10)
