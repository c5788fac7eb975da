"""Pure evaluation of ``aws:RequestedRegion`` in SCP and RCP documents, as IAM evaluates it.

IAM semantics used here (IAM User Guide, "IAM JSON policy elements: Condition operators" and
"Condition keys with multiple values"; Organizations User Guide, "SCP evaluation"):

* within one ``Condition`` block every operator and every key must match (AND); the values of
  one key are alternatives (OR); for a negated operator (``StringNotEquals``,
  ``StringNotLike``) the key matches when it equals or is like *none* of the values;
* ``aws:RequestedRegion`` is single-valued and always present, so the ``ForAnyValue:`` and
  ``ForAllValues:`` prefixes and the ``...IfExists`` suffix behave like the plain operator;
* ``StringLike`` / ``StringNotLike`` use ``*`` and ``?`` wildcards, case-sensitively;
* a ``Deny`` with ``StringNotEquals``/``StringNotLike`` denies every region outside the
  list (the region-deny pattern); with ``StringEquals``/``StringLike`` it denies the listed
  regions; an ``Allow`` with ``StringEquals``/``StringLike`` allows only the listed regions;
* ``NotAction`` exempts actions (global services), ``ArnNotLike``/``ArnNotEquals``/
  ``StringNotLike``/``StringNotEquals`` on ``aws:PrincipalArn`` exempt principals; any other
  condition key narrows the deny to some requests, which is recorded as a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudaudit._guardrail_model import LocationRule

__all__ = ["RegionStatement", "region_statements"]

_REGION_KEY = "aws:requestedregion"
_PRINCIPAL_KEYS = frozenset({"aws:principalarn"})
_NEGATED = {"stringnotequals": False, "stringnotlike": True}
_POSITIVE = {"stringequals": False, "stringlike": True}
_PRINCIPAL_EXEMPT_OPS = frozenset(
    {"arnnotlike", "arnnotequals", "stringnotlike", "stringnotequals"}
)


@dataclass(frozen=True)
class RegionStatement:
    """What one statement says about regions.

    Attributes:
        sid: The statement's ``Sid`` (or its index).
        effect: ``Deny`` or ``Allow``.
        rule: The locations the statement leaves permitted (deny-forms) or allows (allow-forms).
        actions: The actions the statement restricts (empty: every action).
        exempt_actions: Its ``NotAction`` list.
        exempt_principals: Principal patterns its condition exempts.
        notes: Conditions that were not evaluated (they narrow the statement).
    """

    sid: str
    effect: str
    rule: LocationRule
    actions: tuple[str, ...] = ()
    exempt_actions: tuple[str, ...] = ()
    exempt_principals: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _operator(name: str) -> str:
    op = name.lower()
    for prefix in ("foranyvalue:", "forallvalues:"):
        op = op.removeprefix(prefix)
    return op.removesuffix("ifexists")


def _condition(
    condition: dict[str, Any],
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None:
    """Split a Condition block: (form, region patterns, principal exemptions, notes).

    ``form`` is ``outside`` (negated region operator), ``inside`` (positive one) or ``None``
    when the block has no ``aws:RequestedRegion``.
    """
    form = ""
    patterns: list[str] = []
    principals: list[str] = []
    notes: list[str] = []
    for op_name, block in condition.items():
        op = _operator(op_name)
        if not isinstance(block, dict):
            notes.append(f"condition {op_name} is not an object; not evaluated")
            continue
        for key, value in block.items():
            k = key.lower()
            if k == _REGION_KEY and (op in _NEGATED or op in _POSITIVE):
                like = _NEGATED.get(op, _POSITIVE.get(op, False))
                this = "outside" if op in _NEGATED else "inside"
                if form and form != this:
                    notes.append(f"{op_name} on {key} combines both forms; not evaluated")
                    continue
                form = this
                for v in _strings(value):
                    if not like and any(c in v for c in "*?"):
                        notes.append(
                            f"{op_name} compares {v!r} literally (wildcards need "
                            f"{op_name.replace('Equals', 'Like')}): it matches no region"
                        )
                    else:
                        patterns.append(v)
            elif k == _REGION_KEY:
                notes.append(f"{op_name} on {key} is not a string operator; not evaluated")
            elif k in _PRINCIPAL_KEYS and op in _PRINCIPAL_EXEMPT_OPS:
                principals.extend(_strings(value))
            else:
                shown = ", ".join(_strings(value)) or "..."
                notes.append(f"applies only when {op_name} {key} [{shown}]")
    if not form:
        return None
    return form, tuple(patterns), tuple(principals), tuple(notes)


def region_statements(document: dict[str, Any]) -> list[RegionStatement]:
    """The statements of a policy document that restrict or allow by ``aws:RequestedRegion``.

    Args:
        document: The parsed policy document (``DescribePolicy``'s ``Content``).

    Returns:
        One :class:`RegionStatement` per statement that conditions on the requested region.
    """
    raw = document.get("Statement", [])
    statements = [raw] if isinstance(raw, dict) else list(raw or [])
    out: list[RegionStatement] = []
    for i, st in enumerate(statements):
        if not isinstance(st, dict):
            continue
        cond = st.get("Condition") or {}
        parsed = _condition(cond) if isinstance(cond, dict) else None
        if parsed is None:
            continue
        form, patterns, principals, notes = parsed
        effect = str(st.get("Effect", "")).capitalize()
        if effect == "Deny" and form == "outside":
            rule = LocationRule(allow=patterns)
        elif effect == "Deny":
            rule = LocationRule(deny=patterns)
        elif effect == "Allow" and form == "inside":
            rule = LocationRule(allow=patterns)
        else:
            continue  # an Allow outside some regions grants, it does not restrict
        actions = _strings(st.get("Action"))
        out.append(
            RegionStatement(
                sid=str(st.get("Sid") or i),
                effect=effect,
                rule=rule,
                actions=() if "*" in actions else actions,
                exempt_actions=_strings(st.get("NotAction")),
                exempt_principals=principals,
                notes=notes,
            )
        )
    return out


def allows_everything(document: dict[str, Any]) -> bool:
    """True when the document has an unconditional ``Allow`` of every action (FullAWSAccess)."""
    raw = document.get("Statement", [])
    statements = [raw] if isinstance(raw, dict) else list(raw or [])
    for st in statements:
        if not isinstance(st, dict) or str(st.get("Effect", "")).capitalize() != "Allow":
            continue
        if "*" in _strings(st.get("Action")) and not st.get("Condition"):
            return True
    return False
