"""Azure location guardrails: Azure Policy assignments of "Allowed locations" and alike.

Read (I/O, ``fetch_*``): per subscription, ``GET .../policyAssignments`` without a filter,
which lists the assignments at the subscription, inherited from its management groups and
at its resource groups; then each needed definition (``policyDefinitions``) and initiative
(``policySetDefinitions``), once per id.

Recognised (pure, ``to_*``): the built-in "Allowed locations" (``e56962a6-...``) and
"Allowed locations for resource groups" (``e765b5de-...``), and any custom definition of the
same shape: a rule whose ``if`` has ``field: location`` with ``notIn`` (or ``not``/``in``) a
list, an ``effect`` of deny or audit, parameters resolved from the assignment (or the
definition's defaults). Other built-in definitions are not location guardrails and are not
fetched. ``notScopes`` become exclusions; ``enforcementMode: DoNotEnforce`` means the
guardrail only audits. A definition that cannot be read is a coverage gap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit._guardrail_model import Guardrail, GuardrailScope, LocationRule
from cloudaudit.models import ProviderId, Resource
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._work import Scope, Unit, Work
from cloudaudit.providers.azure import _arm

__all__ = [
    "ALLOWED_LOCATIONS",
    "ALLOWED_RG_LOCATIONS",
    "POLICY_API_VERSION",
    "definition_ids",
    "member_ids",
    "needed_definitions",
    "read_guardrails",
    "to_guardrails",
    "to_location_rule",
]

NAME = ProviderId.AZURE.value
POLICY_API_VERSION = "2023-04-01"
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
ALLOWED_RG_LOCATIONS = "e765b5de-1225-4ba3-bd56-1ac6695af988"
_BUILTIN_PREFIX = "/providers/microsoft.authorization/"
_PARAM = re.compile(r"^\[parameters\('([^']+)'\)\]$")


@dataclass(frozen=True)
class _Parsed:
    rule: LocationRule
    resource_types: tuple[str, ...]
    effect: str
    notes: tuple[str, ...]


def _is_builtin(definition_id: str) -> bool:
    return definition_id.lower().startswith(_BUILTIN_PREFIX)


def needed_definitions(definition_id: str) -> bool:
    """Whether a definition must be fetched: the two built-ins, or any custom definition."""
    name = definition_id.rsplit("/", 1)[-1].lower()
    return not _is_builtin(definition_id) or name in (ALLOWED_LOCATIONS, ALLOWED_RG_LOCATIONS)


def _resolve(value: Any, params: Mapping[str, Any], defaults: Mapping[str, Any]) -> Any:
    """Resolve ``[parameters('x')]`` from the assignment's values or the defaults."""
    if isinstance(value, str):
        m = _PARAM.match(value.strip())
        if m:
            name = m.group(1)
            if name in params:
                return (params[name] or {}).get("value")
            return (defaults.get(name) or {}).get("defaultValue")
    return value


def _conditions(cond: Any) -> list[dict[str, Any]]:
    if isinstance(cond, dict) and isinstance(cond.get("allOf"), list):
        return [c for c in cond["allOf"] if isinstance(c, dict)]
    return [cond] if isinstance(cond, dict) else []


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def to_location_rule(definition: Mapping[str, Any], params: Mapping[str, Any]) -> _Parsed | None:
    """The location rule of a policy definition under an assignment's parameters (pure).

    Returns ``None`` when the definition is not location-shaped.
    """
    props = definition.get("properties") or {}
    rule = props.get("policyRule") or {}
    defaults = props.get("parameters") or {}
    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    notes: list[str] = []
    for c in _conditions(rule.get("if")):
        inner = c.get("not") if isinstance(c.get("not"), dict) else None
        field = str((inner or c).get("field", "")).lower()
        if field == "location":
            if inner is not None and "in" in inner:
                allow = _strings(_resolve(inner["in"], params, defaults))
            elif "notIn" in c:
                allow = _strings(_resolve(c["notIn"], params, defaults))
            elif "in" in c:
                deny = _strings(_resolve(c["in"], params, defaults))
            elif str(c.get("notEquals", "")).lower() == "global":
                continue  # global resources are outside every location rule anyway
            else:
                notes.append(f"location condition {c} not evaluated")
        elif field == "type" and "equals" in c:
            types = _strings(_resolve(c["equals"], params, defaults))
        elif field == "type" and "notEquals" in c:
            continue  # an excluded type (b2cDirectories): cloudaudit lists none
        else:
            notes.append(f"applies only when {c}")
    if allow is None and not deny:
        return None
    effect = str(_resolve((rule.get("then") or {}).get("effect", ""), params, defaults)).lower()
    return _Parsed(
        LocationRule(allow=allow, deny=deny, case_sensitive=False),
        tuple(t for t in types if t.lower() != "") or (),
        effect,
        tuple(notes),
    )


def _scope(scope: str) -> GuardrailScope:
    parts = [p for p in scope.split("/") if p]
    low = [p.lower() for p in parts]
    if "managementgroups" in low:
        name = parts[low.index("managementgroups") + 1]
        return GuardrailScope(provider=NAME, kind="management_group", id=scope, name=name)
    sub = parts[1] if len(parts) > 1 and low[0] == "subscriptions" else None
    if "resourcegroups" in low:
        name = parts[low.index("resourcegroups") + 1]
        return GuardrailScope(
            provider=NAME, kind="resource_group", id=scope, name=name, account=sub
        )
    return GuardrailScope(provider=NAME, kind="subscription", id=scope, account=sub)


def _members(
    assignment: Mapping[str, Any], definitions: Mapping[str, Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], dict[str, Any]]]:
    """(definition, parameters) pairs of an assignment; an initiative yields its members."""
    props = assignment.get("properties") or {}
    did = str(props.get("policyDefinitionId", ""))
    params = dict(props.get("parameters") or {})
    target = definitions.get(did.lower())
    if target is None:
        return []
    if "/policysetdefinitions/" not in did.lower():
        return [(target, params)]
    set_props = target.get("properties") or {}
    defaults = set_props.get("parameters") or {}
    out = []
    for member in set_props.get("policyDefinitions") or []:
        member_def = definitions.get(str(member.get("policyDefinitionId", "")).lower())
        if member_def is None:
            continue
        resolved = {
            k: {"value": _resolve((v or {}).get("value"), params, defaults)}
            for k, v in (member.get("parameters") or {}).items()
        }
        out.append((member_def, resolved))
    return out


def _enforcement(effect: str, mode: str) -> str:
    if effect == "disabled":
        return "disabled"
    if effect != "deny" or mode.lower() == "donotenforce":
        return "audit"
    return "enforced"


def to_guardrails(
    assignments: Mapping[str, Sequence[Mapping[str, Any]]],
    definitions: Mapping[str, Mapping[str, Any]],
    partition: str | None,
) -> list[Guardrail]:
    """Location guardrails from the assignments listed per subscription (pure).

    Args:
        assignments: Subscription id -> the assignments listed for it.
        definitions: Lower-cased definition / initiative id -> its REST JSON.
        partition: The cloud's partition name in the catalog (``AzureCloud``...).
    """
    subs_of: dict[str, set[str]] = {}
    by_id: dict[str, Mapping[str, Any]] = {}
    for sub, listed in assignments.items():
        for a in listed:
            aid = str(a.get("id", ""))
            by_id[aid.lower()] = a
            subs_of.setdefault(aid.lower(), set()).add(sub)
    out: list[Guardrail] = []
    for key in sorted(by_id):
        a = by_id[key]
        props = a.get("properties") or {}
        scope = str(props.get("scope", ""))
        attached = _scope(scope)
        within = scope if attached.kind == "resource_group" else None
        not_scopes = tuple(str(s) for s in props.get("notScopes") or ())
        for definition, params in _members(a, definitions):
            parsed = to_location_rule(definition, params)
            if parsed is None:
                continue
            out.append(
                Guardrail(
                    provider=NAME,
                    kind="azure_policy",
                    id=str(a.get("id", "")),
                    name=str(props.get("displayName") or a.get("name") or ""),
                    attached_to=attached,
                    applies_to=_not_excluded(subs_of[key], not_scopes),
                    within=within,
                    excluded=not_scopes,
                    rule=parsed.rule,
                    partition=partition,
                    enforcement=_enforcement(
                        parsed.effect, str(props.get("enforcementMode", "Default"))
                    ),
                    resource_types=parsed.resource_types,
                    source=(
                        f"policyAssignments {a.get('name')} -> "
                        f"{definition.get('name') or definition.get('id')}"
                    ),
                    notes=parsed.notes + _group_exclusions(not_scopes),
                )
            )
    return out


def _not_excluded(subscriptions: Iterable[str], not_scopes: Sequence[str]) -> tuple[str, ...]:
    """The subscriptions that no ``notScopes`` entry names (a subscription in it is exempt)."""
    excluded = {s.lower().rstrip("/") for s in not_scopes}
    return tuple(sorted(s for s in subscriptions if f"/subscriptions/{s}".lower() not in excluded))


def _group_exclusions(not_scopes: Sequence[str]) -> tuple[str, ...]:
    """Notes for excluded management groups: their subscriptions are not known here."""
    return tuple(
        f"notScopes excludes {s}: its subscriptions are not protected (the management "
        "group's members were not resolved)"
        for s in not_scopes
        if "/managementgroups/" in s.lower()
    )


def definition_ids(assignments: Iterable[Mapping[str, Any]]) -> list[str]:
    """Definition and initiative ids the assignments reference (to fetch), de-duplicated."""
    ids = []
    for a in assignments:
        did = str((a.get("properties") or {}).get("policyDefinitionId", ""))
        if did and ("/policysetdefinitions/" in did.lower() or needed_definitions(did)):
            ids.append(did)
    return list(dict.fromkeys(ids))


def member_ids(initiative: Mapping[str, Any]) -> list[str]:
    """The member definition ids of an initiative that may be location guardrails."""
    members = (initiative.get("properties") or {}).get("policyDefinitions") or []
    ids = [str(m.get("policyDefinitionId", "")) for m in members]
    return [i for i in dict.fromkeys(ids) if i and needed_definitions(i)]


# ----------------------------------------------------------------------------- I/O
class _Definitions:
    """Definitions and initiatives fetched once per id, shared by the subscriptions' units."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.found: dict[str, Mapping[str, Any]] = {}
        self.lock = threading.Lock()

    def get(self, ids: Iterable[str]) -> None:
        with self.lock:  # one fetch per id, whichever subscription asks first
            for did in ids:
                if did.lower() not in self.found:
                    self.found[did.lower()] = _arm.fetch_object(
                        self.client, did, POLICY_API_VERSION
                    )


def read_guardrails(
    fanout: Work, client: Any, subscriptions: Sequence[str], partition: str | None
) -> Iterator[Batch]:
    """Read the assignments of each subscription (one unit each) and their definitions.

    A subscription whose assignments, definitions or initiatives cannot be read is a gap
    (service ``guardrails``) and is not among the checked scopes.
    """
    listed: dict[str, list[Mapping[str, Any]]] = {}
    defs = _Definitions(client)

    def unit(sub: str) -> Unit:
        def go() -> Sequence[Resource]:
            rows = _arm.fetch_policy_assignments(client, sub, POLICY_API_VERSION)
            ids = definition_ids(rows)
            defs.get(ids)
            sets = [defs.found[i.lower()] for i in ids if "/policysetdefinitions/" in i.lower()]
            defs.get(m for s in sets for m in member_ids(s))
            listed[sub] = rows
            return ()

        return Unit(Scope(NAME, sub, None, "guardrails"), go)

    gaps = [o.gap for o in fanout.run([unit(s) for s in subscriptions]) if o.gap is not None]
    checked = tuple(
        GuardrailScope(provider=NAME, kind="subscription", id=s, account=s)
        for s in subscriptions
        if s in listed
    )
    guardrails = to_guardrails(listed, defs.found, partition)
    yield Batch(gaps=tuple(gaps), guardrails=guardrails, guardrail_scopes=checked)
