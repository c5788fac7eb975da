"""Findings stored compactly, and the one loop that builds :class:`Finding` objects (Core).

Most resources of an estate share a verdict: the same type in the same places gets the same
status, jurisdictions, evidence and reason templates, and the same copies from the copy
model. The engine judges each distinct combination once and keeps it as a :data:`Record`;
:func:`build_findings` turns a resource and its record into the :class:`Finding` the engine
has always returned (the reasons name the resource; a resource the copy model completes is
completed), and :class:`FindingTable` is the sequence a bulk :func:`~cloudaudit.evaluate`
keeps instead of a tuple of a million findings: the input resources, one record number per
resource (four bytes) and the records. Its findings are built when they are read (indexing,
iteration, comparison, serialization), each equal to the one a tuple would have held, and
dropped again unless the caller keeps it.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from pydantic import BaseModel

from cloudaudit.models import Evidence, Finding, Location, Resource, Status

__all__ = [
    "LABEL",
    "FindingTable",
    "Record",
    "build_findings",
    "make_record",
    "record_status",
    "speedups",
    "speedups_module",
]

LABEL = "\x00"  # placeholder for the resource label inside cached reason templates

Record = tuple[
    dict[str, Any],
    tuple[str, ...] | None,
    tuple[str, ...],
    tuple[Location, ...] | None,
    int,
]
"""A shared verdict, ready for the hot loop (built by :func:`make_record`): the finding's
fields but its resource and reasons (copied per finding, so the five shared fields cost one
dictionary copy), the reason tails and fixed reasons (see
:class:`~cloudaudit.policies._judge.Judgement`; ``()`` tails with fixed reasons already
rendered for one resource), the copies the copy model adds (``None``: none), and the number of
reasons when they are 1 to 3 tails and nothing else (``0``: render them the general way)."""


def make_record(
    policy_id: str,
    status: Status,
    tails: tuple[str, ...] | None,
    fixed: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    evidence: tuple[Evidence, ...],
    extra: tuple[Location, ...] | None,
    exemption: str | None,
) -> Record:
    """The :data:`Record` of one verdict (its fields in :class:`Finding`'s order)."""
    fields = {
        "policy_id": policy_id,
        "resource": None,
        "status": status,
        "reasons": None,
        "jurisdictions": jurisdictions,
        "evidence": evidence,
        "exemption": exemption,
    }
    arity = len(tails) if tails is not None and not fixed and len(tails) <= 3 else 0
    return (fields, tails, fixed, extra, arity)


def record_status(record: Record) -> Status:
    """The status of a :data:`Record`."""
    status: Status = record[0]["status"]
    return status


_FINDING_FIELDS = {
    "policy_id",
    "resource",
    "status",
    "reasons",
    "jurisdictions",
    "evidence",
    "exemption",
}
_DATA_LOCATIONS = frozenset({"data_locations"})
_new = BaseModel.__new__
# Findings are built without re-validation: the engine's values are already typed (they come
# from validated resources, the validated policy and the engine's own cached judgements), and
# ``Finding.model_construct`` would cost more than the rest of the hot path together. The loop
# below does what ``model_construct`` does when every field is given: it writes the instance's
# ``__dict__`` and pydantic's three bookkeeping slots (fields set, extra, private) through
# BaseModel's slot descriptors. These are pydantic internals, so tests/test_engine_fast_path.py
# pins them: it fails if pydantic renames a slot, adds one the loop does not write, or if a fast
# finding differs from a validated one in any way (equality, JSON, fields set, computed id,
# hash, frozenness, copy).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def with_copies(resource: Resource, copies: tuple[Location, ...]) -> Resource:
    """``resource.model_copy(update={"data_locations": copies})`` at a fraction of its cost.

    Same four writes as the findings: a shallow copy of the fields with ``data_locations``
    replaced, the fields set gaining it. ``tests/test_engine_fast_path.py`` checks it equals
    ``model_copy``; :func:`build_findings` inlines it.
    """
    new = _new(resource.__class__)
    values = dict(resource.__dict__)
    values["data_locations"] = copies
    _set_dict(new, values)
    _set_fields_set(new, resource.__pydantic_fields_set__ | _DATA_LOCATIONS)
    _set_extra(new, resource.__pydantic_extra__)
    _set_private(new, resource.__pydantic_private__)
    return new


def build_findings(
    pairs: Iterable[tuple[Resource, Record]], widened: dict[Any, Any]
) -> Iterator[Finding]:
    """The finding of each ``(resource, record)`` pair, built as it is read (the hot loop).

    The C loop of :mod:`cloudaudit._speedups` when it is built (see :func:`speedups`), else
    :func:`_build_findings`; both give equal findings.
    """
    if _SPEEDUPS is not None:
        compiled: Iterator[Finding] = _SPEEDUPS.Findings(pairs, widened)
        return compiled
    return _build_findings(pairs, widened)


def _build_one(r: Resource, record: Record, widened: dict[Any, Any]) -> Finding:
    """The finding of one pair by the Python loop (the C loop hands it the cases it skips)."""
    return next(_build_findings(((r, record),), widened))


def _build_findings(
    pairs: Iterable[tuple[Resource, Record]], widened: dict[Any, Any]
) -> Iterator[Finding]:
    """Yield the finding of each ``(resource, record)`` pair (the reference loop).

    Per pair: the label, one concatenation per reason tail (unrolled for one to three tails),
    a copy of the record's fields with the resource and reasons written in, the completed
    resource when the record adds copies (the writes of :func:`with_copies`, inlined; one
    shared fields set per distinct fields set, kept in ``widened``), and the :class:`Finding`.
    """
    new, fields_set, finding_cls = _new, _FINDING_FIELDS, Finding
    widened_get = widened.get
    set_dict, set_fields, set_extra, set_private = (
        _set_dict,
        _set_fields_set,
        _set_extra,
        _set_private,
    )
    for r, (shared, tails, fixed, extra, arity) in pairs:
        d = r.__dict__
        label = f"{d['type']} `{d['name']}`"
        if arity == 2:
            a, b = tails  # type: ignore[misc]
            reasons: tuple[str, ...] = (label + a, label + b)
        elif arity == 1:
            reasons = (label + tails[0],)  # type: ignore[index]
        elif arity == 3:
            a, b, c = tails  # type: ignore[misc]
            reasons = (label + a, label + b, label + c)
        elif tails is None:
            reasons = tuple([x.replace(LABEL, label) for x in fixed])
        else:
            reasons = (*map(label.__add__, tails), *fixed)
        values = shared.copy()  # the record's fields, in the finding's order
        values["reasons"] = reasons
        if extra is not None:  # the copy model completes it: with_copies, inlined
            done_values = d.copy()
            had = d["data_locations"]
            done_values["data_locations"] = had + extra if had else extra  # shared when it can
            done = new(r.__class__)
            set_dict(done, done_values)
            was = r.__pydantic_fields_set__
            if "data_locations" not in was:
                known = widened_get(id(was))
                was = known[1] if known is not None else _widen(widened, was)
            set_fields(done, was)
            set_extra(done, r.__pydantic_extra__)
            set_private(done, r.__pydantic_private__)
            values["resource"] = done
        else:
            values["resource"] = r
        f = new(finding_cls)  # what model_construct writes (see _set_dict)
        set_dict(f, values)
        set_fields(f, fields_set)
        set_extra(f, None)
        set_private(f, None)
        yield f


def _widen(widened: dict[Any, Any], fields_set: set[str]) -> set[str]:
    """``fields_set | {"data_locations"}``, one shared set per distinct fields set.

    ``widened`` maps each distinct fields set (a frozenset) to its widened set, and the id
    of each fields set met to the set itself (pinned there, so that its id cannot be reused
    while the entry lives) and its widened set: a resource whose fields set is a shared
    object skips building a frozenset. The map is emptied at :data:`_WIDEN_LIMIT` entries.
    Sharing is safe: resources are frozen, and pydantic copies the set when it copies a
    model (``model_copy``, ``copy``, ``deepcopy``) instead of changing it in place.
    """
    if len(widened) >= _WIDEN_LIMIT:
        widened.clear()
    key = frozenset(fields_set)
    wide = widened.get(key)
    if wide is None:
        wide = widened[key] = set(fields_set | _DATA_LOCATIONS)
    widened[id(fields_set)] = (fields_set, wide)
    return wide


_WIDEN_LIMIT = 4096


def _load_speedups() -> Any:
    """The C loops (:mod:`cloudaudit._speedups`), configured; ``None`` when not built or off.

    ``CLOUDAUDIT_PURE_PYTHON=1`` turns them off (the Python loops run; the tests use it to
    check both).
    """
    if os.environ.get("CLOUDAUDIT_PURE_PYTHON", "").strip() not in ("", "0"):
        return None
    try:
        import cloudaudit._speedups as module
    except ImportError:
        return None
    slots = BaseModel.__dict__
    module.configure(
        Finding,
        slots["__dict__"],
        slots["__pydantic_fields_set__"],
        slots["__pydantic_extra__"],
        slots["__pydantic_private__"],
        _FINDING_FIELDS,
        _widen,
        _build_one,
        LABEL,
    )
    return module


_SPEEDUPS = _load_speedups()


def speedups_module() -> Any:
    """:mod:`cloudaudit._speedups` when its C loops run, else ``None``."""
    return _SPEEDUPS


def speedups() -> bool:
    """Whether the C loops of :mod:`cloudaudit._speedups` run (built, and not turned off)."""
    return _SPEEDUPS is not None


class FindingTable(Sequence[Finding]):
    """The findings of a bulk evaluation: resources, one record number each, shared records.

    A read-only sequence of :class:`Finding` that compares equal to the tuple of the same
    findings (and hashes like it). Each finding is built when read and equals the one the
    engine would have built; slicing returns a tuple. Pickles as its parts.

    Args:
        policy_id: The policy's id, on every finding.
        resources: The resources as given to the engine, in order.
        rows: For each resource, the index of its record in ``records``.
        records: The distinct verdicts.
    """

    __slots__ = ("_policy_id", "_records", "_resources", "_rows", "_widened")

    def __init__(
        self,
        policy_id: str,
        resources: tuple[Resource, ...],
        rows: array[int],
        records: tuple[Record, ...],
    ) -> None:
        if len(resources) != len(rows):
            raise ValueError("one record number per resource")
        self._policy_id = policy_id
        self._resources = resources
        self._rows = rows
        self._records = records
        self._widened: dict[Any, Any] = {}

    def _pairs(self) -> Iterator[tuple[Resource, Record]]:
        return zip(self._resources, map(self._records.__getitem__, self._rows), strict=True)

    def __iter__(self) -> Iterator[Finding]:
        return build_findings(self._pairs(), self._widened)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, index: int | slice) -> Finding | tuple[Finding, ...]:
        if isinstance(index, slice):
            picked = range(len(self))[index]
            pairs = ((self._resources[i], self._records[self._rows[i]]) for i in picked)
            return tuple(build_findings(pairs, self._widened))
        i = range(len(self))[index]  # IndexError and negative indices as a tuple's
        pair = (self._resources[i], self._records[self._rows[i]])
        return next(build_findings((pair,), self._widened))

    def counts(self) -> Counter[Status]:
        """The findings counted by status, without building them."""
        out: Counter[Status] = Counter()
        for status, _evidence, n in self.verdicts():
            out[status] += n
        return out

    def ordered(
        self, rank: Mapping[Status, int], statuses: Collection[Status] | None = None
    ) -> Iterator[Finding]:
        """The findings sorted by (status rank, provider, resource id), each built when reached.

        The order :func:`sorted` gives the built findings (stable: ties keep the table's order),
        worked out from the records and resources alone; ``statuses`` keeps only those.
        """
        records, rows, kept = self._records, self._rows, self._resources
        ranks = [rank[record_status(r)] for r in records]
        wanted = [statuses is None or record_status(r) in statuses for r in records]
        picked = [i for i, row in enumerate(rows) if wanted[row]]

        def key(i: int) -> tuple[int, str, str]:
            d = kept[i].__dict__
            return (ranks[rows[i]], d["provider"].value, d["id"])

        picked.sort(key=key)
        return build_findings(((kept[i], records[rows[i]]) for i in picked), self._widened)

    def verdicts(self) -> Iterator[tuple[Status, tuple[Evidence, ...], int]]:
        """Each distinct verdict's status and evidence, and how many findings have it."""
        for index, n in Counter(self._rows).items():  # counted in C
            record = self._records[index]
            yield record_status(record), record[0]["evidence"], n

    def resources(self) -> Iterator[Resource]:
        """Each finding's resource (completed by the copy model), without building findings."""
        for r, rec in self._pairs():
            extra = rec[3]
            if extra is None:
                yield r
            else:
                had = r.data_locations
                yield with_copies(r, had + extra if had else extra)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingTable) and _same_parts(self, other):
            return True
        if not isinstance(other, tuple | FindingTable):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: object) -> tuple[Finding, ...]:
        if not isinstance(other, tuple | FindingTable):
            return NotImplemented
        return (*self, *other)

    def __radd__(self, other: object) -> tuple[Finding, ...]:
        if not isinstance(other, tuple):
            return NotImplemented
        return (*other, *self)

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FindingTable, (self._policy_id, self._resources, self._rows, self._records))


def _same_parts(a: FindingTable, b: FindingTable) -> bool:
    return (
        a._policy_id == b._policy_id
        and a._resources is b._resources
        and a._rows == b._rows
        and a._records is b._records
    )
