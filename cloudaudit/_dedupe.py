"""The dedupe set of a streamed audit: a resource reported twice is judged once.

A resource reported again in another region than its first report is a contradiction, not a
repeat: the dedupe set keeps each id's place (as a tag) and hands such reports back as
conflicts, which the audit turns into coverage gaps (:func:`conflict_gap`), so that the
audit is never complete while where a resource is remains in doubt.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from cloudaudit._finding_table import speedups_module
from cloudaudit.models import CoverageGap, Location, LocationKind, Resource, ScopeRecord

__all__ = ["CHUNK", "CONFLICTING_REPORTS", "Seen", "conflict_gap", "place_tag", "unseen"]

CHUNK = 4096
"""Resources of a batch judged at a time (see :meth:`~cloudaudit.policies.Engine.stream`)."""

CONFLICTING_REPORTS = "conflicting-reports"
"""Gap code: a resource was reported again, in another region than its first report."""

Seen = dict[tuple[str, str], Any]
"""The dedupe set of a stream, per provider and account: the C loop's ``IdSet`` (ids and
their place tags) or, for the Python loop, a ``dict[str, int]`` of id to place tag."""

_DEFINITE = (LocationKind.REGION, LocationKind.ZONE)


def unseen(
    resources: Sequence[Resource], seen: Seen, conflicts: list[Resource] | None = None
) -> Sequence[Resource]:
    """The resources whose (provider, account, id) is not in ``seen`` yet; adds them to it.

    A resource seen before whose place tag (:func:`place_tag`) is set and differs from its
    first report's is appended to ``conflicts`` (when given). The C loop of
    :mod:`cloudaudit._speedups` when it runs, else :func:`_unseen`. The C loop keeps each
    provider and account's ids in an ``IdSet`` of its own: exact, like a set, in less memory
    (an 8-byte slot, an 8-byte reference and a 4-byte place tag per id, the table at most
    five-eighths full: 29-39 bytes an id from 100,000 ids on, against 34-45 for a set and
    31-41 for the Python loop's dict, the ids themselves apart). Each loop refuses the
    other's sets.
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


def conflict_gap(r: Resource, audited: Sequence[ScopeRecord] = ()) -> CoverageGap:
    """The coverage gap of a report of ``r`` that contradicts its first report's region.

    Args:
        r: The resource as the later report has it.
        audited: The scopes of the unit that reported it. Their provider names the gap's (an
            inventory file's is ``inventory``), so the gap counts against what was audited;
            a unit of one scope (an inventory file, a region of an account) also names the
            gap's scope, else the scope is the resource's own.
    """
    loc = r.location
    where = loc.region if loc.site is None else f"{loc.region} (site {loc.site})"
    own = f"{r.provider.value}/{r.account}/{loc.region}/{r.service}"
    return CoverageGap(
        provider=audited[0].provider if audited else r.provider.value,
        scope=audited[0].scope if len(audited) == 1 else own,
        code=CONFLICTING_REPORTS,
        message=(
            f"{r.type} `{r.name or r.id}` ({r.id}) was reported again, in {where}, after a first "
            "report in another region; only the first report was judged, so where this "
            "resource is remains in doubt (see its finding)"
        ),
        account=r.account,
        region=loc.region,
        service=r.service,
    )


def _unseen(
    resources: Sequence[Resource], seen: Seen, conflicts: list[Resource] | None = None
) -> Sequence[Resource]:
    """The reference loop of :func:`unseen`.

    ``seen`` keeps one dict of id to place tag per provider and account: exact (the ids
    themselves), and per resource one probe of the dict. Resources of a batch mostly share
    their provider, account and location objects, so the dict is looked up again only when
    either of the first two changes (an equal new object finds the same dict), and a place
    tag is made once per location object of the batch. The list of new resources is started
    only at the first resource seen before: usually there is none, and ``resources`` is
    returned as it is.
    """
    out: list[Resource] | None = None
    provider: object = _UNSET
    account: object = _UNSET
    location: object = _UNSET
    ids: dict[str, int] = {}
    place = 0
    size = 0
    places: dict[int, int] = {}  # one int object per place: the ids share it
    by_object: dict[int, int] = {}  # place tags by location object (alive: the batch holds it)
    tag_of, address = by_object.get, id
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
        first = ids.setdefault(d["id"], place)
        if len(ids) != size:
            size += 1
            if out is not None:
                out.append(r)
            continue
        if conflicts is not None and place and first and first != place:
            conflicts.append(r)
        if out is None:
            out = list(islice(resources, i))
    return resources if out is None else out


_UNSET = object()
