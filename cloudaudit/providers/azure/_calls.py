"""Which ARM call failed: every request names its ARM action on its error (an azure-core policy).

azure-core's errors for a reset connection, a timeout or an answer it could not decode do not
say which call it was, and ARM's own error messages rarely do (``"injected fault"``,
``"Rate exceeded"``). :func:`call_policy` runs on every request of every client the provider
builds and names the request's ARM action (:func:`arm_action`: the action a custom role
grants for it, ``Microsoft.Resources/subscriptions/resources/read``) on any error raised while
the request is sent (token, transport, answer checks) and on its HTTP response, which the
``HttpResponseError`` or ``DecodeError`` the SDK raises afterwards carries. ``FanOut.gap``
then leads the unit's gap with it (see ``providers/_calls.py``). The action is built from the
path's types only: no names, ids, query or token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cloudaudit.providers._calls import CALL, calling

__all__ = ["GRAPH_ACTION", "arm_action", "call_policy"]

GRAPH_ACTION = "Microsoft.ResourceGraph/resources/read"
"""The action of a Resource Graph query (a ``POST`` that only reads)."""

_VERBS = {"GET": "read", "HEAD": "read", "DELETE": "delete", "POST": "action"}


def arm_action(method: str, url: str) -> str:
    """The ARM action of a request (``Microsoft.Sql/servers/failoverGroups/read``).

    The types of the path after its last ``providers`` segment, under that namespace
    (``.../providers/Microsoft.Sql/servers/{name}/failoverGroups``), or under
    ``Microsoft.Resources`` when there is none (``/subscriptions/{id}/locations``).
    """
    path = urlsplit(url).path
    parts = [p for p in path.split("/") if p]
    lowered = [p.lower() for p in parts]
    if method == "POST" and lowered[-3:] == ["providers", "microsoft.resourcegraph", "resources"]:
        return GRAPH_ACTION
    verb = _VERBS.get(method.upper(), "write")
    if "providers" in lowered[:-1]:
        at = len(lowered) - 1 - lowered[::-1].index("providers")
        namespace, rest = parts[at + 1], parts[at + 2 :]
        return "/".join([namespace, *rest[0::2], verb])  # type/name/child/name...
    if lowered[:1] == ["subscriptions"]:
        return "/".join(["Microsoft.Resources", *parts[0::2], verb])
    return f"{method.upper()} {path}"


def call_policy() -> Any:
    """An azure-core ``HTTPPolicy`` naming each request's ARM action on its errors.

    Put it before every other policy of the call (``per_call_policies[0]``): the token
    request, the retries and the answer checks then run inside it.
    """
    from azure.core.pipeline.policies import HTTPPolicy

    class CallPolicy(HTTPPolicy):  # type: ignore[type-arg]
        def send(self, request: Any) -> Any:
            http = request.http_request
            action = arm_action(http.method, http.url)
            with calling(action):
                response = self.next.send(request)
            # the HttpResponseError or DecodeError the SDK raises from it holds this response
            setattr(response.http_response, CALL, action)
            return response

    return CallPolicy()
