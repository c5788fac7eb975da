"""Read-only proof: every AWS operation cloudaudit's own code makes is recorded.

botocore's ``BaseClient._make_api_call`` is wrapped (it still runs) for the whole session;
a call is recorded when a ``cloudaudit.providers`` frame is on the stack, so the tests' own
seeding calls (``create_bucket``...) are not counted. At the end of the session (of each
xdist worker) every recorded operation must be a read listed in the shipped IAM policy.
"""

from __future__ import annotations

import sys
from typing import Any

READS = ("List", "Describe", "Get", "Head", "Search", "Lookup")
EXCHANGES = {"sts:AssumeRole"}
"""Credential exchanges that change nothing; allowed only when the IAM policy lists them."""
CALLS: set[tuple[str, str]] = set()


def _from_cloudaudit() -> bool:
    frame: Any = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("cloudaudit.providers."):
            return True
        frame = frame.f_back
    return False


def install() -> None:
    try:
        from botocore.client import BaseClient
    except ImportError:
        return
    original = BaseClient._make_api_call
    if getattr(original, "_cloudaudit_recorder", False):
        return

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        if _from_cloudaudit():
            CALLS.add((self.meta.service_model.signing_name, operation_name))
        return original(self, operation_name, api_params)

    recording._cloudaudit_recorder = True  # type: ignore[attr-defined]
    BaseClient._make_api_call = recording  # type: ignore[method-assign]


def not_allowed(calls: set[tuple[str, str]]) -> list[str]:
    """The recorded operations that are not reads listed in the packaged IAM policy."""
    from cloudaudit.providers.aws._iam import iam_action, load_policy_document

    allowed = {a for st in load_policy_document()["Statement"] for a in st["Action"]}
    bad = []
    for signing_name, operation in sorted(calls):
        action = iam_action(signing_name, operation)
        read = operation.startswith(READS) or action in EXCHANGES
        if not read or action not in allowed:
            bad.append(action)
    return bad
