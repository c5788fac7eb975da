"""The pagination guard on every AWS client: a listing whose token cycles, or that never ends.

botocore's paginators stop only when the very next page repeats the token just sent. Each
client that :class:`~cloudaudit.providers.aws._clients.ClientCache` builds, and each client of
the organization path (its Organizations, Config aggregator and per-account probe clients),
also runs :func:`guard_listing` before every call: a call without a continuation token starts a new
listing of that operation (per thread), and each call with one is one more page for the kit's
:class:`~cloudaudit.providers._paging.PageGuard`, so a token that comes back pages later is a
``PaginationLoop`` and a listing past ``CLOUDAUDIT_MAX_PAGES`` is ``PageCapReached``: a gap.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.providers._paging import PageGuard

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = ["continuation_token", "guard_listing"]

_local = threading.local()
_COUNTED = "cloudaudit_page_counted"


def continuation_token(params: Mapping[str, Any]) -> str | None:
    """The continuation token a request carries (``NextToken``, ``Marker``, ...), if any.

    AWS names it ``*Token``, ``*Marker`` or ``ExclusiveStart*`` (DynamoDB, Kinesis).
    """
    for name, value in params.items():
        low = name.lower()
        if value and (low.endswith(("token", "marker")) or low.startswith("exclusivestart")):
            return f"{name}={value}"
    return None


def guard_listing(
    params: Mapping[str, Any],
    model: OperationModel,
    context: dict[str, Any] | None = None,
    **_: object,
) -> None:
    """``before-parameter-build`` hook: count the pages of the listing this call belongs to.

    A call is counted once even when the hook is registered twice on its client (an
    organization account's client is guarded where it is built and again by the
    :class:`~cloudaudit.providers.aws._clients.ClientCache` that holds it).

    Raises:
        PaginationLoop: the token was already sent in this listing.
        PageCapReached: the listing went past the page cap.
    """
    if context is not None:
        if context.get(_COUNTED):
            return
        context[_COUNTED] = True
    guards: dict[tuple[str, str], PageGuard] = _local.__dict__.setdefault("guards", {})
    key = (model.service_model.service_name, model.name)
    token = continuation_token(params)
    if token is None:  # the first page of a new listing
        guards[key] = PageGuard(f"{key[0]}:{key[1]}")
        return
    guard = guards.get(key)
    if guard is None:
        guard = guards[key] = PageGuard(f"{key[0]}:{key[1]}")
    guard.next(token)
