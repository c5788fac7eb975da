"""The dedupe set of a streamed audit: a resource reported twice is judged once.

A resource reported again in another region than its first report, or with other copies of
its data, is a contradiction, not a repeat: the dedupe set keeps where each id is (its place
and its copies, as tags) and hands such reports back as conflicts, which the audit turns into
coverage gaps (:func:`conflict_gap`), so that the audit is never complete while where a
resource or its data is remains in doubt.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from cloudaudit._finding_table import speedups_module
from cloudaudit.models import CoverageGap, Location, LocationKind, Resource, ScopeRecord

__all__ = [
    "CHUNK",
    "CONFLICTING_REPORTS",
    "Conflict",
    "Seen",
    "conflict_gap",
    "copies_tag",
    "place_tag",
    "unseen",
]

CHUNK = 4096
"""Resources of a batch judged at a time (see :meth:`~cloudaudit.policies.Engine.stream`)."""

CONFLICTING_REPORTS = "conflicting-reports"
"""Gap code: a resource was reported again, in another region or with other copies."""

Conflict = tuple[Resource, str]
"""A report that contradicts the first report of its resource, and how: ``"region"`` (both
put it in one region, not the same) or ``"copies"`` (they list other copies of its data)."""

Seen = dict[tuple[str, str], Any]
"""The dedupe set of a stream, per provider and account: the C loop's ``IdSet`` (ids and
their place and copies tags) or, for the Python loop, a dict of id to its place tag (an int)
or, when it has copies, to its place and copies tags (a pair)."""

_DEFINITE = (LocationKind.REGION, LocationKind.ZONE)


def unseen(
    resources: Sequence[Resource], seen: Seen, conflicts: list[Conflict] | None = None
) -> Sequence[Resource]:
    """The resources whose (provider, account, id) is not in ``seen`` yet; adds them to it.

    A resource seen before is appended to ``conflicts`` (when given) with ``"region"`` when
    its place tag (:func:`place_tag`) and its first report's are both set and differ, else
    with ``"copies"`` when its copies tag (:func:`copies_tag`) differs from its first
    report's. The C loop of :mod:`cloudaudit._speedups` when it runs, else :func:`_unseen`.
    The C loop keeps each provider and account's ids in an ``IdSet`` of its own: exact, like
    a set, in less memory (an 8-byte slot, an 8-byte reference and 8 bytes of place and
    copies tags per id, the table at most five-eighths full: 33-43 bytes an id from 100,000
    ids on, against 34-45 for a set and 31-41 for the Python loop's dict, the ids themselves
    apart). Each loop refuses the other's sets.
    """
    fast = speedups_module()
    if fast is not None:
        return fast.unseen(resources, seen, conflicts)  # type: ignore[no-any-return]
    return _unseen(resources, seen, conflicts)


def place_tag(location: Location) -> int:
    """Where a location puts a resource, as a number (0: no definite place).

    Its region and site when it is one region or a zone of one; else 0, which conflicts with
    no place (unknown, global, multi-region: another report may be more precise without
    contradicting it). The C loop's tags are other numbers with the same equalities.
    """
    if location.kind in _DEFINITE and location.region is not None:
        return hash((location.region, location.site)) or 1
    return 0


def copies_tag(copies: Sequence[Location]) -> int:
    """Where a resource's copies are (its ``data_locations``), as a number (0: none).

    The set of their places (kind, region and site; a zone counts as its region), in any
    order, each counted once: two reports that list other copies, or copies where the other
    lists none, have different tags. The C loop's tags are other numbers with the same
    equalities.
    """
    if not copies:
        return 0
    return hash(frozenset(map(_copy_key, copies))) or 1


def _copy_key(loc: Location) -> tuple[str, str | None, str | None]:
    kind = LocationKind.REGION if loc.kind is LocationKind.ZONE else loc.kind
    return (kind.value, loc.region, loc.site)


def conflict_gap(
    r: Resource, audited: Sequence[ScopeRecord] = (), why: str = "region"
) -> CoverageGap:
    """The coverage gap of a report of ``r`` that contradicts its first report.

    Args:
        r: The resource as the later report has it.
        why: How (see :data:`Conflict`): ``"region"`` or ``"copies"``.
        audited: The scopes of the unit that reported it. Their provider names the gap's (an
            inventory file's is ``inventory``), so the gap counts against what was audited;
            a unit of one scope (an inventory file, a region of an account) also names the
            gap's scope, else the scope is the resource's own.
    """
    loc = r.location
    where = loc.region if loc.site is None else f"{loc.region} (site {loc.site})"
    own = f"{r.provider.value}/{r.account}/{loc.region}/{r.service}"
    if why == "copies":
        listed = sorted({str(c.region or c.kind.value) for c in r.data_locations})
        what = f"with copies of its data in {', '.join(listed)}" if listed else "with no copies"
        doubt = "where its data is"
        said = f"{what}, after a first report that listed other copies"
    else:
        doubt = "where this resource is"
        said = f"in {where}, after a first report in another region"
    return CoverageGap(
        provider=audited[0].provider if audited else r.provider.value,
        scope=audited[0].scope if len(audited) == 1 else own,
        code=CONFLICTING_REPORTS,
        message=(
            f"{r.type} `{r.name or r.id}` ({r.id}) was reported again, {said}; only the first "
            f"report was judged, so {doubt} remains in doubt (see its finding)"
        ),
        account=r.account,
        region=loc.region,
        service=r.service,
    )


def _unseen(
    resources: Sequence[Resource], seen: Seen, conflicts: list[Conflict] | None = None
) -> Sequence[Resource]:
    """The reference loop of :func:`unseen`.

    ``seen`` keeps one dict of id to place tag per provider and account: exact (the ids
    themselves), and per resource one probe of the dict. Resources of a batch mostly share
    their provider, account and location objects, so the dict is looked up again only when
    either of the first two changes (an equal new object finds the same dict), and a place
    tag is made once per location object of the batch; a resource with copies (rare) is
    kept with the pair of its place and copies tags. The list of new resources is started
    only at the first resource seen before: usually there is none, and ``resources`` is
    returned as it is.
    """
    out: list[Resource] | None = None
    provider: object = _UNSET
    account: object = _UNSET
    location: object = _UNSET
    ids: dict[str, Any] = {}
    place = 0
    size = 0
    places: dict[Any, Any] = {}  # one object per place (and copies): the ids share it
    by_object: dict[int, int] = {}  # place tags by location object (alive: the batch holds it)
    by_copies: dict[int, int] = {}  # copies tags by data_locations tuple, likewise
    tag_of, copies_of, address = by_object.get, by_copies.get, id
    for i, r in enumerate(resources):
        d = r.__dict__
        if d["account"] is not account or d["provider"] is not provider:
            provider, account = d["provider"], d["account"]
            ids = seen.setdefault((provider, account), {})  # type: ignore[arg-type]
            if not isinstance(ids, dict):
                raise TypeError("the dedupe map holds a set of another type")
            size = len(ids)
        if d["location"] is not location:
            location = d["location"]
            known = tag_of(address(location))
            if known is None:
                tag = place_tag(location)  # type: ignore[arg-type]
                known = by_object[address(location)] = places.setdefault(tag, tag)
            place = known
        where: Any = place
        copies = d["data_locations"]
        if copies:  # rare: a pair of place and copies tags, one object per pair
            held = copies_of(address(copies))
            if held is None:
                held = by_copies[address(copies)] = copies_tag(copies)
            where = places.setdefault((place, held), (place, held))
        first = ids.setdefault(d["id"], where)
        if len(ids) != size:
            size += 1
            if out is not None:
                out.append(r)
            continue
        if conflicts is not None and first != where:
            _conflict(conflicts, r, where, first)
        if out is None:
            out = list(islice(resources, i))
    return resources if out is None else out


def _conflict(conflicts: list[Conflict], r: Resource, where: Any, first: Any) -> None:
    """Append ``(r, why)`` when ``where`` and ``first`` contradict each other.

    Each is a place tag (an int) or, for a report with copies, a pair of place and copies
    tags (see :func:`unseen`).
    """
    place, copies = where if isinstance(where, tuple) else (where, 0)
    was, had = first if isinstance(first, tuple) else (first, 0)
    if place and was and place != was:
        conflicts.append((r, "region"))
    elif copies != had:
        conflicts.append((r, "copies"))


_UNSET = object()
