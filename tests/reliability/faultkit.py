"""A WSGI fault layer that sits in front of any local fake (moto, GCP, Azure, Alibaba).

Each :class:`Fault` matches requests with a predicate and then acts: answer with an error
built by the cloud's own error format, close the connection without a response, hold the
request past the client's read timeout, send a malformed body, or rewrite the body (to make a
pagination token repeat). ``after`` lets the first matching requests through (credentials that
expire mid-run). Every request is logged.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

WSGIApp = Callable[..., Iterable[bytes]]
Match = Callable[[Request], bool]

ACTIONS = ("respond", "reset", "hang", "malformed", "rewrite")


@dataclass
class Fault:
    """One fault: when ``match(request)``, do ``action``.

    Attributes:
        match: Predicate on the request (its body is readable with ``get_data()``).
        action: ``respond`` (``respond(request)``), ``reset`` (close without answering),
            ``hang`` (hold the request for ``hold`` seconds, then close), ``malformed``
            (the real answer cut in half, status 200), ``rewrite`` (the real answer's body
            passed through ``rewrite(request, body)``).
        respond: Builds the error response for ``respond``.
        rewrite: Rewrites the body for ``rewrite``.
        after: Let this many matching requests through before acting.
        times: Act this many times, then let requests through (``None``: forever).
        hold: Seconds a ``hang`` holds the request.
    """

    match: Match
    action: str
    respond: Callable[[Request], Response] | None = None
    rewrite: Callable[[Request, bytes], bytes] | None = None
    after: int = 0
    times: int | None = None
    hold: float = 5.0
    seen: int = 0
    acted: int = 0

    def __post_init__(self) -> None:
        assert self.action in ACTIONS, self.action

    def take(self) -> bool:
        """Count one matching request; True when the fault acts on it (call under a lock)."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.times is not None and self.acted >= self.times:
            return False
        self.acted += 1
        return True


@dataclass
class FaultLayer:
    """WSGI middleware: the first fault that matches and takes a request acts on it."""

    app: WSGIApp
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> Fault:
        """Install a fault (first added, first matched)."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        """Remove every fault, release held requests, clear the log."""
        with self.lock:
            self.faults.clear()
            self.log.clear()
        self.release.set()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        req = Request(environ)
        body = req.get_data(cache=True)  # parsing the form later reads this cache
        with self.lock:
            self.log.append((req.method, req.full_path))
            fault = next((f for f in self.faults if f.match(req) and f.take()), None)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        if fault is None:
            return self.app(environ, start_response)
        return self._act(fault, req, environ, start_response)

    def _act(self, fault: Fault, req: Request, environ: dict[str, Any], start_response: Any) -> Any:
        if fault.action == "respond":
            assert fault.respond is not None
            return fault.respond(req)(environ, start_response)
        if fault.action == "reset":
            return _drop(environ)
        if fault.action == "hang":
            self.release.wait(fault.hold)
            return _drop(environ)
        inner = Response.from_app(self.app, environ)
        data = inner.get_data()
        if fault.action == "malformed":
            resp = Response(data[: len(data) // 2] or b"<", 200, content_type=inner.content_type)
            return resp(environ, start_response)
        assert fault.rewrite is not None
        inner.set_data(fault.rewrite(req, data))
        return inner(environ, start_response)


def _drop(environ: dict[str, Any]) -> Any:
    """Close the client's connection without sending a response."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    # werkzeug treats a ConnectionError from the app as a dropped client: no error page.
    raise ConnectionAbortedError("fault: connection closed without a response")


def closed_port() -> int:
    """A local TCP port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
