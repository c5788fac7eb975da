"""Azure clouds: ARM endpoints, Entra ID authorities and credential scopes.

Each sovereign cloud has its own Resource Manager endpoint, its own login authority and its
own token audience. ``arm_endpoint`` overrides the endpoint (Azure Stack Hub, local fakes) while
keeping the cloud's authority and scope unless the caller passes a ``credential_scope``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cloudaudit.errors import ConfigurationError

__all__ = ["CLOUDS", "AzureCloud", "resolve_cloud"]


@dataclass(frozen=True)
class AzureCloud:
    """One Azure cloud.

    Attributes:
        name: Short name used by cloudaudit (``public``, ``china``, ``usgov``).
        title: Human-readable name.
        arm_endpoint: Azure Resource Manager base URL.
        authority: Entra ID (Azure AD) authority host for ``DefaultAzureCredential``.
        credential_scope: OAuth scope requested for ARM tokens.
        partition: The catalog partition of the cloud's regions.
    """

    name: str
    title: str
    arm_endpoint: str
    authority: str
    credential_scope: str
    partition: str


CLOUDS: dict[str, AzureCloud] = {
    "public": AzureCloud(
        name="public",
        title="Azure (global)",
        arm_endpoint="https://management.azure.com",
        authority="login.microsoftonline.com",
        credential_scope="https://management.azure.com/.default",
        partition="AzureCloud",
    ),
    "china": AzureCloud(
        name="china",
        title="Azure operated by 21Vianet (China)",
        arm_endpoint="https://management.chinacloudapi.cn",
        authority="login.chinacloudapi.cn",
        credential_scope="https://management.chinacloudapi.cn/.default",
        partition="AzureChinaCloud",
    ),
    "usgov": AzureCloud(
        name="usgov",
        title="Azure US Government",
        arm_endpoint="https://management.usgovcloudapi.net",
        authority="login.microsoftonline.us",
        credential_scope="https://management.usgovcloudapi.net/.default",
        partition="AzureUSGovernment",
    ),
}


def resolve_cloud(name: str, arm_endpoint: str | None = None) -> AzureCloud:
    """Return the cloud called ``name``, with its ARM endpoint overridden if one is given.

    Args:
        name: ``public``, ``china`` or ``usgov``.
        arm_endpoint: Optional ARM base URL (Azure Stack Hub, tests).

    Raises:
        ConfigurationError: The cloud name is unknown or the endpoint is not an https URL.
    """
    cloud = CLOUDS.get(name.lower())
    if cloud is None:
        raise ConfigurationError(
            f"unknown Azure cloud {name!r}; use one of: {', '.join(sorted(CLOUDS))}"
        )
    if arm_endpoint is None:
        return cloud
    if not arm_endpoint.startswith("https://"):
        raise ConfigurationError(
            f"arm_endpoint {arm_endpoint!r} must be an https:// URL (bearer tokens are never "
            "sent over plain http)"
        )
    return replace(cloud, arm_endpoint=arm_endpoint.rstrip("/"))
