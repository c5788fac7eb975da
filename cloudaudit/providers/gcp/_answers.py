"""Check every Google answer before trusting it (a ``requests`` response hook).

:func:`install` adds a hook to the HTTP session of each client the provider builds: a
successful JSON answer must decode to an object holding the fields declared for its operation
in :data:`NEEDS`. Google's REST APIs omit an empty list (proto3 JSON), so what is declared is
the fields of each item the collectors rely on (an asset without ``assetType`` cannot be
placed), and ``kind`` for Cloud Storage listings. Otherwise the hook raises
:class:`~cloudaudit.providers._answers.MalformedResponse` (see ``providers/_answers.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cloudaudit.providers._answers import check_json
from cloudaudit.providers.gcp._methods import method_id

__all__ = ["NEEDS", "install", "needs_for"]

NEEDS: dict[str, Sequence[str]] = {
    "cloudasset.searchAllResources": ("results[].name", "results[].assetType"),
    "storage.buckets.list": ("kind", "items[].name"),
    "cloudresourcemanager.projects.list": ("projects[].name",),
    "cloudresourcemanager.folders.list": ("folders[].name",),
}
"""Per API method id (see ``_methods.py``), the field paths its answer must hold."""


def needs_for(method: str, url: str) -> tuple[str, Sequence[str]]:
    """The method id and declared fields for a request (``()`` when none are declared)."""
    name = method_id(method, url)
    return name, NEEDS.get(name, ())


def check_response(response: Any, *_: Any, **__: Any) -> Any:
    """``requests`` response hook: raise ``MalformedResponse`` for a 2xx non-document."""
    status = int(response.status_code)
    if not 200 <= status < 300 or status == 204:
        return response
    name, needs = needs_for(response.request.method, response.request.url)
    if response.content or needs:
        check_json(name, response.content, needs)
    return response


def install(client: Any) -> Any:
    """Hook :func:`check_response` into the client's HTTP session; return the client."""
    transport = getattr(client, "_transport", None)
    session = getattr(transport, "_session", None)
    if session is None:
        session = getattr(client, "_http", None)  # google-cloud-storage
    hooks = getattr(session, "hooks", None)
    if isinstance(hooks, dict) and check_response not in hooks.setdefault("response", []):
        hooks["response"].append(check_response)
    return client
