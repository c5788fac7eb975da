"""Classify Google API errors into ``(code, message)`` for coverage gaps.

The REST transports raise :mod:`google.api_core.exceptions` by HTTP status (403 is
``Forbidden``, 429 ``TooManyRequests``); the JSON error body's ``ErrorInfo.reason`` (for example
``SERVICE_DISABLED``) and ``status`` (for example ``PERMISSION_DENIED``) are more precise, so
they are preferred when present.
"""

from __future__ import annotations

from cloudaudit.providers._calls import note_call
from cloudaudit.providers.gcp._methods import call_in

__all__ = ["ASSET_UNAVAILABLE", "classify", "error_code"]

ASSET_UNAVAILABLE = frozenset(
    {
        "SERVICE_DISABLED",
        "PERMISSION_DENIED",
        "IAM_PERMISSION_DENIED",
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "Forbidden",
        "FAILED_PRECONDITION",
    }
)
"""Codes that mean Cloud Asset search cannot be used at a scope (denied or disabled)."""


def error_code(exc: BaseException) -> str | None:
    """Return the most precise code of a Google API error, or ``None`` for other errors.

    Args:
        exc: Any exception.

    Returns:
        ``ErrorInfo.reason`` (``SERVICE_DISABLED``), else the gRPC-style status
        (``PERMISSION_DENIED``), else the exception class name (``Forbidden``).
    """
    from google.api_core import exceptions as gexc

    if not isinstance(exc, gexc.GoogleAPICallError):
        return None
    reason = getattr(exc, "reason", None)
    if reason:
        return str(reason)
    status = _body_status(exc)
    if status:
        return status
    grpc_code = exc.grpc_status_code
    if grpc_code is not None:
        return str(grpc_code.name)
    return type(exc).__name__


def _body_error(exc: BaseException) -> dict[str, object]:
    """The ``error`` object of a REST error body, when the response is still attached."""
    response = getattr(exc, "response", None)
    if response is None:
        return {}
    try:
        payload = response.json()
    except ValueError:
        return {}
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else {}


def _body_status(exc: BaseException) -> str | None:
    status = _body_error(exc).get("status")
    return str(status) if status else None


def classify(exc: BaseException) -> tuple[str, str] | None:
    """Classifier for :class:`~cloudaudit.providers.FanOut`: Google errors to ``(code, message)``.

    The API method the error came from is noted on ``exc`` (found on its answer or its cause,
    :func:`~cloudaudit.providers.gcp._methods.call_in`): the fan-out leads the gap with it.

    Args:
        exc: The exception a unit of work raised.

    Returns:
        ``(code, message)`` for Google API and auth errors, ``None`` for anything else.
    """
    call = call_in(exc)
    if call is not None:
        note_call(exc, call)
    return _classify(exc)


def _classify(exc: BaseException) -> tuple[str, str] | None:
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    from cloudaudit.providers._paging import PagingError

    if isinstance(exc, PagingError):
        return type(exc).__name__, str(exc)
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        found = _classify(exc.cause)
        if found is not None:
            return found[0], f"retries exhausted; last error: {found[1]}"
    code = error_code(exc)
    if code is not None:
        body_message = _body_error(exc).get("message")
        message = str(body_message) if body_message else getattr(exc, "message", str(exc))
        return code, f"HTTP {getattr(exc, 'code', '?')}: {message}"

    transport = _transport_code(exc)
    if transport is not None:
        kind = "" if type(exc).__name__ == transport else f"{type(exc).__name__}: "
        return transport, f"{transport}: {kind}{_transport_text(exc)[:300]}"
    if isinstance(exc, auth_exc.DefaultCredentialsError):
        return "NoCredentials", "no Google credentials found (google.auth.default())"
    if isinstance(exc, auth_exc.RefreshError):
        return "CredentialsRefreshFailed", "Google credentials could not be refreshed"
    return None


def _transport_text(exc: BaseException) -> str:
    """A transport error in its own words: urllib3's reason when requests gave up retrying.

    requests words a refused or unresolvable endpoint as the pool's retry summary, the request's
    URL and query first (``Max retries exceeded with url: /v1/...?pageSize=500 (Caused by ...``),
    which cut the cause off; the gap already names the call, so the reason is what is kept.
    """
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)
    return str(reason) if isinstance(reason, BaseException) else str(exc)


def _transport_code(exc: BaseException) -> str | None:
    """``Timeout``, ``ConnectionError`` or ``MalformedResponse`` for transport failures."""
    import json

    import requests
    from google.protobuf.json_format import ParseError

    if isinstance(exc, requests.Timeout):
        return "Timeout"
    if isinstance(exc, requests.ConnectionError):
        return "ConnectionError"
    if isinstance(exc, ParseError | json.JSONDecodeError):
        return "MalformedResponse"
    return None
