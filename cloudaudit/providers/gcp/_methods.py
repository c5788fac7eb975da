"""Which Google API method a request calls: the method id every coverage gap names.

The shipped ``permissions.json`` lists every method the provider calls with the HTTP request
it sends (``GET /compute/v1/projects/{project}/aggregated/instances``); :func:`method_id`
reads a request back to its method id (``compute.instances.aggregatedList``), the name the
discovery documents give it. :func:`named` wraps a client's HTTP session: whatever a request
raises (a reset, a timeout, a failed credential refresh, an answer that is not a document)
names its method (:func:`~cloudaudit.providers._calls.note_call`), and an error answer carries
it to the Google exception built from it, where :func:`call_in` finds it for the classifier.
Only the verb and the path are read: never the query string or a header.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from cloudaudit.providers._calls import CALL, call_of, note_call

__all__ = ["call_in", "method_id", "named"]


@functools.cache
def _templates() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(method id, verb, path regex) of every method in ``permissions.json``."""
    text = resources.files(__name__.rsplit(".", 1)[0]).joinpath("permissions.json").read_text()
    out = []
    for entry in json.loads(text)["methods"]:
        verb, path = str(entry["http"]).split(" ", 1)
        pattern = ""
        for literal, var in re.findall(r"([^{]*)(\{[^}]*\})?", path):
            pattern += re.escape(literal)
            if var:  # {scope=*/*} is two segments (projects/p-1), any other variable one
                pattern += r"[^/]+/[^/]+" if "=*/*" in var else r"[^/]+"
        out.append((str(entry["method"]), verb, re.compile(f"{pattern}$")))
    return tuple(out)


def method_id(verb: str, url: str) -> str:
    """The method id of a request; ``VERB /path`` for a request not listed.

    ``GET https://cloudasset.googleapis.com/v1/projects/p-1:searchAllResources?...`` is
    ``cloudasset.searchAllResources``.
    """
    path = urlsplit(url).path
    for name, listed, pattern in _templates():
        if verb.upper() == listed and pattern.search(path):
            return name
    return f"{verb.upper()} {path}"


def named(send: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a session's ``request`` so that its failures and error answers name the method."""

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        # the method id is worked out only for a request that fails (a few dozen patterns)
        try:
            response = send(method, url, *args, **kwargs)
        except Exception as exc:
            note_call(exc, method_id(method, url))
            raise
        if int(getattr(response, "status_code", 200)) >= 400:
            # the client library raises its error from this answer, after the request
            setattr(response, CALL, method_id(method, url))
        return response

    return request


def call_in(exc: BaseException) -> str | None:
    """The method noted on ``exc``, on the answer it was built from, or on its cause.

    A ``RetryError`` holds the last error in ``cause``; a Google API error holds the
    ``requests`` answer in ``response``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        call = call_of(current)
        if call is not None:
            return call
        cause = getattr(current, "cause", None)
        nxt = cause if isinstance(cause, BaseException) else current.__cause__
        current = nxt or current.__context__
    return None
