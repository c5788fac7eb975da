"""Pure evaluation of ``aws:RequestedRegion`` in SCP and RCP documents, as IAM evaluates it.

IAM semantics used here (IAM User Guide, "IAM JSON policy elements: Condition operators" and
"Condition keys with multiple values"; Organizations User Guide, "SCP evaluation"):

* within one ``Condition`` block every operator and every key must match (AND: two positive
  region operators are intersected, conservatively when wildcards meet); the values of
  one key are alternatives (OR); for a negated operator (``StringNotEquals``,
  ``StringNotLike``) the key matches when it equals or is like *none* of the values;
* ``aws:RequestedRegion`` is single-valued and always present, so the ``ForAnyValue:`` and
  ``ForAllValues:`` prefixes and the ``...IfExists`` suffix behave like the plain operator;
* ``StringLike`` / ``StringNotLike`` use ``*`` and ``?`` wildcards, case-sensitively;
  ``StringEqualsIgnoreCase`` / ``StringNotEqualsIgnoreCase`` compare literally, ignoring case;
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

from cloudaudit._guardrail_model import LocationRule, glob_match

__all__ = ["RegionFreeAllow", "RegionStatement", "region_free_allows", "region_statements"]

_REGION_KEY = "aws:requestedregion"
_PRINCIPAL_KEYS = frozenset({"aws:principalarn"})
_NEGATED = {"stringnotequals": False, "stringnotlike": True, "stringnotequalsignorecase": False}
_POSITIVE = {"stringequals": False, "stringlike": True, "stringequalsignorecase": False}
_IGNORE_CASE = frozenset({"stringnotequalsignorecase", "stringequalsignorecase"})
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
        resources: Its ``Resource`` patterns when not ``*`` (it applies to those only).
        exempt_resources: Its ``NotResource`` patterns (it does not apply to those).
        notes: Conditions that were not evaluated (they narrow the statement).
    """

    sid: str
    effect: str
    rule: LocationRule
    actions: tuple[str, ...] = ()
    exempt_actions: tuple[str, ...] = ()
    exempt_principals: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    exempt_resources: tuple[str, ...] = ()
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


@dataclass(frozen=True)
class _Parsed:
    """A Condition block split: ``form`` is ``outside`` (negated region operator) or ``inside``.

    ``uncertain`` holds patterns that only may lie in the intersection of several positive
    operators (wildcards on both sides): a deny does not count them, an allow does.
    """

    form: str
    patterns: tuple[str, ...]
    principals: tuple[str, ...]
    notes: tuple[str, ...]
    ignore_case: bool = False
    uncertain: tuple[str, ...] = ()


def _region_values(op_name: str, like: bool, value: Any, notes: list[str]) -> list[str]:
    """The patterns one region operator compares with (a literal ``*`` matches no region)."""
    out = []
    for v in _strings(value):
        if not like and any(c in v for c in "*?"):
            notes.append(
                f"{op_name} compares {v!r} literally (wildcards need "
                f"{op_name.replace('Equals', 'Like').replace('IgnoreCase', '')}): "
                "it matches no region"
            )
        else:
            out.append(v)
    return out


def _intersect(
    groups: list[list[str]], case_sensitive: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(certain, uncertain) patterns of the regions every group matches (IAM's AND).

    A pattern without wildcards is certain when every other group matches it; a wildcard
    pattern when every other group has the same pattern or ``*``; any other wildcard pattern
    is uncertain (the intersection of two wildcard patterns is not computed).
    """
    certain: list[str] = []
    uncertain: list[str] = []
    for i, group in enumerate(groups):
        others = groups[:i] + groups[i + 1 :]
        for p in group:
            if not any(c in p for c in "*?"):
                ok = all(
                    any(glob_match(q, p, case_sensitive=case_sensitive) for q in g) for g in others
                )
                if ok:
                    certain.append(p)
            elif all(p in g or "*" in g for g in others):
                certain.append(p)
            elif all(any(any(c in q for c in "*?") for q in g) for g in others):
                uncertain.append(p)
    return tuple(dict.fromkeys(certain)), tuple(dict.fromkeys(uncertain))


def _condition(condition: dict[str, Any]) -> _Parsed | None:
    """Split a Condition block; ``None`` when it has no ``aws:RequestedRegion`` operator."""
    form = ""
    ignore_case = False
    groups: list[list[str]] = []
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
                ignore_case = ignore_case or op in _IGNORE_CASE
                groups.append(_region_values(op_name, like, value, notes))
            elif k == _REGION_KEY:
                notes.append(f"{op_name} on {key} is not a string operator; not evaluated")
            elif k in _PRINCIPAL_KEYS and op in _PRINCIPAL_EXEMPT_OPS:
                principals.extend(_strings(value))
            else:
                shown = ", ".join(_strings(value)) or "..."
                notes.append(f"applies only when {op_name} {key} [{shown}]")
    if not form:
        return None
    if form == "outside" or len(groups) == 1:  # negated operators: outside every list
        patterns = tuple(dict.fromkeys(p for g in groups for p in g))
        return _Parsed(form, patterns, tuple(principals), tuple(notes), ignore_case)
    certain, uncertain = _intersect(groups, not ignore_case)
    if uncertain:
        notes.append(
            "the region operators must all match; where the wildcard patterns "
            + ", ".join(uncertain)
            + " overlap was not computed (a deny counts only the certain regions)"
        )
    return _Parsed(form, certain, tuple(principals), tuple(notes), ignore_case, uncertain)


def _resources(
    statement: dict[str, Any],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(Resource patterns other than ``*``, NotResource patterns, notes) of a statement."""
    resources = _strings(statement.get("Resource"))
    only = () if not resources or "*" in resources else resources
    exempt = _strings(statement.get("NotResource"))
    notes = []
    if only:
        notes.append("applies only to the resources " + ", ".join(only))
    if exempt:
        notes.append("does not apply to the resources (NotResource) " + ", ".join(exempt))
    return only, exempt, tuple(notes)


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
        cs = not parsed.ignore_case
        effect = str(st.get("Effect", "")).capitalize()
        if effect == "Deny" and parsed.form == "outside":
            rule = LocationRule(allow=parsed.patterns, case_sensitive=cs)
        elif effect == "Deny":
            rule = LocationRule(deny=parsed.patterns, case_sensitive=cs)
        elif effect == "Allow" and parsed.form == "inside":
            rule = LocationRule(allow=parsed.patterns + parsed.uncertain, case_sensitive=cs)
        else:
            continue  # an Allow outside some regions grants, it does not restrict
        actions = _strings(st.get("Action"))
        resources, exempt_resources, resource_notes = _resources(st)
        out.append(
            RegionStatement(
                sid=str(st.get("Sid") or i),
                effect=effect,
                rule=rule,
                actions=() if "*" in actions else actions,
                exempt_actions=_strings(st.get("NotAction")),
                exempt_principals=parsed.principals,
                resources=resources,
                exempt_resources=exempt_resources,
                notes=parsed.notes + resource_notes,
            )
        )
    return out


@dataclass(frozen=True)
class RegionFreeAllow:
    """An ``Allow`` not limited to listed regions: its actions are allowed in every region.

    Attributes:
        sid: The statement's ``Sid`` (or its index).
        actions: Its ``Action`` patterns.
        not_actions: Its ``NotAction`` patterns (it allows every other action).
    """

    sid: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]


def region_free_allows(document: dict[str, Any]) -> list[RegionFreeAllow]:
    """The ``Allow`` statements without a positive ``aws:RequestedRegion`` condition.

    Args:
        document: The parsed policy document.

    Returns:
        One :class:`RegionFreeAllow` per such statement (other conditions are ignored: the
        statement may allow its actions in any region).
    """
    raw = document.get("Statement", [])
    statements = [raw] if isinstance(raw, dict) else list(raw or [])
    out = []
    for i, st in enumerate(statements):
        if not isinstance(st, dict) or str(st.get("Effect", "")).capitalize() != "Allow":
            continue
        cond = st.get("Condition") or {}
        parsed = _condition(cond) if isinstance(cond, dict) else None
        if parsed is not None and parsed.form == "inside":
            continue
        sid = str(st.get("Sid") or i)
        out.append(RegionFreeAllow(sid, _strings(st.get("Action")), _strings(st.get("NotAction"))))
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
