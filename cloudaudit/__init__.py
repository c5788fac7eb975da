"""cloudaudit: where does our data really live, and who operates the place it lives in?

Importing cloudaudit imports no cloud SDK, does no I/O and loads nothing but its version: each
public name is imported on first use (``cloudaudit.AwsProvider`` needs ``cloudaudit[aws]``).

Example:
    >>> import cloudaudit
    >>> from cloudaudit.testing import FakeProvider, make_resource
    >>> report = cloudaudit.audit([FakeProvider([make_resource("aws", "ap-east-1")])],
    ...                           cloudaudit.load_policy("us-foreign-adversaries"))
    >>> report.summary.violation
    1
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types

from cloudaudit._lazy import lazy_export as _lazy_export
from cloudaudit._provider_table import BUILTINS as _BUILTINS
from cloudaudit._version import __version__

TYPE_CHECKING = False  # not typing's: importing typing (and re) costs ~40 ms of start-up
if TYPE_CHECKING:  # every public name is imported on first use (see __getattr__)
    from typing import Any

    from cloudaudit._audit import audit, audit_iter
    from cloudaudit._evaluate import evaluate
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
    from cloudaudit.providers import Batch, FanOut, Provider, Scope, Unit, Work

    # the provider classes, for type checkers: at run time they come from the provider table
    # (_provider_table.BUILTINS, see _EXPORTS); a test checks that these lines match it
    from cloudaudit.providers.alibaba import AlibabaProvider
    from cloudaudit.providers.aws import AwsProvider
    from cloudaudit.providers.azure import AzureProvider
    from cloudaudit.providers.gcp import GcpProvider
    from cloudaudit.report import Report, Summary

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
    "Work",
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

_EXPORTS: dict[str, str] = {
    "AuthenticationError": "cloudaudit.errors",
    "Batch": "cloudaudit.providers",
    "Catalog": "cloudaudit.catalog",
    "CatalogError": "cloudaudit.errors",
    "CloudAuditError": "cloudaudit.errors",
    "ConfigurationError": "cloudaudit.errors",
    "Coverage": "cloudaudit.models",
    "CoverageGap": "cloudaudit.models",
    "Evidence": "cloudaudit.models",
    "Exemption": "cloudaudit.policies",
    "FanOut": "cloudaudit.providers",
    "Finding": "cloudaudit.models",
    "Guardrail": "cloudaudit.guardrails",
    "GuardrailFinding": "cloudaudit.guardrails",
    "GuardrailFindingKind": "cloudaudit.guardrails",
    "GuardrailScope": "cloudaudit.guardrails",
    "GuardrailSection": "cloudaudit.guardrails",
    "Location": "cloudaudit.models",
    "LocationKind": "cloudaudit.models",
    "LocationRule": "cloudaudit.guardrails",
    "Place": "cloudaudit.models",
    "Policy": "cloudaudit.policies",
    "PolicyError": "cloudaudit.errors",
    "Provider": "cloudaudit.providers",
    "ProviderId": "cloudaudit.models",
    "ProviderUnavailable": "cloudaudit.errors",
    "Report": "cloudaudit.report",
    "ReportDiff": "cloudaudit.diff",
    "Resource": "cloudaudit.models",
    "Scope": "cloudaudit.providers",
    "ScopeRecord": "cloudaudit.models",
    "Status": "cloudaudit.models",
    "Summary": "cloudaudit.report",
    "Unit": "cloudaudit.providers",
    "Work": "cloudaudit.providers",
    "audit": "cloudaudit._audit",
    "audit_iter": "cloudaudit._audit",
    "builtin_policy_names": "cloudaudit.policies",
    "compare_guardrails": "cloudaudit.guardrails",
    "diff": "cloudaudit.diff",
    "evaluate": "cloudaudit._evaluate",
    "load_policy": "cloudaudit.policies",
    "locate": "cloudaudit.catalog",
}
"""Where each public name lives. ``import cloudaudit`` imports none of these modules (no
pydantic, no catalog, no SDK): a name's module is imported on first use of the name, so that
``import cloudaudit`` and ``cloudaudit --version`` start in a few tens of milliseconds.

The provider classes (``AwsProvider``...) are added from the one provider table."""
_EXPORTS.update({spec.class_name: spec.module for spec in _BUILTINS})


if not TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is an error

    def __getattr__(name: str) -> Any:
        # not kept: see _Package (the submodule of that name must not shadow the function)
        return _lazy_export("cloudaudit", _EXPORTS, globals(), name, keep=name != "diff")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(_types.ModuleType):
    """``cloudaudit.diff`` is the function even once the ``cloudaudit.diff`` module is imported.

    Importing a submodule sets it as an attribute of its package; a data descriptor on the
    package's class takes precedence and ignores that write (the module stays reachable as
    ``sys.modules["cloudaudit.diff"]`` and by ``import cloudaudit.diff``).
    """

    @property
    def diff(self) -> Any:
        """:func:`cloudaudit.diff.diff`."""
        return _importlib.import_module("cloudaudit.diff").diff

    @diff.setter
    def diff(self, _value: Any) -> None:
        pass


_sys.modules[__name__].__class__ = _Package
