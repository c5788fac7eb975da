"""Judging one location against one policy: the verdict, the reason an auditor reads, evidence.

:class:`Judge` holds everything that depends on a single location (the catalog's place, the
policy's lists and options) and nothing per resource; :class:`~cloudaudit.policies._engine.Engine`
builds on it, caching each judgement and combining them per resource. Reasons are templates whose
:data:`LABEL` placeholder becomes the resource's label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cloudaudit._finding_table import LABEL
from cloudaudit.catalog import Catalog, country_name, default_catalog
from cloudaudit.copymodel import mechanism
from cloudaudit.models import Evidence, Location, LocationKind, Place, Status
from cloudaudit.policies import _phrases as say
from cloudaudit.policies._model import Policy, RuleSet, compile_rules

__all__ = ["LABEL", "Judge", "Judgement"]


@dataclass(frozen=True)
class Judgement:
    """The verdict on one location (or one combination) with reason templates.

    ``tails`` and ``fixed`` are ``reasons`` split for the hot loop: when every reason that
    names the resource starts with :data:`LABEL` (and names it once) and comes before those that
    do not, the reasons of a resource labelled ``x`` are ``(x + t for t in tails) + fixed``;
    otherwise ``tails`` is ``None`` and ``fixed`` holds the templates as they are.
    """

    status: Status
    reasons: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    tails: tuple[str, ...] | None = field(init=False, compare=False, repr=False)
    fixed: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        reasons = self.reasons
        n = 0
        while n < len(reasons) and reasons[n].count(LABEL) == 1 and reasons[n][0] == LABEL:
            n += 1
        rest = reasons[n:]
        plain = not any(LABEL in r for r in rest)
        object.__setattr__(self, "tails", tuple(r[1:] for r in reasons[:n]) if plain else None)
        object.__setattr__(self, "fixed", rest if plain else reasons)


class Judge:
    """Judges single locations under one policy (no caching, no resources).

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
        where = say.where(place, loc)
        status, text, matched = self._judge_countries(place, loc)
        if axis == "location":
            reason = f"{LABEL} is in {where}{text}"
        elif place.known:
            reason = f"{LABEL} keeps a copy of its data in {where}{say.via(loc)}{text}"
        elif loc.region is None and loc.zone is None and loc.site is None:
            mech = mechanism(loc.via)
            through = f" through {mech.title}" if mech else ""
            if mech and text.startswith(f": {mech.title}: "):  # said once, not twice
                text = text[len(mech.title) + 2 :]
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
        return status, f"{say.where(place, location)}{text}", matched

    def describe_place(self, location: Location) -> str:
        """Describe a location: ``ap-east-1, Hong Kong (HK)``."""
        return say.where(self.catalog.place(location), location)

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
        hits = [c for c in members if self._counts(c, place)]
        if place.subdivision and place.subdivision in rules.subdivisions:
            hits.append(place.subdivision)
        if hits:
            if len(members) == 1 and len(hits) == 1:
                term = rules.countries.get(hits[0]) or rules.subdivisions[hits[0]]
                return Status.VIOLATION, f", {say.why(hits[0], term)}", tuple(hits)
            whys = "; ".join(
                f"{country_name(c)} ({c}), "
                f"{say.why(c, rules.countries.get(c) or rules.subdivisions[c])}"
                for c in hits
            )
            return Status.VIOLATION, f", whose members include {whys}", tuple(hits)
        partial = self._partial(place)
        if partial:
            return Status.UNKNOWN, partial, ()
        if not members:  # only candidate countries are known
            maybe = [c for c in place.candidates if self._counts(c, place)]
            if maybe:
                named = ", ".join(f"{country_name(c)} ({c})" for c in maybe)
                term = rules.countries[maybe[0]]
                return (
                    Status.UNKNOWN,
                    (
                        f", whose member regions are not published and may include {named}, "
                        f"{say.why(maybe[0], term)}"
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

    def _counts(self, code: str, place: Place) -> bool:
        """True when ``code`` is in the policy's set for this place (operator limits applied)."""
        term = self.rules.countries.get(code)
        return term is not None and term.admits(place.operator_country)

    def _allowed(self, place: Place) -> tuple[Status, str, tuple[str, ...]]:
        rules = self.rules
        members = place.countries
        if members:
            outside = [c for c in members if not self._counts(c, place)]
            if outside:
                text = self._outside_text(outside, len(members) > 1, place)
                return Status.VIOLATION, text, tuple(outside)
            terms = {say.basis(rules.countries[c], place) for c in members}
            return Status.COMPLIANT, f", which is {' / '.join(sorted(terms))}", ()
        inside = [c for c in place.candidates if self._counts(c, place)]
        if len(inside) == len(place.candidates):
            return (
                Status.COMPLIANT,
                (f", whose possible countries are all allowed by {self._cites()}"),
                (),
            )
        if not inside:
            return (
                Status.VIOLATION,
                self._outside_text(list(place.candidates), True, place),
                tuple(place.candidates),
            )
        outside = [c for c in place.candidates if not self._counts(c, place)]
        named = ", ".join(say.country(c) for c in outside)
        return (
            Status.UNKNOWN,
            (
                f", whose member regions are not published and may include {named}, outside "
                f"{self._cites()}"
            ),
            (),
        )

    def _only_as(self, code: str, place: Place) -> str | None:
        """``which counts as allowed only as …`` for a code left out, else ``None``.

        A code is left out by a list option that is off, or by an operator limit the place's
        operator does not meet (the United States under the DPF for a non-US operator).
        """
        excluded = self.rules.excluded_by_option.get(code)
        if excluded:
            term, option = excluded
            return f"which counts as allowed only as {term.member_name} (option {option} is off)"
        limited = self.rules.countries.get(code)
        if limited is None or limited.admits(place.operator_country):
            return None
        juris = " or ".join(say.country(c) for c in limited.operators)
        op = place.operator_country
        whose = (
            f"its operator, {place.operator}, is under the jurisdiction of {say.country(op)}"
            if op
            else "its operator is not in the catalog"
        )
        return (
            f"which counts as allowed only as {limited.member_name} for an operator under the "
            f"jurisdiction of {juris}, and {whose}"
        )

    def _outside_text(self, outside: list[str], multi: bool, place: Place) -> str:
        if not multi:
            only = self._only_as(outside[0], place)
            if only:
                return f", {only}, so it is outside {self._cites()}"
            return f", outside {self._cites()}"
        parts = []
        for c in outside:
            only = self._only_as(c, place)
            parts.append(say.country(c) + (f", {only}" if only else ""))
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
        where, note = _operator_lead(loc, place, axis)
        if op is None:
            why = note or ", whose operator is not in the catalog"
            reason = f"{LABEL} {where}{why}; the operator axis cannot be judged"
            ev = Evidence(axis="operator", location=loc, place=place, status=Status.UNKNOWN)
            return Judgement(Status.UNKNOWN, (reason,), (), (ev,))
        term = self.rules.countries.get(op)
        if term is None:
            return None
        if place.known:
            run = f", a region operated by {place.operator}"
        else:  # unplaced, but its operator runs all of its kind: say which
            what = "zone" if loc.zone else "region"
            whose = "its parent region is" if loc.zone else f"every {loc.provider.value} region is"
            unplaced = note or f", a {what} the catalog does not place"
            run = f"{unplaced}; {whose} operated by {place.operator}"
        reason = (
            f"{LABEL} {where}{run}, under the jurisdiction of {say.country(op)}, "
            f"{say.why(op, term)} (operator axis)"
        )
        ev = Evidence(
            axis="operator", location=loc, place=place, status=Status.VIOLATION, matched=(op,)
        )
        return Judgement(Status.VIOLATION, (reason,), (op,), (ev,))


def _operator_lead(loc: Location, place: Place, axis: str) -> tuple[str, str]:
    """How an operator-axis reason starts, and the note it continues with (may be empty).

    ``is in ap-east-1, Hong Kong (HK)``; a copy whose place was not carried says ``may keep a
    copy of its data elsewhere through <mechanism>`` and its note once.
    """
    verb = "is in" if axis == "location" else "keeps a copy of its data in"
    where = f"{verb} {say.where(place, loc)}"
    note = f": {loc.note}" if loc.note else ""
    mech = mechanism(loc.via) if axis != "location" else None
    if axis != "location" and not (loc.region or loc.zone or loc.site):
        if loc.note or mech:
            where = "may keep a copy of its data elsewhere"
        if mech:  # as on the location axis: each mechanism's copy its own reason
            where += f" through {mech.title}"
            note = f": {say.untitled(loc.note, mech.title)}" if loc.note else note
    return where, note
