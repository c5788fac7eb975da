"""The policy engine: pure functions from resources and a policy to findings.

Hot-path design: a resource's verdict depends only on its type (which copies the copy model
adds) and the places of its locations, so each distinct combination is judged once per engine
and cached, and so is the copy model's completion of a type. Per resource, one loop
(:meth:`Engine.findings`, which both ``evaluate`` and the streaming ``audit_iter`` drive) then
builds one small key, does one dictionary lookup, one concatenation per reason, and builds the
:class:`Finding` (and, for a resource the copy model completes, the completed
:class:`Resource`) without re-validation. Judging one location lives in
:mod:`cloudaudit.policies._judge`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from operator import attrgetter, itemgetter

from pydantic import BaseModel

from cloudaudit.catalog import Catalog
from cloudaudit.copymodel import MechanismKind, mechanism, type_unread_copies, unread_copies
from cloudaudit.models import Evidence, Finding, Location, Place, ProviderId, Resource, Status
from cloudaudit.policies._judge import LABEL, Judge, Judgement
from cloudaudit.policies._model import Policy

__all__ = ["Engine", "evaluate_resources"]

_RANK = {Status.COMPLIANT: 0, Status.UNKNOWN: 1, Status.VIOLATION: 2}

_FINDING_FIELDS = {
    "policy_id",
    "resource",
    "status",
    "reasons",
    "jurisdictions",
    "evidence",
    "exemption",
}
_new_finding = Finding.__new__
# Findings are built without re-validation: the engine's values are already typed (they come
# from validated resources, the validated policy and the engine's own cached judgements), and
# ``Finding.model_construct`` would cost more than the rest of the hot path together. The loop
# in ``Engine.findings`` does what ``model_construct`` does when every field is given: it writes
# the instance's ``__dict__`` and pydantic's three bookkeeping slots (fields set, extra,
# private) through BaseModel's slot descriptors. These are pydantic internals, so
# tests/test_engine_fast_path.py pins them: it fails if pydantic renames a slot, adds one the
# loop does not write, or if a fast finding differs from a validated one in any way (equality,
# JSON, fields set, computed id, hash, frozenness, copy).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_loc_key = attrgetter("provider", "region", "zone", "kind", "note", "via", "site")
_parts = itemgetter("location", "data_locations", "provider", "service", "type", "name")
"""What the hot loop reads of a resource: one C call on its ``__dict__`` (pydantic keeps every
field there)."""
_FAST_LIMIT = 4096
"""Entries of the identity-keyed cache before it is emptied (see :meth:`Engine._verdict`)."""
_Hit = tuple[
    Status,
    tuple[str, ...] | None,
    tuple[str, ...],
    tuple[str, ...],
    tuple[Evidence, ...],
    tuple[Location, ...] | None,
    Location,
    tuple[Location, ...],
]
"""A cached verdict: status, reason tails and fixed reasons, jurisdictions, evidence, the
completed copies (``None`` when the copy model adds none), and the location and copies the
identity key names (held so that their ids stay theirs)."""


class Engine(Judge):
    """Evaluates resources against one policy, caching verdicts per location.

    Takes the arguments of :class:`~cloudaudit.policies._judge.Judge` (policy, catalog,
    as-of date) and adds the caches the hot loop reads.
    """

    def __init__(
        self, policy: Policy, catalog: Catalog | None = None, today: date | None = None
    ) -> None:
        super().__init__(policy, catalog, today)
        self._single: dict[tuple[object, ...], Judgement] = {}
        self._combo: dict[tuple[object, ...], Judgement] = {}
        self._fast: dict[tuple[object, ...], _Hit] = {}
        self._widened: dict[frozenset[str], set[str]] = {}
        self._by_value: dict[tuple[object, ...], tuple[Judgement, tuple[Location, ...]]] = {}

    # ----- combining ------------------------------------------------------------------------

    def _single_cached(self, loc: Location, axis: str) -> list[Judgement]:
        key = (loc.provider, loc.region, loc.zone, loc.kind, loc.note, loc.via, loc.site, axis)
        hit = self._single.get(key)
        if hit is None:
            hit = self._judge_location(loc, axis)
            self._single[key] = hit
        out = [hit]
        if "operator" in self._axes:
            okey = (
                loc.provider,
                loc.region,
                loc.zone,
                loc.kind,
                loc.note,
                loc.site,
                "operator",
                axis,
            )
            op = self._single.get(okey)
            if op is None and okey not in self._single:
                op = self._judge_operator(loc, axis)
                self._single[okey] = op  # type: ignore[assignment]
            if op is not None:
                out.append(op)
        return out

    def places_seen(self) -> tuple[Place, ...]:
        """Every catalog place this engine has judged so far (one per location, any axis)."""
        found: dict[tuple[object, ...], Place] = {}
        for hit in self._single.values():
            for ev in hit.evidence if hit is not None else ():
                p = ev.place
                found.setdefault((p.provider, p.region, p.zone), p)
        return tuple(found.values())

    def judge(self, location: Location, copies: tuple[Location, ...]) -> Judgement:
        """Judge a primary location and its copies (cached per combination)."""
        key = _combo_key(location, copies)
        hit = self._combo.get(key)
        return hit if hit is not None else self._judge_new(key, location, copies)

    def _judge_new(
        self, key: tuple[object, ...], location: Location, copies: tuple[Location, ...]
    ) -> Judgement:
        parts = self._single_cached(location, "location")
        if "copies" in self._axes:
            seen = {_seen_key(location)}
            for c in copies:
                ck = _seen_key(c)
                if ck not in seen:
                    seen.add(ck)
                    parts.extend(self._single_cached(c, "copy"))
        hit = _combine(parts, self.policy.fails_closed)
        self._combo[key] = hit
        return hit

    def copies(self, resource: Resource) -> tuple[Resource, tuple[Location, ...]]:
        """The resource with the copies the copy model adds, and the copies to judge.

        Declared-but-unread mechanisms and undeclared types add unknown copies
        (:func:`cloudaudit.copymodel.unread_copies`); edge caches are judged only when the
        policy's ``edge_caches`` is true.
        """
        extra = unread_copies(resource)
        if extra:
            resource = _with_copies(resource, (*resource.data_locations, *extra))
        copies = resource.data_locations
        if copies and not self.policy.edge_caches:
            copies = tuple(c for c in copies if not _edge(c))
        return resource, copies

    def finding(self, resource: Resource) -> Finding:
        """Return the finding for one resource (see :meth:`findings` for many)."""
        return next(self.findings((resource,)))

    def _exempt(
        self, resource: Resource, status: Status, reasons: tuple[str, ...]
    ) -> tuple[Status, tuple[str, ...], str | None]:
        notes: list[str] = []
        for ex in self.policy.exemptions:
            if not ex.matches(resource.id, resource.tags):
                continue
            if ex.expires is not None and ex.expires < self.today:
                notes.append(
                    f"exemption for {ex.describe()} ({ex.reason}) expired on "
                    f"{ex.expires.isoformat()} and no longer applies"
                )
                continue
            until = f", until {ex.expires.isoformat()}" if ex.expires else ""
            by = f", approved by {ex.approved_by}" if ex.approved_by else ""
            text = f"exempted by {ex.describe()}: {ex.reason}{until}{by}"
            return Status.EXEMPT, (*reasons, f"would be {status.value}; {text}"), ex.reason
        return status, reasons + tuple(notes), None

    def _verdict(
        self,
        fkey: tuple[object, ...],
        loc: Location,
        copies: tuple[Location, ...],
        type_key: tuple[ProviderId, str, str],
    ) -> _Hit:
        """The cached verdict of a resource the identity-keyed cache has not seen (slow path).

        The identity key is ``(id(location), id(data_locations), provider, service, type)``:
        providers share location objects and copy tuples between resources, so most
        resources hit it and skip building a value key. The hit holds the location and the
        copies themselves, so their ids cannot be reused while the entry lives; the cache is
        emptied every :data:`_FAST_LIMIT` entries, so an inventory whose every resource has
        objects of its own costs one missed lookup per resource, never unbounded memory.
        Such a resource is then looked up by value (its locations' fields and its type).
        """
        key_of = _loc_key
        vkey = (key_of(loc), tuple(map(key_of, copies)), type_key)
        base = self._by_value.get(vkey)
        if base is None:
            base = self._by_value[vkey] = self._judge_type(loc, copies, type_key)
        j, extra = base
        full = (*copies, *extra) if extra else None
        hit: _Hit = (j.status, j.tails, j.fixed, j.jurisdictions, j.evidence, full, loc, copies)
        fast = self._fast
        if len(fast) >= _FAST_LIMIT:
            fast.clear()
        fast[fkey] = hit
        return hit

    def _judge_type(
        self, loc: Location, copies: tuple[Location, ...], type_key: tuple[ProviderId, str, str]
    ) -> tuple[Judgement, tuple[Location, ...]]:
        """The judgement of a location and copies for one type, and the copies it adds."""
        extra = type_unread_copies(*type_key) if "copies" in self._axes else ()
        judged = (*copies, *extra)
        if judged and not self.policy.edge_caches:
            judged = tuple(c for c in judged if not _edge(c))
        key = _combo_key(loc, judged)
        j = self._combo.get(key)
        return (j if j is not None else self._judge_new(key, loc, judged)), extra

    def findings(self, resources: Iterable[Resource]) -> Iterator[Finding]:
        """Yield one finding per resource, in input order (the hot path).

        Everything the loop needs is bound to a local once. Per resource it reads six fields
        in one C call, looks the verdict up by the identities of the location and copies
        (:meth:`_verdict` on a miss), prefixes each reason tail with the label, and builds
        the :class:`Finding` (and the completed resource, when the copy model adds copies)
        with the writes of :func:`_with_copies` inlined.
        """
        fast_get = self._fast.get
        verdict = self._verdict
        policy_id = self.policy.id
        exemptions = self.policy.exemptions
        exempt = self._exempt
        widen = self._widen
        compliant = Status.COMPLIANT
        parts = _parts
        new, fields, finding_cls = _new_finding, _FINDING_FIELDS, Finding
        set_dict, set_fields, set_extra, set_private = (
            _set_dict,
            _set_fields_set,
            _set_extra,
            _set_private,
        )
        for r in resources:
            d = r.__dict__
            loc, copies, provider, service, type_, name = parts(d)
            fkey = (id(loc), id(copies), provider, service, type_)
            hit = fast_get(fkey)
            if hit is None:
                hit = verdict(fkey, loc, copies, (provider, service, type_))
            status, tails, fixed, jurisdictions, evidence, full, _, _ = hit
            label = f"{type_} `{name}`"
            if tails is None:
                reasons = tuple([x.replace(LABEL, label) for x in fixed])
            elif fixed:
                reasons = (*map(label.__add__, tails), *fixed)
            elif len(tails) == 1:
                reasons = (label + tails[0],)
            else:
                reasons = tuple(map(label.__add__, tails))
            exemption = None
            if exemptions and status is not compliant:
                status, reasons, exemption = exempt(r, status, reasons)
            if full is not None:  # the copy model completes it: _with_copies, inlined
                values = d.copy()
                values["data_locations"] = full
                done = new(r.__class__)
                set_dict(done, values)
                was = r.__pydantic_fields_set__
                set_fields(done, was if "data_locations" in was else widen(was))
                set_extra(done, r.__pydantic_extra__)
                set_private(done, r.__pydantic_private__)
                r = done
            f = new(finding_cls)  # what model_construct writes (see _new_finding)
            set_dict(
                f,
                {
                    "policy_id": policy_id,
                    "resource": r,
                    "status": status,
                    "reasons": reasons,
                    "jurisdictions": jurisdictions,
                    "evidence": evidence,
                    "exemption": exemption,
                },
            )
            set_fields(f, fields)
            set_extra(f, None)
            set_private(f, None)
            yield f

    def _widen(self, fields_set: set[str]) -> set[str]:
        """``fields_set | {"data_locations"}``, one shared set per distinct fields set.

        Sharing is safe: resources are frozen, and pydantic copies the set when it copies a
        model (``model_copy``, ``copy``, ``deepcopy``) instead of changing it in place.
        """
        key = frozenset(fields_set)
        wide = self._widened.get(key)
        if wide is None:
            wide = self._widened[key] = set(fields_set | _DATA_LOCATIONS)
        return wide


_DATA_LOCATIONS = frozenset({"data_locations"})
_new_resource = Resource.__new__


def _with_copies(resource: Resource, copies: tuple[Location, ...]) -> Resource:
    """``resource.model_copy(update={"data_locations": copies})`` at a fraction of its cost.

    Same four writes as the findings (see ``_new_finding``): a shallow copy of the fields with
    ``data_locations`` replaced, the fields set gaining it. ``tests/test_engine_fast_path.py``
    checks it equals ``model_copy``; :meth:`Engine.findings` inlines it.
    """
    new = _new_resource(resource.__class__)
    values = dict(resource.__dict__)
    values["data_locations"] = copies
    _set_dict(new, values)
    _set_fields_set(new, resource.__pydantic_fields_set__ | _DATA_LOCATIONS)
    _set_extra(new, resource.__pydantic_extra__)
    _set_private(new, resource.__pydantic_private__)
    return new


def _seen_key(loc: Location) -> tuple[object, ...]:
    """A copy already judged: the same place by the same mechanism (each unknown says why)."""
    return (loc.provider, loc.region, loc.zone, loc.note, loc.via, loc.site)


def _edge(loc: Location) -> bool:
    mech = mechanism(loc.via)
    return mech is not None and mech.kind is MechanismKind.EDGE_CACHE


def _combo_key(location: Location, copies: tuple[Location, ...]) -> tuple[object, ...]:
    """The cache key of a location with its copies (the same as the hot loop's)."""
    key: tuple[object, ...] = _loc_key(location)
    return (key, tuple(map(_loc_key, copies))) if copies else key


def _combine(parts: list[Judgement], fail_closed: bool) -> Judgement:
    worst = max((p.status for p in parts), key=_RANK.__getitem__)
    if worst is Status.COMPLIANT:
        chosen = parts
    else:
        chosen = [p for p in parts if p.status is not Status.COMPLIANT]
    reasons = tuple(r for p in chosen for r in p.reasons)
    if worst is Status.UNKNOWN and fail_closed:
        worst = Status.VIOLATION
        reasons = (*reasons, "the policy fails closed: what cannot be judged counts as a violation")
    jur = tuple(dict.fromkeys(c for p in parts for c in p.jurisdictions))
    evidence = tuple(e for p in parts for e in p.evidence)
    return Judgement(worst, reasons, jur, evidence)


def evaluate_resources(
    resources: Iterable[Resource],
    policy: Policy,
    *,
    catalog: Catalog | None = None,
    today: date | None = None,
) -> Iterator[Finding]:
    """Yield findings for ``resources`` under ``policy`` (pure; no I/O)."""
    return Engine(policy, catalog, today).findings(resources)
