"""Check every Azure answer before trusting it (an azure-core pipeline policy).

:func:`answer_policy` runs on every response of every client the provider builds: a successful
JSON answer must decode to an object holding the fields declared for its operation in
:data:`NEEDS` (ARM lists always carry ``value``, even when empty; a Resource Graph answer
carries ``data``). Otherwise it raises
:class:`~cloudaudit.providers._answers.MalformedResponse` (see ``providers/_answers.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cloudaudit.providers._answers import check_json

__all__ = ["NEEDS", "answer_policy", "needs_for", "on_response"]

NEEDS: tuple[tuple[str, re.Pattern[str], Sequence[str]], ...] = (
    (
        "resourcegraph.resources",
        re.compile(r"/providers/Microsoft\.ResourceGraph/resources$", re.I),
        ("data",),
    ),
    (
        "managementGroups.descendants",
        re.compile(r"^/providers/Microsoft\.Management/managementGroups/[^/]+/descendants$", re.I),
        ("value[]",),
    ),
    ("resources.list", re.compile(r"^/subscriptions/[^/]+/resources$", re.I), ("value[]",)),
    ("subscriptions.list", re.compile(r"^/subscriptions$", re.I), ("value[]",)),
    (
        "subscriptions.list_locations",
        re.compile(r"^/subscriptions/[^/]+/locations$", re.I),
        ("value[]",),
    ),
    ("sql.failoverGroups", re.compile(r"/failoverGroups$", re.I), ("value[]",)),
    ("sql.replicationLinks", re.compile(r"/replicationLinks$", re.I), ("value[]",)),
)
"""(operation, path pattern, field paths its answer must hold)."""


def needs_for(method: str, path: str) -> tuple[str, Sequence[str]]:
    """The operation name and declared fields for a request (``()`` when none are declared)."""
    for name, pattern, needs in NEEDS:
        if pattern.search(path):
            return name, needs
    return f"{method} {path}", ()


def on_response(request: Any, response: Any) -> None:
    """Check one response (``request``/``response`` are azure-core pipeline objects)."""
    from urllib.parse import urlsplit

    http = response.http_response
    status = int(http.status_code)
    if not 200 <= status < 300 or status == 204:
        return
    req = request.http_request
    name, needs = needs_for(req.method, urlsplit(req.url).path)
    body = http.body()
    if not body and not needs:
        return
    check_json(name, body, needs)


def answer_policy() -> Any:
    """An azure-core ``SansIOHTTPPolicy`` that runs :func:`on_response` (SDK imported lazily)."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    policy: Any = SansIOHTTPPolicy()
    policy.on_response = on_response
    return policy
