"""Classify Azure SDK errors into coverage-gap codes, and the lazy SDK import check."""

from __future__ import annotations

from cloudaudit.providers._extras import require

__all__ = ["classify", "require_sdk"]


def require_sdk(module: str) -> None:
    """Import ``module`` or raise :class:`ProviderUnavailable` naming the ``azure`` extra."""
    require(module, "azure")


def classify(exc: BaseException) -> tuple[str, str] | None:
    """Map an azure-core exception to ``(code, message)``; ``None`` if it is not one.

    ARM errors carry a code such as ``AuthorizationFailed``, ``SubscriptionNotFound`` or
    ``ResourceGraphQuotaExceeded``; those codes become the gap code. Errors without a code use
    the HTTP status (``HTTP403``); authentication and transport failures get fixed codes.
    """
    from cloudaudit.providers._paging import PagingError

    if isinstance(exc, PagingError):
        return type(exc).__name__, str(exc)
    try:
        from azure.core import exceptions as az
    except ImportError:
        return None
    if isinstance(exc, az.DecodeError):
        return "MalformedResponse", f"the response could not be decoded: {_message(exc)}"
    if type(exc).__name__ == "CredentialUnavailableError" or str(exc).startswith(_NO_CREDENTIAL):
        return "NoCredentials", _NO_CREDENTIAL_HINT
    if isinstance(exc, az.ClientAuthenticationError) and getattr(exc, "status_code", None) != 403:
        code = getattr(getattr(exc, "error", None), "code", None)
        return str(code or "AuthenticationFailed"), _message(exc)
    if isinstance(exc, az.HttpResponseError):
        error = getattr(exc, "error", None)
        code = getattr(error, "code", None)
        if not code:
            status = getattr(exc, "status_code", None)
            code = f"HTTP{status}" if status else "HttpResponseError"
        return str(code), _message(exc)
    timeouts = (
        getattr(az, "ServiceRequestTimeoutError", ()),
        getattr(az, "ServiceResponseTimeoutError", ()),
    )
    if isinstance(exc, timeouts):
        return "Timeout", _message(exc)
    if isinstance(exc, az.ServiceRequestError | az.ServiceResponseError):
        return "ConnectionError", _message(exc)
    if isinstance(exc, az.AzureError):
        return type(exc).__name__, _message(exc)
    return None


_NO_CREDENTIAL = "DefaultAzureCredential failed to retrieve a token"
_NO_CREDENTIAL_HINT = (
    "no Azure credentials found: DefaultAzureCredential failed to retrieve a token from the "
    "environment, workload or managed identity and the Azure CLI; run `az login`, or set "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (docs/providers/azure.md)"
)


def _message(exc: BaseException) -> str:
    """The first line of an azure-core error message (the rest repeats headers and bodies)."""
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None) or getattr(exc, "message", None) or str(exc)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__
