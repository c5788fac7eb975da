"""Credentials: ``DefaultAzureCredential`` for the chosen cloud, and a static-token credential."""

from __future__ import annotations

import time
from typing import Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.providers.azure._clouds import AzureCloud
from cloudaudit.providers.azure._errors import require_sdk

__all__ = ["StaticTokenCredential", "default_credential"]


def default_credential(cloud: AzureCloud) -> Any:
    """Build ``DefaultAzureCredential`` with the cloud's authority (no call is made).

    azure-identity decides the source: environment, workload or managed identity, Azure CLI...
    """
    require_sdk("azure.identity")
    from azure.identity import DefaultAzureCredential

    try:
        return DefaultAzureCredential(authority=cloud.authority)
    except ValueError as exc:  # e.g. an AZURE_TENANT_ID that is not a tenant id
        raise ConfigurationError(
            f"Azure credential settings: {exc} (fix or unset the AZURE_* variables)"
        ) from None


class StaticTokenCredential:
    """A credential that always returns one bearer token (tests and local fakes).

    The token is never logged or shown; ``repr`` hides it.
    """

    def __init__(self, token: str, lifetime: int = 3600) -> None:
        self._token = token
        self._lifetime = lifetime
        self.scopes: list[tuple[str, ...]] = []

    def __repr__(self) -> str:
        return "StaticTokenCredential(token=***)"

    def secret(self) -> str:
        """The token, for masking in output (never shown)."""
        return self._token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Return the token as an ``azure.core.credentials.AccessToken``."""
        from azure.core.credentials import AccessToken

        self.scopes.append(tuple(scopes))
        return AccessToken(self._token, int(time.time()) + self._lifetime)
