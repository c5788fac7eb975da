"""Typed models of declared location guardrails and of their comparison with the estate.

A *guardrail* is what an organization declares about where resources may be created: an AWS
service or resource control policy that denies requests outside some regions, Control Tower's
region deny, an Azure Policy "Allowed locations" assignment, a GCP ``gcp.resourceLocations``
organization policy. Each is normalised to a :class:`LocationRule` (allow and deny patterns over
the vendor's location codes) attached to a :class:`GuardrailScope`.

The comparison (:func:`cloudaudit.guardrails.compare_guardrails`) yields three kinds of
:class:`GuardrailFinding`:

* ``permits_restricted``: the guardrail lets resources be created in a location that the chosen
  cloudaudit policy restricts;
* ``resource_outside``: a resource exists where the guardrail does not allow it;
* ``no_guardrail``: a scope whose guardrails were read has none about locations.

This module imports nothing else from cloudaudit, so :mod:`cloudaudit.models` can embed it.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field, model_validator

__all__ = [
    "Guardrail",
    "GuardrailFinding",
    "GuardrailFindingKind",
    "GuardrailScope",
    "GuardrailSection",
    "LocationRule",
    "glob_match",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


@cache
def _glob_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def glob_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """Match ``value`` against an IAM-style pattern: ``*`` any run, ``?`` one character.

    No other character is special (unlike :mod:`fnmatch`, brackets match themselves), as in
    IAM's ``StringLike``.
    """
    return _glob_regex(pattern, case_sensitive).match(value) is not None


class LocationRule(BaseModel):
    """Which location codes a guardrail lets resources be created in.

    Attributes:
        allow: Patterns of allowed locations; ``None`` means every location not denied.
        deny: Patterns of denied locations (a deny wins over an allow).
        case_sensitive: Whether codes compare case-sensitively (IAM: yes; Azure, GCP: no).
    """

    model_config = _FROZEN

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    case_sensitive: bool = True

    def permits(self, location: str) -> bool:
        """True when the rule lets a resource be created in ``location``."""
        cs = self.case_sensitive
        if any(glob_match(p, location, case_sensitive=cs) for p in self.deny):
            return False
        if self.allow is None:
            return True
        return any(glob_match(p, location, case_sensitive=cs) for p in self.allow)

    def describe(self) -> str:
        """A short human text: ``allows eu-central-1, eu-west-1`` or ``denies ap-east-1``."""
        parts = []
        if self.allow is not None:
            parts.append("allows " + (", ".join(self.allow) or "no location"))
        if self.deny:
            parts.append("denies " + ", ".join(self.deny))
        return "; ".join(parts) or "allows every location"


class GuardrailScope(BaseModel):
    """A place in a cloud's hierarchy where a guardrail is declared or whose guardrails were read.

    Attributes:
        provider: Cloud identifier (``aws``, ``azure``, ``gcp``).
        kind: ``root``, ``ou`` or ``account`` (AWS); ``management_group``, ``subscription`` or
            ``resource_group`` (Azure); ``organization``, ``folder`` or ``project`` (GCP).
        id: The vendor's id (account id, OU id, Azure scope path, GCP resource name).
        name: A display name, when known.
        account: The account / subscription / project id the scope is or belongs to.
    """

    model_config = _FROZEN

    provider: str
    kind: str
    id: str
    name: str | None = None
    account: str | None = None

    def __str__(self) -> str:
        kind = self.kind.replace("_", " ")
        if self.name and self.id.startswith("/"):  # an Azure scope path: its name suffices
            return f"{kind} {self.name}"
        label = f"{kind} {self.id}"
        return f"{label} ({self.name})" if self.name and self.name != self.id else label


class Guardrail(BaseModel):
    """One declared location guardrail, normalised.

    Attributes:
        provider: Cloud identifier.
        kind: ``scp``, ``rcp``, ``control_tower``, ``control_tower_governed``, ``azure_policy``
            or ``gcp_org_policy``.
        id: The vendor's id of the declaration (policy id, assignment id, policy name).
        name: Its display name.
        attached_to: Where it is declared.
        applies_to: Ids of the accounts / subscriptions / projects it applies to.
        within: Only resources whose id starts with this prefix (an Azure resource group).
        excluded: Resource-id prefixes it does not apply to (Azure ``notScopes``).
        rule: The locations it allows and denies.
        partition: The partition or cloud its codes belong to (``aws``, ``AzureCloud``).
        enforcement: ``enforced``, ``audit`` (reported, not denied) or ``disabled``.
        actions: The only actions it restricts (an SCP statement's ``Action``); empty means
            every action.
        exempt_actions: Actions it does not restrict (an SCP's ``NotAction``).
        exempt_principals: Principals it does not restrict (``ArnNotLike aws:PrincipalArn``).
        resources: The only resources it restricts (an SCP statement's ``Resource`` other
            than ``*``); empty means every resource.
        exempt_resources: Resources it does not restrict (an SCP's ``NotResource``).
        resource_types: Only these resource types (Azure ``Allowed locations for resource
            groups`` applies to resource groups only); empty means every type.
        source: The API call and document it was read from.
        notes: What the reader could not express in ``rule`` (conditions it did not evaluate).
    """

    model_config = _FROZEN

    provider: str
    kind: str
    id: str
    name: str
    attached_to: GuardrailScope
    applies_to: tuple[str, ...] = ()
    within: str | None = None
    excluded: tuple[str, ...] = ()
    rule: LocationRule
    partition: str | None = None
    enforcement: Literal["enforced", "audit", "disabled"] = "enforced"
    actions: tuple[str, ...] = ()
    exempt_actions: tuple[str, ...] = ()
    exempt_principals: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    exempt_resources: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``SCP `deny-outside-eu` (p-1234) attached to root r-ab12``."""
        kind = {
            "scp": "SCP",
            "rcp": "RCP",
            "control_tower": "Control Tower region deny",
            "control_tower_governed": "Control Tower governed regions",
            "azure_policy": "Azure Policy assignment",
            "gcp_org_policy": "org policy",
        }.get(self.kind, self.kind)
        plain = self.name == self.id or self.id.startswith("/")
        shown = self.name if plain else f"{self.name} ({self.id})"
        return f"{kind} `{shown}` at {self.attached_to}"

    def covers(self, account: str, resource_id: str) -> bool:
        """True when the guardrail applies to a resource of ``account`` with ``resource_id``."""
        if account not in self.applies_to:
            return False
        rid = resource_id.lower()
        if self.within is not None and not _under(rid, self.within):
            return False
        return not any(_under(rid, x) for x in self.excluded)


def _under(resource_id: str, scope: str) -> bool:
    """True when ``resource_id`` (lower-case) is ``scope`` or inside it, path by path.

    ``.../resourceGroups/app`` holds ``.../resourceGroups/app/providers/...`` but not
    ``.../resourceGroups/app2/...``: a prefix of the text is not a parent of the path.
    """
    prefix = scope.lower().rstrip("/")
    return resource_id == prefix or resource_id.startswith(prefix + "/")


class GuardrailFindingKind(StrEnum):
    """The three ways a guardrail and the estate can disagree."""

    PERMITS_RESTRICTED = "permits_restricted"
    RESOURCE_OUTSIDE = "resource_outside"
    NO_GUARDRAIL = "no_guardrail"


class GuardrailFinding(BaseModel):
    """One disagreement between a declared guardrail and the policy or the estate.

    Attributes:
        kind: Which of the three comparisons produced it.
        provider: Cloud identifier.
        scope: The scope it concerns (the guardrail's attachment, or the account).
        account: The account / subscription / project, when one is concerned.
        guardrail: The guardrail's id (``None`` for ``no_guardrail``).
        guardrail_label: The guardrail's human label.
        resource_id: The resource (``resource_outside`` only).
        locations: The location codes concerned.
        jurisdictions: Countries of the policy's lists that the locations matched.
        reasons: Sentences an auditor can read.
    """

    model_config = _FROZEN

    kind: GuardrailFindingKind
    provider: str
    scope: str
    account: str | None = None
    guardrail: str | None = None
    guardrail_label: str | None = None
    resource_id: str | None = None
    locations: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _drop_computed_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" in data:
            data = {k: v for k, v in data.items() if k != "id"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """Stable id: the same disagreement has the same id in every report."""
        raw = "\x00".join(
            (
                self.kind.value,
                self.provider,
                self.scope,
                self.guardrail or "",
                self.resource_id or "",
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:20]


class GuardrailSection(BaseModel):
    """The guardrails part of a report.

    Attributes:
        guardrails: Every location guardrail read.
        checked: Scopes whose guardrails were read (a scope that could not be read is a
            coverage gap instead, never listed here).
        findings: The comparison's findings.
    """

    model_config = _FROZEN

    guardrails: tuple[Guardrail, ...] = ()
    checked: tuple[GuardrailScope, ...] = ()
    findings: tuple[GuardrailFinding, ...] = ()

    def of_kind(self, kind: GuardrailFindingKind | str) -> tuple[GuardrailFinding, ...]:
        """The findings of one kind."""
        wanted = GuardrailFindingKind(kind)
        return tuple(f for f in self.findings if f.kind is wanted)
