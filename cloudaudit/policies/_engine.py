"""The policy engine: pure functions from resources and a policy to findings.

Hot-path design: a resource's verdict depends only on the places of its locations, so each
distinct location (and each distinct combination of locations) is judged once per engine and
cached. Per resource the engine then builds one key, does one dict lookup, one string
substitution per reason and one model construction without re-validation, in one loop
(:meth:`Engine.findings`) that both ``evaluate`` and the streaming ``audit_iter`` drive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter

from pydantic import BaseModel

from cloudaudit.catalog import Catalog, country_name, default_catalog
from cloudaudit.copymodel import MechanismKind, mechanism, unread_copies
from cloudaudit.models import Evidence, Finding, Location, LocationKind, Place, Resource, Status
from cloudaudit.policies._model import Policy, RuleSet, Term, compile_rules

__all__ = ["Engine", "evaluate_resources"]

LABEL = "\x00"  # placeholder for the resource label inside cached reason templates
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
"""What a location's verdict depends on (one C call per location on the hot path)."""


@dataclass(frozen=True)
class Judgement:
    """The verdict on one location (or one combination) with reason templates."""

    status: Status
    reasons: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    evidence: tuple[Evidence, ...]


def _where(place: Place, loc: Location) -> str:
    """Describe a place: ``ap-east-1, Hong Kong (HK)``."""
    code = loc.zone or loc.region or "a location that could not be determined"
    if place.kind in (LocationKind.MULTI_REGION, LocationKind.DUAL_REGION):
        return f"the {code} {place.kind.value.replace('_', '-')}"
    bits = [code]
    if place.city and (not place.country or place.city != country_name(place.country)):
        bits.append(place.city)
    if place.country:
        bits.append(f"{country_name(place.country)} ({place.country})")
    return ", ".join(bits)


def _why(code: str, term: Term) -> str:
    """Explain why a code is on a list: ``which 15 CFR 791.4 counts as part of China``."""
    cite = term.list.citation
    own = country_name(code)
    if term.member_short in (own, f"the {own}") or term.list.id == code:
        return f"which {cite} names as {term.list.noun}"
    return f"which {cite} counts as part of {term.member_short}"


class Engine:
    """Evaluates resources against one policy, caching verdicts per location.

    Args:
        policy: The policy to apply.
        catalog: The region catalog; defaults to the packaged one.
        today: The date used for exemption expiry; defaults to today (UTC).
    """

    def __init__(
        self, policy: Policy, catalog: Catalog | None = None, today: date | None = None
    ) -> None:
        self.policy = policy
        # ``today`` is the as-of date: exemptions expire and legal lists change by it.
        self.rules: RuleSet = policy.rules if today is None else compile_rules(policy, today)
        self.catalog = catalog or default_catalog()
        self.today = today or datetime.now(UTC).date()
        self._axes = frozenset(policy.axes)
        self._single: dict[tuple[object, ...], Judgement] = {}
        self._combo: dict[tuple[object, ...], Judgement] = {}

    # ----- judging one location -------------------------------------------------------------
    def _place(self, loc: Location) -> Place:
        """The catalog's place, or the policy's mapping of a customer-premises site."""
        if loc.site is None:
            return self.catalog.place(loc)
        premises = self.policy.premises
        country = premises.get(loc.site) or premises.get(loc.site.rsplit("/", 1)[-1])
        if country is None:
            return self.catalog.place(loc)
        parent = self.catalog.place(loc.model_copy(update={"site": None, "zone": None}))
        return Place(
            provider=loc.provider,
            region=loc.region,
            kind=LocationKind.REGION,
            country=country,
            countries=(country,),
            city=f"customer premises {loc.site}",
            operator=parent.operator,
            operator_country=parent.operator_country,
            partition=parent.partition,
            source="the policy's `premises` mapping",
        )

    def _judge_location(self, loc: Location, axis: str) -> Judgement:
        place = self._place(loc)
        where = _where(place, loc)
        status, text, matched = self._judge_countries(place, loc)
        if axis == "location":
            reason = f"{LABEL} is in {where}{text}"
        elif place.known:
            reason = f"{LABEL} keeps a copy of its data in {where}{_via(loc)}{text}"
        elif loc.region is None and loc.zone is None and loc.site is None:
            mech = mechanism(loc.via)
            through = f" through {mech.title}" if mech else ""
            reason = f"{LABEL} may keep a copy of its data elsewhere{through}{text}"
        else:
            reason = f"{LABEL} may keep a copy of its data in {where}{text}"
        ev_axis = "location" if axis == "location" else "copy"
        evidence = Evidence(axis=ev_axis, location=loc, place=place, status=status, matched=matched)
        return Judgement(status, (reason,), matched, (evidence,))

    def place_verdict(self, location: Location) -> tuple[Status, str, tuple[str, ...]]:
        """Judge one location on the location axis, without a resource.

        Returns:
            The status, a text such as ``ap-east-1, Hong Kong (HK), which 15 CFR 791.4 counts
            as part of China`` and the matched jurisdictions.
        """
        place = self.catalog.place(location)
        status, text, matched = self._judge_countries(place, location)
        return status, f"{_where(place, location)}{text}", matched

    def describe_place(self, location: Location) -> str:
        """Describe a location: ``ap-east-1, Hong Kong (HK)``."""
        return _where(self.catalog.place(location), location)

    def _judge_countries(self, place: Place, loc: Location) -> tuple[Status, str, tuple[str, ...]]:
        if place.kind is LocationKind.GLOBAL:
            return (
                Status.UNKNOWN,
                (
                    ": a global location has no single country, and the vendor does not say "
                    "where the data is kept"
                ),
                (),
            )
        if not place.known and loc.note:
            return Status.UNKNOWN, f": {loc.note}; its residency cannot be judged", ()
        if not place.known and loc.site is not None:
            why = (
                f", on customer premises ({loc.site}) that no catalog places; map the site to a "
                "country with the policy's `premises` to judge it"
            )
            return Status.UNKNOWN, why, ()
        if not place.known and place.notes and place.kind is LocationKind.UNKNOWN:
            return Status.UNKNOWN, f", which cannot be placed: {place.notes}", ()
        if not place.known:
            return (
                Status.UNKNOWN,
                (
                    f", which the cloudaudit region catalog does not place in any country "
                    f"(unmapped {loc.provider.value} location); its residency cannot be judged"
                ),
                (),
            )
        if self.rules.mode == "restricted":
            return self._restricted(place)
        return self._allowed(place)

    def _restricted(self, place: Place) -> tuple[Status, str, tuple[str, ...]]:
        rules = self.rules
        members = place.countries
        hits = [c for c in members if c in rules.countries]
        if place.subdivision and place.subdivision in rules.subdivisions:
            hits.append(place.subdivision)
        if hits:
            if len(members) == 1 and len(hits) == 1:
                term = rules.countries.get(hits[0]) or rules.subdivisions[hits[0]]
                return Status.VIOLATION, f", {_why(hits[0], term)}", tuple(hits)
            whys = "; ".join(
                f"{country_name(c)} ({c}), "
                f"{_why(c, rules.countries.get(c) or rules.subdivisions[c])}"
                for c in hits
            )
            return Status.VIOLATION, f", whose members include {whys}", tuple(hits)
        partial = self._partial(place)
        if partial:
            return Status.UNKNOWN, partial, ()
        if not members:  # only candidate countries are known
            maybe = [c for c in place.candidates if c in rules.countries]
            if maybe:
                named = ", ".join(f"{country_name(c)} ({c})" for c in maybe)
                term = rules.countries[maybe[0]]
                return (
                    Status.UNKNOWN,
                    (
                        f", whose member regions are not published and may include {named}, "
                        f"{_why(maybe[0], term)}"
                    ),
                    tuple(maybe),
                )
            return (
                Status.COMPLIANT,
                (
                    f", whose possible countries ({', '.join(place.candidates)}) are all outside "
                    f"{self._cites()}"
                ),
                (),
            )
        names = ", ".join(f"{country_name(c)} ({c})" for c in members) if len(members) > 1 else ""
        scope = f" (members: {names})" if names else ""
        return Status.COMPLIANT, f"{scope}, which is not on {self._cites()}", ()

    def _partial(self, place: Place) -> str:
        rules = self.rules
        country = place.country
        if not country or country not in rules.subdivision_countries:
            return ""
        sub = place.subdivision
        if sub and sub in rules.partial_subdivisions:
            term = rules.partial_subdivisions[sub]
            return (
                f", in {country_name(sub)} ({sub}), part of which {term.list.citation} "
                f"covers ({term.member_short}); the exact address decides"
            )
        if sub is None:
            return (
                f"; {country_name(country)} ({country}) is covered in part by "
                f"{self._cites()} and the catalog does not know the subdivision"
            )
        return ""

    def _allowed(self, place: Place) -> tuple[Status, str, tuple[str, ...]]:
        rules = self.rules
        members = place.countries
        if members:
            outside = [c for c in members if c not in rules.countries]
            if outside:
                text = self._outside_text(outside, len(members) > 1)
                return Status.VIOLATION, text, tuple(outside)
            terms = {rules.countries[c].list.noun for c in members}
            return Status.COMPLIANT, f", which is {' / '.join(sorted(terms))}", ()
        inside = [c for c in place.candidates if c in rules.countries]
        if len(inside) == len(place.candidates):
            return (
                Status.COMPLIANT,
                (f", whose possible countries are all allowed by {self._cites()}"),
                (),
            )
        if not inside:
            return (
                Status.VIOLATION,
                self._outside_text(list(place.candidates), True),
                tuple(place.candidates),
            )
        outside = [c for c in place.candidates if c not in rules.countries]
        named = ", ".join(f"{country_name(c)} ({c})" for c in outside)
        return (
            Status.UNKNOWN,
            (
                f", whose member regions are not published and may include {named}, outside "
                f"{self._cites()}"
            ),
            (),
        )

    def _outside_text(self, outside: list[str], multi: bool) -> str:
        parts = []
        for c in outside:
            text = f"{country_name(c)} ({c})"
            excluded = self.rules.excluded_by_option.get(c)
            if excluded:
                term, option = excluded
                text += (
                    f", which counts as allowed only as {term.member_name} (option {option} is off)"
                )
            parts.append(text)
        if not multi:
            excluded = self.rules.excluded_by_option.get(outside[0])
            if excluded:
                term, option = excluded
                return (
                    f", which counts as allowed only as {term.member_name} (option {option} "
                    f"is off), so it is outside {self._cites()}"
                )
            return f", outside {self._cites()}"
        return f", whose members include {'; '.join(parts)}, outside {self._cites()}"

    def _cites(self) -> str:
        from cloudaudit.policies._lists import load_lists

        lists = load_lists()
        if self.rules.mode == "allowed":
            cites = [lists[s].title if s in lists else s for s in self.rules.sources]
            return "the allowed set (" + "; ".join(dict.fromkeys(cites)) + ")"
        cites = [lists[s].citation if s in lists else s for s in self.rules.sources]
        return " / ".join(dict.fromkeys(cites))

    def _judge_operator(self, loc: Location, axis: str = "location") -> Judgement | None:
        place = self._place(loc)
        op = place.operator_country
        verb = "is in" if axis == "location" else "keeps a copy of its data in"
        if op is None:
            why = f": {loc.note}" if loc.note else ", whose operator is not in the catalog"
            where = f"{verb} {_where(place, loc)}"
            if loc.note and axis != "location" and not (loc.region or loc.zone or loc.site):
                where = "may keep a copy of its data elsewhere"
            reason = f"{LABEL} {where}{why}; the operator axis cannot be judged"
            ev = Evidence(axis="operator", location=loc, place=place, status=Status.UNKNOWN)
            return Judgement(Status.UNKNOWN, (reason,), (), (ev,))
        term = self.rules.countries.get(op)
        if term is None:
            return None
        reason = (
            f"{LABEL} {verb} {_where(place, loc)}, a region operated by {place.operator}, "
            f"under the jurisdiction of {country_name(op)} ({op}), {_why(op, term)} "
            "(operator axis)"
        )
        ev = Evidence(
            axis="operator", location=loc, place=place, status=Status.VIOLATION, matched=(op,)
        )
        return Judgement(Status.VIOLATION, (reason,), (op,), (ev,))

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

    def findings(self, resources: Iterable[Resource]) -> Iterator[Finding]:
        """Yield one finding per resource, in input order (the hot path).

        Everything the loop needs is bound to a local once; per resource it builds one cache
        key (C-level ``attrgetter``), does one dictionary lookup, one string substitution per
        reason, and builds the :class:`Finding` with :func:`_finding`'s writes inlined.
        """
        combo_get = self._combo.get
        judge_new = self._judge_new
        policy_id = self.policy.id
        exemptions = self.policy.exemptions
        exempt = self._exempt
        compliant = Status.COMPLIANT
        key_of = _loc_key
        new, fields, finding_cls = _new_finding, _FINDING_FIELDS, Finding
        set_dict, set_fields, set_extra, set_private = (
            _set_dict,
            _set_fields_set,
            _set_extra,
            _set_private,
        )
        complete = self.copies if "copies" in self._axes else None
        for r in resources:
            if complete is not None:
                r, copies = complete(r)
            else:
                copies = r.data_locations
            loc = r.location
            key = (key_of(loc), tuple(map(key_of, copies))) if copies else key_of(loc)
            j = combo_get(key)
            if j is None:
                j = judge_new(key, loc, copies)
            label = f"{r.type} `{r.name}`"
            reasons = j.reasons
            if len(reasons) == 1:
                reasons = (reasons[0].replace(LABEL, label),)
            else:
                reasons = tuple([x.replace(LABEL, label) for x in reasons])
            status = j.status
            exemption = None
            if exemptions and status is not compliant:
                status, reasons, exemption = exempt(r, status, reasons)
            f = new(finding_cls)  # what model_construct writes (see _new_finding)
            set_dict(
                f,
                {
                    "policy_id": policy_id,
                    "resource": r,
                    "status": status,
                    "reasons": reasons,
                    "jurisdictions": j.jurisdictions,
                    "evidence": j.evidence,
                    "exemption": exemption,
                },
            )
            set_fields(f, fields)
            set_extra(f, None)
            set_private(f, None)
            yield f


_DATA_LOCATIONS = frozenset({"data_locations"})


def _with_copies(resource: Resource, copies: tuple[Location, ...]) -> Resource:
    """``resource.model_copy(update={"data_locations": copies})`` at a fraction of its cost.

    Same four writes as the findings (see ``_new_finding``): a shallow copy of the fields with
    ``data_locations`` replaced, the fields set gaining it. ``tests/test_engine_fast_path.py``
    checks it equals ``model_copy``.
    """
    new = _new_resource(Resource)
    values = dict(resource.__dict__)
    values["data_locations"] = copies
    _set_dict(new, values)
    _set_fields_set(new, resource.__pydantic_fields_set__ | _DATA_LOCATIONS)
    _set_extra(new, resource.__pydantic_extra__)
    _set_private(new, resource.__pydantic_private__)
    return new


_new_resource = Resource.__new__


def _seen_key(loc: Location) -> tuple[object, ...]:
    """A copy already judged: the same place by the same mechanism (each unknown says why)."""
    return (loc.provider, loc.region, loc.zone, loc.note, loc.via, loc.site)


def _via(loc: Location) -> str:
    """`` (<mechanism>: <note>)`` for a copy that names its mechanism or why it is there."""
    mech = mechanism(loc.via)
    if mech and loc.note:
        merged = _merge(mech.title, loc.note)
        return f" ({merged or mech.title + ': ' + loc.note})"
    bits = [b for b in (mech.title if mech else None, loc.note) if b]
    return f" ({': '.join(bits)})" if bits else ""


def _merge(title: str, note: str) -> str | None:
    """``title`` continued by ``note`` when the note repeats the title's last words.

    ``to the paired region`` + ``the paired region of southeastasia`` gives
    ``to the paired region of southeastasia`` (not ``...region: the paired region of ...``).
    """
    words = title.split()
    for n in range(len(words) - 1, 1, -1):
        tail = " ".join(words[-n:])
        if note.startswith(tail + " "):
            return f"{title}{note[len(tail) :]}"
    return None


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
