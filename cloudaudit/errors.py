"""Exceptions raised by cloudaudit.

Per-region or per-service API failures are *data* (``Report.coverage.gaps``), not exceptions.
Exceptions are for problems the caller must fix::

    CloudAuditError
    ├── ConfigurationError      bad policy file, unknown list or country, bad option or scope
    │   ├── PolicyError         a policy file that does not validate (file, field, fix)
    │   └── InventoryError      an inventory file that does not validate or has an unknown
    │                           shape (cloudaudit.inventory; file, where, fix)
    ├── ProviderUnavailable     a cloud SDK extra is not installed (also an ImportError)
    ├── AuthenticationError     no usable credentials for a provider
    └── CatalogError            packaged region data missing or invalid (a bug in cloudaudit)
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "CatalogError",
    "CloudAuditError",
    "ConfigurationError",
    "PolicyError",
    "ProviderUnavailable",
]


class CloudAuditError(Exception):
    """Base class of every error cloudaudit raises on purpose."""


class ConfigurationError(CloudAuditError, ValueError):
    """The caller's configuration is invalid. The message says what to fix."""


class PolicyError(ConfigurationError):
    """A policy file or policy definition does not validate.

    Attributes:
        source: The file (or built-in policy name) that failed.
        problems: One ``(field, message, fix)`` tuple per problem found.
    """

    def __init__(self, source: str, problems: list[tuple[str, str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid policy ({len(problems)} problem(s))"]
        for field, message, fix in problems:
            lines.append(f"  - {field}: {message}" + (f" Fix: {fix}" if fix else ""))
        super().__init__("\n".join(lines))


class ProviderUnavailable(CloudAuditError, ImportError):
    """The SDK for a provider is not installed. The message names the extra to install."""

    def __init__(self, provider: str, extra: str, missing: str) -> None:
        self.provider = provider
        self.extra = extra
        super().__init__(
            f"The {provider} provider needs the '{missing}' package. "
            f"Install it with: pip install 'cloudaudit[{extra}]'"
        )


class AuthenticationError(CloudAuditError):
    """No usable credentials were found for a provider."""


class CatalogError(CloudAuditError):
    """The packaged region catalog or legal lists are missing or invalid."""
