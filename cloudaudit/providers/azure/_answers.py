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
from cloudaudit.providers.azure._calls import arm_action

__all__ = ["NEEDS", "answer_policy", "needs_for", "on_response"]

NEEDS: tuple[tuple[re.Pattern[str], Sequence[str]], ...] = (
    (re.compile(r"/providers/Microsoft\.ResourceGraph/resources$", re.I), ("data",)),
    (
        re.compile(r"^/providers/Microsoft\.Management/managementGroups/[^/]+/descendants$", re.I),
        ("value[]",),
    ),
    (re.compile(r"^/subscriptions/[^/]+/resources$", re.I), ("value[]",)),
    (re.compile(r"^/subscriptions$", re.I), ("value[]",)),
    (re.compile(r"^/subscriptions/[^/]+/locations$", re.I), ("value[]",)),
    (re.compile(r"/failoverGroups$", re.I), ("value[]",)),
    (re.compile(r"/replicationLinks$", re.I), ("value[]",)),
)
"""(path pattern, field paths its answer must hold)."""


def needs_for(path: str) -> Sequence[str]:
    """The declared fields of a request's answer (``()`` when none are declared)."""
    for pattern, needs in NEEDS:
        if pattern.search(path):
            return needs
    return ()


def on_response(request: Any, response: Any) -> None:
    """Check one response (``request``/``response`` are azure-core pipeline objects).

    A :class:`~cloudaudit.providers._answers.MalformedResponse` names the request's ARM action.
    """
    from urllib.parse import urlsplit

    http = response.http_response
    status = int(http.status_code)
    if not 200 <= status < 300 or status == 204:
        return
    req = request.http_request
    needs = needs_for(urlsplit(req.url).path)
    body = http.body()
    if not body and not needs:
        return
    check_json(arm_action(req.method, req.url), body, needs)


def answer_policy() -> Any:
    """An azure-core ``SansIOHTTPPolicy`` that runs :func:`on_response` (SDK imported lazily)."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    policy: Any = SansIOHTTPPolicy()
    policy.on_response = on_response
    return policy
