"""Compare declared location guardrails with a cloudaudit policy and with the estate (pure).

Three comparisons, per scope:

1. a guardrail *permits* a location the policy restricts (judged by the policy engine, so the
   reason is the engine's: ``allows ap-east-1, Hong Kong (HK), which 15 CFR 791.4 counts as part
   of China``);
2. a resource exists *outside* what a guardrail that covers it allows;
3. a scope whose guardrails were read has *no* location guardrail.

No I/O and no provider imports: the providers read the guardrails, this module only compares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from cloudaudit._guardrail_model import (
    Guardrail,
    GuardrailFinding,
    GuardrailFindingKind,
    GuardrailScope,
    GuardrailSection,
    glob_match,
)
from cloudaudit.catalog import Catalog
from cloudaudit.models import Location, LocationKind, ProviderId, Resource, Status
from cloudaudit.policies import Engine

__all__ = ["compare_guardrails", "permitted_locations"]

_ACCOUNT_KINDS = frozenset({"account", "subscription", "project"})
_JUDGED_KINDS = frozenset(
    {LocationKind.REGION, LocationKind.MULTI_REGION, LocationKind.DUAL_REGION}
)


def permitted_locations(guardrail: Guardrail, catalog: Catalog) -> list[str]:
    """Catalog locations of the guardrail's cloud (and partition) that its rule permits."""
    try:
        entries = catalog.regions(guardrail.provider)
    except (KeyError, ValueError):
        return []
    out = []
    for code, entry in entries.items():
        if entry.kind not in _JUDGED_KINDS:
            continue
        if guardrail.partition and entry.partition and entry.partition != guardrail.partition:
            continue
        if guardrail.partition and entry.partition is None and guardrail.provider == "azure":
            continue  # Azure's logical geographies (``europe``) are not deployable locations
        if guardrail.rule.permits(code):
            out.append(code)
    return sorted(out)


def _permits_restricted(guardrail: Guardrail, engine: Engine) -> GuardrailFinding | None:
    reasons: list[str] = []
    codes: list[str] = []
    matched: list[str] = []
    for code in permitted_locations(guardrail, engine.catalog):
        loc = Location(provider=ProviderId(guardrail.provider), region=code)
        status, text, hits = engine.place_verdict(loc)
        if status is Status.VIOLATION:
            codes.append(code)
            matched.extend(hits)
            reasons.append(f"{guardrail.label} allows {text}")
    if not codes:
        return None
    reasons.extend(_caveats(guardrail))
    return GuardrailFinding(
        kind=GuardrailFindingKind.PERMITS_RESTRICTED,
        provider=guardrail.provider,
        scope=guardrail.attached_to.id,
        account=guardrail.attached_to.account,
        guardrail=guardrail.id,
        guardrail_label=guardrail.label,
        locations=tuple(codes),
        jurisdictions=tuple(dict.fromkeys(matched)),
        reasons=tuple(reasons),
    )


def _caveats(guardrail: Guardrail) -> list[str]:
    out = []
    if guardrail.enforcement != "enforced":
        out.append(f"the guardrail is {guardrail.enforcement}: it denies nothing")
    if guardrail.exempt_actions:
        out.append("it exempts the actions " + ", ".join(guardrail.exempt_actions[:8]))
    if guardrail.exempt_principals:
        out.append("it exempts the principals " + ", ".join(guardrail.exempt_principals))
    out.extend(guardrail.notes)
    return out


def _outside_reason(resource: Resource, guardrail: Guardrail, where: str) -> str:
    ways = ["it was created before the guardrail applied"]
    if guardrail.exempt_principals:
        ways.append("by an exempted principal (" + ", ".join(guardrail.exempt_principals) + ")")
    if _names_service(guardrail.exempt_actions, resource.service):
        ways.append(f"through an exempted action ({resource.service} is in its NotAction)")
    if guardrail.resources or guardrail.exempt_resources:
        ways.append("it is not among the resources the guardrail restricts")
    if guardrail.enforcement != "enforced":
        ways.append(f"the guardrail is {guardrail.enforcement} and denies nothing")
    return (
        f"{resource.label} of {resource.account} is in {where}, but {guardrail.label} "
        f"{guardrail.rule.describe()}; either " + ", or ".join(ways)
    )


def _names_service(actions: Sequence[str], service: str) -> bool:
    """True when an IAM action pattern (``s3:*``, ``ec2:Run*``) is of ``service``."""
    return any(glob_match(a.split(":", 1)[0], service, case_sensitive=False) for a in actions)


def _types_match(guardrail: Guardrail, resource: Resource) -> bool:
    if guardrail.actions and not _names_service(guardrail.actions, resource.service):
        return False  # the guardrail restricts other services only
    if not guardrail.resource_types:
        return True
    wanted = {t.lower() for t in guardrail.resource_types}
    full = f"{resource.service}/{resource.type}".lower()
    return full in wanted or resource.type.lower() in wanted


def _resources_outside(
    guardrails: Sequence[Guardrail], resources: Iterable[Resource], engine: Engine
) -> list[GuardrailFinding]:
    by_account: dict[tuple[str, str], list[Guardrail]] = defaultdict(list)
    for g in guardrails:
        for acct in g.applies_to:
            by_account[(g.provider, acct)].append(g)
    out: list[GuardrailFinding] = []
    for r in resources:
        loc = r.location
        candidates = by_account.get((r.provider.value, r.account))
        if not candidates or loc.region is None or loc.kind not in _JUDGED_KINDS:
            continue
        for g in candidates:
            if not _types_match(g, r) or not g.covers(r.account, r.id):
                continue
            if g.rule.permits(loc.region):
                continue
            at = Location(provider=r.provider, region=loc.region)
            where = engine.describe_place(at)
            hits = engine.place_verdict(at)[2]
            out.append(
                GuardrailFinding(
                    kind=GuardrailFindingKind.RESOURCE_OUTSIDE,
                    provider=g.provider,
                    scope=r.account,
                    account=r.account,
                    guardrail=g.id,
                    guardrail_label=g.label,
                    resource_id=r.id,
                    locations=(loc.region,),
                    jurisdictions=hits,
                    reasons=(_outside_reason(r, g, where),),
                )
            )
    return out


def _no_guardrail(
    guardrails: Sequence[Guardrail], checked: Sequence[GuardrailScope]
) -> list[GuardrailFinding]:
    out: list[GuardrailFinding] = []
    for scope in checked:
        if scope.kind not in _ACCOUNT_KINDS:
            continue
        mine = [g for g in guardrails if g.provider == scope.provider and scope.id in g.applies_to]
        if any(_guards_whole(g) for g in mine):
            continue
        out.append(
            GuardrailFinding(
                kind=GuardrailFindingKind.NO_GUARDRAIL,
                provider=scope.provider,
                scope=scope.id,
                account=scope.account or scope.id,
                reasons=tuple(_no_guardrail_reasons(scope, mine)),
            )
        )
    return out


def _guards_whole(guardrail: Guardrail) -> bool:
    """True when the guardrail denies (not only audits) requests anywhere in its accounts.

    One limited to some resource types (Azure's "Allowed locations for resource groups")
    does not: every other resource can still be created anywhere.
    """
    return (
        guardrail.within is None
        and guardrail.enforcement == "enforced"
        and not guardrail.resource_types
        and not guardrail.resources
        and not guardrail.exempt_resources
        and "*" not in guardrail.exempt_actions
    )


def _no_guardrail_reasons(scope: GuardrailScope, mine: Sequence[Guardrail]) -> list[str]:
    """Why ``scope`` has no location guardrail, naming the guardrails that fall short."""
    reasons = [
        f"{scope} has no location guardrail: nothing declared stops resources from being "
        "created in any location"
    ]
    partial = [g for g in mine if g.within is not None]
    if partial:
        reasons.append(
            "only parts of it are covered: " + ", ".join(g.within or "" for g in partial)
        )
    typed = [g for g in mine if g.resource_types]
    if typed:
        reasons.append(
            "only some resource types are covered: "
            + "; ".join(f"{g.label} ({', '.join(g.resource_types)})" for g in typed)
        )
    some = [g for g in mine if g.resources or g.exempt_resources]
    if some:
        reasons.append(
            "only some resources are covered (Resource / NotResource): "
            + ", ".join(g.label for g in some)
        )
    every = [g for g in mine if "*" in g.exempt_actions]
    if every:
        reasons.append("guardrails that exempt every action: " + ", ".join(g.label for g in every))
    audit = [g for g in mine if g.enforcement == "audit"]
    if audit:
        reasons.append(
            "audit-only guardrails (they report, they deny nothing): "
            + ", ".join(g.label for g in audit)
        )
    disabled = [g for g in mine if g.enforcement == "disabled"]
    if disabled:
        reasons.append("disabled guardrails: " + ", ".join(g.label for g in disabled))
    return reasons


def compare_guardrails(
    guardrails: Sequence[Guardrail],
    checked: Sequence[GuardrailScope],
    resources: Iterable[Resource],
    engine: Engine,
) -> GuardrailSection:
    """Compare guardrails with the engine's policy and with the resources (pure).

    Args:
        guardrails: The guardrails read.
        checked: The scopes whose guardrails were read.
        resources: The resources the audit saw.
        engine: The policy engine (its policy and catalog judge the permitted locations).

    Returns:
        The report's guardrails section, findings sorted by kind, provider, scope and id.
    """
    gs = sorted(set(guardrails), key=lambda g: (g.provider, g.attached_to.id, g.id))
    findings: list[GuardrailFinding] = []
    for g in gs:
        hit = _permits_restricted(g, engine)
        if hit is not None:
            findings.append(hit)
    findings.extend(_resources_outside(gs, resources, engine))
    scopes = sorted(set(checked), key=lambda s: (s.provider, s.kind, s.id))
    findings.extend(_no_guardrail(gs, scopes))
    order = list(GuardrailFindingKind)
    findings.sort(
        key=lambda f: (
            order.index(f.kind),
            f.provider,
            f.scope,
            f.guardrail or "",
            f.resource_id or "",
        )
    )
    return GuardrailSection(guardrails=tuple(gs), checked=tuple(scopes), findings=tuple(findings))
