"""cloudaudit: where does our data really live, and who operates the place it lives in?

Importing cloudaudit imports no cloud SDK and does no I/O. Provider classes are imported on
first use of their name (``cloudaudit.AwsProvider`` needs ``cloudaudit[aws]``).

Example:
    >>> import cloudaudit
    >>> from cloudaudit.testing import FakeProvider, make_resource
    >>> report = cloudaudit.audit([FakeProvider([make_resource("aws", "ap-east-1")])],
    ...                           cloudaudit.load_policy("us-foreign-adversaries"))
    >>> report.summary.violation
    1
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cloudaudit._audit import audit, audit_iter, evaluate
from cloudaudit._version import __version__
from cloudaudit.catalog import Catalog, locate
from cloudaudit.diff import ReportDiff, diff
from cloudaudit.errors import (
    AuthenticationError,
    CatalogError,
    CloudAuditError,
    ConfigurationError,
    PolicyError,
    ProviderUnavailable,
)
from cloudaudit.guardrails import (
    Guardrail,
    GuardrailFinding,
    GuardrailFindingKind,
    GuardrailScope,
    GuardrailSection,
    LocationRule,
    compare_guardrails,
)
from cloudaudit.models import (
    Coverage,
    CoverageGap,
    Evidence,
    Finding,
    Location,
    LocationKind,
    Place,
    ProviderId,
    Resource,
    ScopeRecord,
    Status,
)
from cloudaudit.policies import Exemption, Policy, builtin_policy_names, load_policy
from cloudaudit.providers import Batch, FanOut, Provider, Scope, Unit
from cloudaudit.report import Report, Summary

if TYPE_CHECKING:  # provider classes are imported lazily (see __getattr__)
    pass

__all__ = [
    "AlibabaProvider",
    "AuthenticationError",
    "AwsProvider",
    "AzureProvider",
    "Batch",
    "Catalog",
    "CatalogError",
    "CloudAuditError",
    "ConfigurationError",
    "Coverage",
    "CoverageGap",
    "Evidence",
    "Exemption",
    "FanOut",
    "Finding",
    "GcpProvider",
    "Guardrail",
    "GuardrailFinding",
    "GuardrailFindingKind",
    "GuardrailScope",
    "GuardrailSection",
    "Location",
    "LocationKind",
    "LocationRule",
    "Place",
    "Policy",
    "PolicyError",
    "Provider",
    "ProviderId",
    "ProviderUnavailable",
    "Report",
    "ReportDiff",
    "Resource",
    "Scope",
    "ScopeRecord",
    "Status",
    "Summary",
    "Unit",
    "__version__",
    "audit",
    "audit_iter",
    "builtin_policy_names",
    "compare_guardrails",
    "diff",
    "evaluate",
    "load_policy",
    "locate",
]

_LAZY = {
    "AwsProvider": "cloudaudit.providers.aws",
    "GcpProvider": "cloudaudit.providers.gcp",
    "AzureProvider": "cloudaudit.providers.azure",
    "AlibabaProvider": "cloudaudit.providers.alibaba",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cloudaudit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
