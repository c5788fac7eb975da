"""GCP location guardrails: the effective ``gcp.resourceLocations`` org policy per project.

I/O: ``OrgPolicyClient.get_effective_policy`` (Org Policy v2) for each project; the service
resolves inheritance from the folders and the organization (``inheritFromParent``, ``reset``).
Pure: :func:`to_guardrail` turns the effective policy's rules into a
:class:`~cloudaudit.guardrails.Guardrail`, expanding value groups with
:mod:`cloudaudit.providers.gcp._value_groups`. A project whose policy cannot be read, or whose
policy names a value group that cannot be expanded, is a coverage gap, never "no guardrail".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cloudaudit._guardrail_model import Guardrail, GuardrailScope, LocationRule
from cloudaudit.catalog import Catalog
from cloudaudit.evidence._record import recorded
from cloudaudit.models import CoverageGap, ProviderId, Resource
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._work import Scope, Unit, Work, make_gap
from cloudaudit.providers.gcp._value_groups import expand

__all__ = ["CONSTRAINT", "fetch_effective_policy", "read_guardrails", "to_guardrail"]

NAME = ProviderId.GCP.value
CONSTRAINT = "gcp.resourceLocations"


@recorded("orgpolicy:getEffectivePolicy")
def fetch_effective_policy(client: Any, project: str, **call: Any) -> dict[str, Any]:
    """``GET /v2/projects/{project}/policies/gcp.resourceLocations:getEffectivePolicy``."""
    from google.protobuf.json_format import MessageToDict

    name = f"projects/{project}/policies/{CONSTRAINT}"
    policy = client.get_effective_policy(request={"name": name}, **call)
    raw = getattr(policy, "_pb", policy)
    out: dict[str, Any] = MessageToDict(raw)
    return out


def to_guardrail(
    project: str, policy: Mapping[str, Any], catalog: Catalog
) -> tuple[Guardrail | None, tuple[str, ...]]:
    """The project's location guardrail from its effective policy (pure).

    Returns:
        ``(guardrail, unknown value groups)``; the guardrail is ``None`` when the policy
        allows every location to the resources no condition singles out (no unconditional
        rule, ``allowAll``, or an empty list).
    """
    everyone = (policy.get("spec") or {}).get("rules") or []
    # a rule with a condition applies only to the resources it matches (their tags): the
    # project-wide guardrail is the unconditional rules; the others are named in a note
    rules = [r for r in everyone if not r.get("condition")]
    notes = [
        "a rule for the resources matching "
        f"{r['condition'].get('expression', '?')} is not part of this guardrail (it applies to "
        "those resources only, and they may be allowed more or less)"
        for r in everyone
        if r.get("condition")
    ]
    allowed: list[str] = []
    denied: list[str] = []
    allow_all = not rules
    deny_all = False
    for rule in rules:
        if rule.get("allowAll"):
            allow_all = True
        if rule.get("denyAll"):
            deny_all = True
        values = rule.get("values") or {}
        allowed.extend(values.get("allowedValues") or ())
        denied.extend(values.get("deniedValues") or ())
    allow, unknown_a = expand(allowed, catalog)
    deny, unknown_d = expand(denied, catalog)
    unknown = unknown_a + unknown_d
    rule_: LocationRule | None
    if deny_all:
        rule_ = LocationRule(allow=(), case_sensitive=False)
    elif allow_all or (not allowed and not denied):
        rule_ = LocationRule(deny=deny, case_sensitive=False) if deny else None
    else:
        rule_ = LocationRule(allow=allow if allowed else None, deny=deny, case_sensitive=False)
    if rule_ is None:
        return None, unknown
    scope = GuardrailScope(provider=NAME, kind="project", id=f"projects/{project}", account=project)
    name = str(policy.get("name") or f"projects/{project}/policies/{CONSTRAINT}")
    listed = ", ".join([*allowed, *(f"not {d}" for d in denied)]) or "deny all"
    guardrail = Guardrail(
        provider=NAME,
        kind="gcp_org_policy",
        id=name,
        name=CONSTRAINT,
        attached_to=scope,
        applies_to=(project,),
        rule=rule_,
        source=f"orgpolicy getEffectivePolicy {name} ({listed})",
        notes=(
            *notes,
            "applies only to resources created after it was set; global resources are exempt",
        ),
    )
    return guardrail, unknown


def read_guardrails(
    fanout: Work, client: Any, projects: Sequence[str], catalog: Catalog, **call: Any
) -> Iterator[Batch]:
    """Read each project's effective policy (one unit each) and yield one batch."""
    found: dict[str, dict[str, Any]] = {}

    def unit(project: str) -> Unit:
        def go() -> Sequence[Resource]:
            found[project] = fetch_effective_policy(client, project, **call)
            return ()

        return Unit(Scope(NAME, project, None, "guardrails"), go)

    gaps: list[CoverageGap] = [
        o.gap for o in fanout.run([unit(p) for p in projects]) if o.gap is not None
    ]
    guardrails: list[Guardrail] = []
    checked: list[GuardrailScope] = []
    for project in projects:
        if project not in found:
            continue
        guardrail, unknown = to_guardrail(project, found[project], catalog)
        if unknown:
            message = (
                f"the effective {CONSTRAINT} policy of {project} names value groups that "
                f"cloudaudit cannot expand: {', '.join(unknown)}"
            )
            gaps.append(
                make_gap(Scope(NAME, project, None, "guardrails"), "UnknownValueGroup", message)
            )
            continue
        checked.append(GuardrailScope(provider=NAME, kind="project", id=project, account=project))
        if guardrail is not None:
            guardrails.append(guardrail)
    yield Batch(gaps=tuple(gaps), guardrails=tuple(guardrails), guardrail_scopes=tuple(checked))
