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

from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, islice
from operator import attrgetter, itemgetter

from cloudaudit._finding_table import (
    FindingTable,
    Record,
    build_findings,
    make_record,
    record_status,
    speedups_module,
    with_copies,
)
from cloudaudit.catalog import Catalog
from cloudaudit.copymodel import MechanismKind, mechanism, type_unread_copies, unread_copies
from cloudaudit.models import Finding, Location, Place, ProviderId, Resource, Status
from cloudaudit.policies._judge import Judge, Judgement
from cloudaudit.policies._model import Policy

__all__ = ["Engine", "evaluate_resources"]

_RANK = {Status.COMPLIANT: 0, Status.UNKNOWN: 1, Status.VIOLATION: 2}

_LOC_FIELDS = ("provider", "region", "zone", "kind", "note", "via", "site")
_loc_key = attrgetter(*_LOC_FIELDS)
_parts = itemgetter("location", "data_locations", "provider", "service", "type")
"""What the hot loop reads of a resource: one C call on its ``__dict__`` (pydantic keeps every
field there)."""
_dict_of = attrgetter("__dict__")
_FAST_LIMIT = 4096
"""Entries of the identity-keyed cache before it is first emptied (see :meth:`Engine._verdict`)."""
_FAST_MAX = 65536
"""The most entries it grows to, when the resources' distinct places and types outgrow it."""
_with_copies = with_copies
_CHUNK = 4096
"""Resources judged at a time: their record numbers are one short list (:meth:`Engine._rows`)."""
_BY_VALUE_RUN = 15
"""Chunks looked up by value alone after a chunk the identity-keyed cache mostly missed."""
_BY_VALUE_MIN = 64
"""The fewest resources of a chunk whose misses turn the lookups by value on."""


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
        self._fast: dict[tuple[object, ...], int] = {}
        self._pins: list[tuple[Location, tuple[Location, ...]]] = []
        self._fast_limit = _FAST_LIMIT
        self._hits = 0  # identity lookups answered since the cache was last emptied
        self._missed = 0  # and missed
        self._widened: dict[object, object] = {}
        self._by_value: dict[tuple[object, ...], int] = {}
        self._records: list[Record] = []
        self._by_value_chunks = 0  # chunks still to look up by value alone (see _rows)

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
                loc.via,  # a copy's reason names its mechanism on this axis too
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
        return status, (reasons + tuple(notes)) if notes else reasons, None

    def _verdict(
        self,
        fkey: tuple[object, ...],
        loc: Location,
        copies: tuple[Location, ...],
        type_key: tuple[ProviderId, str, str],
    ) -> int:
        """The record number of a resource the identity-keyed cache has not seen (slow path).

        The identity key is ``(id(location), id(data_locations), provider, service, type)``:
        providers share location objects and copy tuples between resources, so most
        resources hit it and skip building a value key. The location and the copies are
        pinned while the entry lives, so their ids cannot be reused; the cache is emptied
        when it holds :data:`_FAST_LIMIT` entries, so an inventory whose every resource has
        objects of its own costs one missed lookup per resource, never unbounded memory. Such a
        resource is then looked up by value (its locations' fields and its type): one record
        per distinct value. When the cache fills up while it answered at least as many
        lookups as it missed, the shared objects simply outnumber it: it doubles instead (up
        to :data:`_FAST_MAX`), so that an estate of many places and types is not looked up by
        value over and over.
        """
        index = self._by_value_index(loc, copies, type_key)
        self._missed += 1
        fast = self._fast
        if len(fast) >= self._fast_limit:
            if self._hits >= self._missed and self._fast_limit < _FAST_MAX:
                self._fast_limit *= 2
            else:
                fast.clear()  # in place: the hot loop holds its get method
                self._pins.clear()
                self._hits = self._missed = 0
        fast[fkey] = index
        self._pins.append((loc, copies))
        return index

    def _by_value_index(
        self, loc: Location, copies: tuple[Location, ...], type_key: tuple[ProviderId, str, str]
    ) -> int:
        """The record number of a location, copies and type by value (judged when new)."""
        key_of = _loc_key
        vkey = (key_of(loc), tuple(map(key_of, copies)), type_key)
        index = self._by_value.get(vkey)
        if index is None:
            j, extra = self._judge_type(loc, copies, type_key)
            record = make_record(
                self.policy.id,
                j.status,
                j.tails,
                j.fixed,
                j.jurisdictions,
                j.evidence,
                extra or None,
                None,
            )
            index = self._by_value[vkey] = len(self._records)
            self._records.append(record)
        return index

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

    def _rows(self, chunk: Sequence[Resource]) -> list[int]:
        """The record number of each resource of ``chunk``, in order (the hot path).

        One list comprehension: per resource, five fields read in one C call and one
        identity-keyed lookup; the resources it misses then go through :meth:`_verdict`.
        When most of a chunk missed it for places already judged (providers that build a
        location object per resource), the next :data:`_BY_VALUE_RUN` chunks skip it and
        are looked up by value alone (:meth:`_value_rows`); either way a resource gets the
        same record.
        """
        if self._by_value_chunks:
            self._by_value_chunks -= 1
            return self._value_rows(chunk)
        fast_get = self._fast.get
        rows = [
            fast_get((id(loc), id(copies), provider, service, type_))
            for loc, copies, provider, service, type_ in map(_parts, map(_dict_of, chunk))
        ]
        if None not in rows:
            self._hits += len(rows)
            return rows  # type: ignore[return-value]
        self._hits += len(rows) - rows.count(None)
        known, judged = len(self._records), 0  # misses of places already judged: objects
        for i, index in enumerate(rows):  # of their own (a cold cache misses new places)
            if index is None:
                loc, copies, provider, service, type_ = _parts(chunk[i].__dict__)
                fkey = (id(loc), id(copies), provider, service, type_)
                index = fast_get(fkey)  # an earlier miss of the chunk may have added it
                if index is None:
                    index = self._verdict(fkey, loc, copies, (provider, service, type_))
                    judged += 1
                else:
                    self._hits += 1
                rows[i] = index
        if (judged - (len(self._records) - known)) * 2 > len(rows) >= _BY_VALUE_MIN:
            self._by_value_chunks = _BY_VALUE_RUN
        return rows  # type: ignore[return-value]

    def _value_rows(self, chunk: Sequence[Resource]) -> list[int]:
        """:meth:`_rows` by value alone: the key :meth:`_by_value_index` looks up.

        The compiled loop when it runs (:func:`~cloudaudit._finding_table.speedups_module`);
        it leaves ``None`` for any resource whose key it does not build itself.
        """
        compiled = speedups_module()
        if compiled is not None:
            rows: list[int | None] = compiled.value_rows(chunk, self._by_value, _LOC_FIELDS)
        else:
            value_get, key_of = self._by_value.get, _loc_key
            rows = [
                value_get((key_of(loc), tuple(map(key_of, copies)), (provider, service, type_)))
                for loc, copies, provider, service, type_ in map(_parts, map(_dict_of, chunk))
            ]
        if None in rows:
            for i, index in enumerate(rows):
                if index is None:
                    loc, copies, provider, service, type_ = _parts(chunk[i].__dict__)
                    rows[i] = self._by_value_index(loc, copies, (provider, service, type_))
        return rows  # type: ignore[return-value]

    def _exempt_record(self, r: Resource, record: Record) -> Record:
        """``record``, or one of ``r``'s own when an exemption applies or has expired."""
        status = record_status(record)
        if status is Status.COMPLIANT or not self.policy.exemptions:
            return record
        reasons = next(build_findings(((r, record),), self._widened)).reasons
        now, rendered, exemption = self._exempt(r, status, reasons)
        if now is status and rendered is reasons:
            return record
        shared = record[0]
        return make_record(
            self.policy.id,
            now,
            (),
            rendered,
            shared["jurisdictions"],
            shared["evidence"],
            record[3],
            exemption,
        )

    def findings(self, resources: Iterable[Resource]) -> Iterator[Finding]:
        """Yield one finding per resource, in input order (judged :data:`_CHUNK` at a time).

        See :meth:`stream`, which this feeds with chunks of ``resources``.
        """
        it = iter(resources)
        return self.stream(iter(lambda: list(islice(it, _CHUNK)), []))

    def stream(self, chunks: Iterable[Sequence[Resource]]) -> Iterator[Finding]:
        """Yield one finding per resource of each chunk, in order (the streaming path).

        Each chunk's record numbers come from :meth:`_rows` (the same caches as
        :meth:`table`'s) when its first finding is asked for;
        :func:`~cloudaudit._finding_table.build_findings` builds the findings, so a resource
        passes through one Python generator, not one per layer.
        """
        return build_findings(chain.from_iterable(map(self._pairs, chunks)), self._widened)

    def _pairs(self, chunk: Sequence[Resource]) -> Iterator[tuple[Resource, Record]]:
        """Each resource of ``chunk`` with its record (an iterator of C calls)."""
        picked = map(self._records.__getitem__, self._rows(chunk))
        if self.policy.exemptions:
            picked = map(self._exempt_record, chunk, picked)
        return zip(chunk, picked, strict=True)

    def table(self, resources: Iterable[Resource]) -> FindingTable:
        """The findings of ``resources`` as a :class:`FindingTable` (the bulk path).

        The table keeps the resources, one record number per resource and the records; its
        findings are built when read, each equal to the one :meth:`findings` yields.
        """
        kept = tuple(resources)
        rows = array("I")
        for start in range(0, len(kept), _CHUNK):
            rows.extend(self._rows(kept[start : start + _CHUNK]))
        records = list(self._records)
        if self.policy.exemptions:
            for i, (r, index) in enumerate(zip(kept, rows, strict=True)):
                own = self._exempt_record(r, records[index])
                if own is not records[index]:
                    rows[i] = len(records)
                    records.append(own)
        return FindingTable(self.policy.id, kept, rows, tuple(records))


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
