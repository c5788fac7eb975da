"""Classify Alibaba Cloud SDK exceptions into ``(error_code, message)`` for coverage gaps.

The SDK modules are never imported here: exceptions are recognised by the module they come
from and the attributes the Tea/Darabonba and OSS v2 SDKs put on them, so classifying an error
costs nothing when the SDK is not installed.
"""

from __future__ import annotations

__all__ = ["classify", "oss_error_code"]

_SDK_MODULES = ("alibabacloud_", "Tea.", "darabonba", "alibabacloud")


def _from_sdk(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith(_SDK_MODULES)


def oss_error_code(exc: BaseException) -> str | None:
    """Return the OSS service error code inside an OSS v2 ``OperationError``, if any.

    Args:
        exc: Any exception.

    Returns:
        The OSS error code (``AccessDenied``, ``NoSuchReplicationConfiguration``) or ``None``.
    """
    unwrap = getattr(exc, "unwrap", None)
    inner = unwrap() if callable(unwrap) else exc
    code = getattr(inner, "code", None)
    return str(code) if code else None


def classify(exc: BaseException) -> tuple[str, str] | None:
    """Map an Alibaba Cloud SDK exception to ``(code, message)``.

    Handles Tea/OpenAPI ``ClientException``/``ServerException`` (``code`` such as
    ``Forbidden.RAM`` or ``InvalidAccessKeyId.NotFound``), OSS v2 ``OperationError`` wrapping a
    ``ServiceError`` (``AccessDenied``), and other SDK errors (network, credentials).

    Args:
        exc: The exception raised by a unit of work.

    Returns:
        ``(code, message)``, or ``None`` when the exception is not from an Alibaba SDK.
    """
    if not _from_sdk(exc):
        return None
    unwrap = getattr(exc, "unwrap", None)
    inner: BaseException = exc
    if callable(unwrap):
        got = unwrap()
        if isinstance(got, BaseException):
            inner = got
    code = getattr(inner, "code", None)
    message = getattr(inner, "message", None) or str(inner) or type(inner).__name__
    if code:
        status = getattr(inner, "status_code", None) or getattr(inner, "statusCode", None)
        suffix = f" (HTTP {status})" if status else ""
        return str(code), f"{message}{suffix}"
    return _transport_code(inner), _short(_transport_text(inner, str(message)))


_TRANSPORT = (
    ("timed out", "Timeout"),
    ("timeout", "Timeout"),
    ("failed to parse", "MalformedResponse"),
    ("connection", "ConnectionError"),
    ("remote end closed", "ConnectionError"),
)
MAX_MESSAGE = 500


def _transport_code(exc: BaseException) -> str:
    """A code for an SDK error without a service code (the Tea SDK wraps transport errors).

    ``UnretryableException`` wraps a timeout, a refused or dropped connection, or a body that
    is not JSON; the wrapped error's text says which.
    """
    inner = getattr(exc, "inner_exception", None) or exc
    text = str(inner).lower()
    for needle, code in _TRANSPORT:
        if needle in text:
            return code
    return type(exc).__name__


def _transport_text(exc: BaseException, message: str) -> str:
    """What the error the Tea SDK wrapped says, rather than the SDK's ``repr`` of it.

    ``UnretryableException`` keeps ``RetryError({'message': "...Read timed out..."})`` as its
    message; the wrapped error's own message is the readable part.
    """
    wrapped = getattr(exc, "inner_exception", None)
    if wrapped is None:
        return message
    text = getattr(wrapped, "message", None)
    return str(text) if text else (str(wrapped) or message)


def _short(message: str) -> str:
    """Bound a message (a malformed body may be echoed whole)."""
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "..."
