"""The data of the HTML report page: the report encoded once, compactly, as JSON.

The page renders its table and map from this data in the browser, so a report of 20,000
resources is one JSON document, not 20,000 pre-rendered rows. Whatever repeats is stored once
and referred to by index (``report.js`` expands it):

* ``strings``: reason templates (the resource's label replaced by a NUL), locations,
  operators, exemptions, and comma-joined lists of country codes;
* ``places``: what the catalog says of each location (country, members, candidates, city,
  operator and its jurisdiction, source);
* ``evidence``: ``[axis, place, status, matched, note]`` (why a location is unknown);
* ``verdicts``: ``[status, exemption, reasons, jurisdictions, evidence, region, zone,
  location kind, copies (each with the title of the mechanism it names), home country,
  countries, operator jurisdictions, operators, lists]``,
  with the views of :mod:`cloudaudit.report` computed once per distinct verdict;
* ``kinds`` (provider, account, service, type), ``ids`` (resource-id templates, where the
  account, region, zone and name are placeholders) and ``tags`` (``[key, value]`` pairs).

Each row is ``[name, id template index or the whole id, kind, verdict, [tag pairs]]``, worst
first. :func:`script_json` makes the JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` are
escaped, and so is every non-ASCII character (including bidi controls and U+2028).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from cloudaudit.catalog import country_name, numeric_code
from cloudaudit.copymodel import mechanism
from cloudaudit.models import Evidence, Finding, Location, Place, Resource
from cloudaudit.policies import load_lists
from cloudaudit.report import (
    Report,
    cited_lists,
    countries_of,
    home_country,
    operator_jurisdictions,
    operators_of,
    worst_first,
)

__all__ = ["page_data", "script_json"]

LABEL = "\x00"


class _Table:
    """Values stored once, referred to by index."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Hashable, int] = {}

    def add(self, key: Hashable, make: Any) -> int:
        """Return the index of ``key``, storing ``make()`` the first time it is seen."""
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.items)
            self.items.append(make())
        return i


def _place(p: Place) -> dict[str, Any]:
    return {
        "region": p.region,
        "zone": p.zone,
        "kind": p.kind.value,
        "country": p.country,
        "countries": list(p.countries),
        "candidates": list(p.candidates),
        "subdivision": p.subdivision,
        "city": p.city,
        "operator": p.operator,
        "operator_country": p.operator_country,
        "verified": p.verified,
        "source": p.source,
    }


_MARKS = ("\x01", "\x02", "\x03", "\x04")  # account, region, zone, name in id templates


def _id_template(r: Resource) -> str | None:
    """The resource id with its account, region, zone and name as placeholders, or None."""
    parts = (r.account, r.location.region or "", r.location.zone or "", r.name)
    if not r.name or any(m in x for m in _MARKS for x in (r.id, *parts)):
        return None
    head, sep, tail = r.id.rpartition(r.name)
    if not sep:
        return None
    t = head + "\x04" + tail
    for mark, value in zip(_MARKS[:3], parts[:3], strict=True):
        if value:
            t = t.replace(value, mark)
    return t


class _Encoder:
    def __init__(self) -> None:
        self.strings = _Table()
        self.places = _Table()
        self.evidence = _Table()
        self.verdicts = _Table()
        self.kinds = _Table()
        self.ids = _Table()
        self.tags = _Table()
        self._ev_keys: dict[int, int] = {}
        self._ev_tuples = _Table()

    def s(self, value: str | None) -> int:
        """Index of a string (-1 for None)."""
        return -1 if value is None else self.strings.add(value, lambda: value)

    def codes(self, values: tuple[str, ...]) -> int:
        """Index of a comma-joined list of codes."""
        return self.s(",".join(values))

    def _evidence(self, e: Evidence) -> int:
        def make() -> list[Any]:
            place = self.places.add(e.place, lambda: _place(e.place))
            return [e.axis, place, e.status.value, self.codes(e.matched), self.s(e.location.note)]

        return self.evidence.add(e, make)

    def _evidence_key(self, f: Finding) -> int:
        # the engine shares one evidence tuple between the findings of one verdict: hash it once
        key = self._ev_keys.get(id(f.evidence))
        if key is None:
            key = self._ev_keys[id(f.evidence)] = self._ev_tuples.add(f.evidence, lambda: None)
        return key

    def _verdict(self, f: Finding) -> int:
        r = f.resource
        label = f"{r.type} `{r.name}`"
        templates = tuple(x.replace(label, LABEL) for x in f.reasons)
        loc = r.location
        key = (
            f.status,
            f.exemption,
            templates,
            f.jurisdictions,
            self._evidence_key(f),
            loc.key(),
            tuple((c.key(), c.via) for c in r.data_locations),
        )

        def make() -> list[Any]:
            return [
                f.status.value,
                self.s(f.exemption),
                [self.s(t) for t in templates],
                self.codes(f.jurisdictions),
                [self._evidence(e) for e in f.evidence],
                self.s(loc.region),
                self.s(loc.zone),
                loc.kind.value,
                [self.s(_copy_text(c)) for c in r.data_locations],
                home_country(f),
                self.codes(countries_of(f)),
                self.codes(operator_jurisdictions(f)),
                [self.s(o) for o in operators_of(f)],
                self.codes(cited_lists(f)),
            ]

        return self.verdicts.add(key, make)

    def row(self, f: Finding) -> list[Any]:
        r = f.resource
        kind = self.kinds.add(
            (r.provider, r.account, r.service, r.type),
            lambda: [r.provider.value, r.account, r.service, r.type],
        )
        template = _id_template(r)
        ident: int | str = r.id if template is None else self.ids.add(template, lambda: template)
        tags = [self.tags.add(kv, lambda kv=kv: list(kv)) for kv in sorted(r.tags.items())]
        return [r.name, ident, kind, self._verdict(f), tags]


def page_data(report: Report) -> dict[str, Any]:
    """Encode ``report`` for the page (see the module docstring for the shape)."""
    enc = _Encoder()
    rows = [enc.row(f) for f in worst_first(report)]  # a finding is dropped once encoded
    strings: list[str] = enc.strings.items
    codes: set[str] = set()
    for v in enc.verdicts.items:
        codes.update(c for i in (v[10], v[11]) for c in strings[i].split(",") if c)
    lists = load_lists()
    used_lists = {i for v in enc.verdicts.items for i in strings[v[13]].split(",") if i}
    s = report.summary
    return {
        "meta": {
            "policy": report.policy_id,
            "policy_version": report.policy_version,
            "tool_version": report.tool_version,
            "started_at": report.started_at.isoformat(),
            "summary": s.model_dump(),
        },
        "gaps": [g.model_dump() for g in report.coverage.gaps],
        "countries": {c: [country_name(c), numeric_code(c)] for c in sorted(codes)},
        "lists": {
            i: {"title": lists[i].title, "citation": lists[i].citation} for i in sorted(used_lists)
        },
        "strings": strings,
        "places": enc.places.items,
        "evidence": enc.evidence.items,
        "verdicts": enc.verdicts.items,
        "kinds": enc.kinds.items,
        "ids": enc.ids.items,
        "tags": enc.tags.items,
        "rows": rows,
    }


def script_json(value: Any) -> str:
    """JSON that is safe as the text of a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _copy_text(copy: Location) -> str:
    """A copy's place and, when it names one, the mechanism that put the data there."""
    mech = mechanism(copy.via)
    return f"{copy} ({mech.title})" if mech else str(copy)
