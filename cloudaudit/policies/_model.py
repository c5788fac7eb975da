"""The policy model: what a policy file says, and the sets it compiles to."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from cloudaudit.policies._lists import LegalList, load_lists

__all__ = ["Axis", "Exemption", "Policy", "RuleSet", "Term"]

Axis = Literal["location", "copies", "operator"]


def _not_a_number(value: object) -> object:
    """Refuse a number as a date (pydantic would read ``0`` as 1970-01-01)."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "expected a date, not a number", {})
    return value


PolicyDate = Annotated[date, BeforeValidator(_not_a_number)]


class Exemption(BaseModel):
    """An approved exception: by resource-id glob and/or by tags, with a reason and expiry.

    A resource matches when its id matches ``resource`` (if given) and it carries every tag in
    ``tags`` (values may be globs). An exemption past its ``expires`` date no longer applies, and
    the finding says so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    resource: str | None = Field(default=None, min_length=1, max_length=2048)
    tags: dict[str, str] | None = None
    reason: str = Field(min_length=3, max_length=2000)
    expires: PolicyDate | None = None
    approved_by: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _has_selector(self) -> Exemption:
        if self.resource is None and not self.tags:
            raise ValueError("an exemption needs `resource` (an id glob) or `tags`")
        return self

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return re.compile(fnmatch.translate(self.resource)) if self.resource else None

    def matches(self, resource_id: str, tags: Mapping[str, str]) -> bool:
        """Return True when the exemption selects a resource with this id and these tags."""
        if self._pattern is not None and not self._pattern.match(resource_id):
            return False
        if self.tags:
            for key, want in self.tags.items():
                have = tags.get(key)
                if have is None or not fnmatch.fnmatchcase(have, want):
                    return False
        return True

    def describe(self) -> str:
        """Describe the selector for reasons (``resource arn:…`` or ``tags owner=x``)."""
        parts = []
        if self.resource:
            parts.append(f"resource {self.resource}")
        if self.tags:
            parts.append("tags " + ", ".join(f"{k}={v}" for k, v in sorted(self.tags.items())))
        return " and ".join(parts)


@dataclass(frozen=True)
class Term:
    """Why a country or subdivision is in a policy's set: the list and the member naming it.

    ``option`` is the list option that brought the member in, ``scope`` what a partial member
    covers, and ``operators`` the operator jurisdictions the member is limited to (empty: any).
    """

    list: LegalList
    member_name: str
    member_short: str
    option: str | None = None
    scope: str | None = None
    operators: tuple[str, ...] = ()

    def admits(self, operator_country: str | None) -> bool:
        """True when the member counts for a place run by an operator under this country."""
        return not self.operators or operator_country in self.operators


@dataclass(frozen=True)
class RuleSet:
    """The compiled sets of a policy (restricted or allowed)."""

    mode: Literal["restricted", "allowed"]
    countries: dict[str, Term] = field(default_factory=dict)
    subdivisions: dict[str, Term] = field(default_factory=dict)
    partial_subdivisions: dict[str, Term] = field(default_factory=dict)
    excluded_by_option: dict[str, tuple[Term, str]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    @property
    def subdivision_countries(self) -> frozenset[str]:
        """Countries that are restricted only in part (by subdivision)."""
        codes = list(self.subdivisions) + list(self.partial_subdivisions)
        return frozenset(c.split("-", 1)[0] for c in codes)


class Policy(BaseModel):
    """A residency policy. Load one with :func:`cloudaudit.load_policy`.

    Exactly one of ``restricted`` and ``allowed`` is set. Entries are legal-list ids (see
    ``cloudaudit policies``), ISO 3166-1 country codes or ISO 3166-2 subdivision codes.

    ``edge_caches`` (default true) decides whether edge caches (a CloudFront distribution's
    price class) count as copies when copies are judged. ``premises`` maps customer-premises
    sites (an AWS Outpost ARN or id) to the ISO 3166-1 country they stand in; an unmapped site
    is unknown.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$")
    version: str = Field(default="1", max_length=50)
    title: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=5000)
    citation: str | None = Field(default=None, max_length=500)
    effective: PolicyDate | None = None
    reviewed: PolicyDate | None = None
    link: str | None = Field(default=None, max_length=2000)
    restricted: tuple[str, ...] | None = Field(default=None, max_length=500)
    allowed: tuple[str, ...] | None = Field(default=None, max_length=500)
    axes: tuple[Axis, ...] = ("location", "copies")
    unknown: Literal["unknown", "violation"] = "unknown"
    # strict: an option is true or false, never a string like "no" that reads as true
    options: dict[str, StrictBool] = Field(default_factory=dict)
    edge_caches: StrictBool = True
    premises: dict[str, str] = Field(default_factory=dict, max_length=10000)
    exemptions: tuple[Exemption, ...] = Field(default=(), max_length=10000)

    @model_validator(mode="after")
    def _one_mode(self) -> Policy:
        if (self.restricted is None) == (self.allowed is None):
            raise ValueError("set exactly one of `restricted` and `allowed`")
        if "location" not in self.axes:
            raise ValueError("`axes` must include `location`")
        if "operator" in self.axes and self.allowed is not None:
            raise ValueError("the `operator` axis is judged only with `restricted`")
        for site, code in self.premises.items():
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(
                    f"`premises` maps {site!r} to {code!r}: write an ISO 3166-1 alpha-2 code "
                    "such as DE"
                )
        return self

    @property
    def fails_closed(self) -> bool:
        """True when unknown locations count as violations."""
        return self.unknown == "violation"

    @cached_property
    def rules(self) -> RuleSet:
        """The compiled country and subdivision sets (validated by the loader)."""
        return compile_rules(self)


def compile_rules(policy: Policy, on: date | None = None) -> RuleSet:
    """Expand list ids and codes of a policy into country and subdivision sets.

    Args:
        policy: The policy.
        on: Judge the legal lists as they stood on this date (``None``: as they stand today,
            with members whose ``until`` has passed left out).
    """
    from cloudaudit.catalog._data import load_country_names

    lists = load_lists()
    names = load_country_names()
    mode: Literal["restricted", "allowed"] = "restricted" if policy.restricted else "allowed"
    entries = policy.restricted if policy.restricted is not None else policy.allowed or ()
    rules = RuleSet(mode=mode, sources=tuple(entries))
    for entry in entries:
        if entry in lists:
            _add_list(rules, lists[entry], policy.options, on)
            continue
        adhoc = LegalList(
            id=entry,
            title=f"{names.countries.get(entry) or names.subdivisions.get(entry) or entry}",
            citation=f"policy {policy.id}",
            noun="restricted by this policy" if mode == "restricted" else "allowed by this policy",
            effective=policy.effective or date(1970, 1, 1),
            reviewed=policy.reviewed or date(1970, 1, 1),
            link=policy.link or "",
            members=(),
        )
        term = Term(adhoc, adhoc.title, adhoc.title)
        if entry in names.countries:
            rules.countries.setdefault(entry, term)
        else:
            rules.subdivisions.setdefault(entry, term)
    return rules


def _add_list(rules: RuleSet, legal: LegalList, options: dict[str, bool], on: date | None) -> None:
    for member in legal.members_on(on or _today()):
        term = Term(legal, member.name, member.short, member.option, member.scope, member.operators)
        enabled = True
        if member.option is not None:
            enabled = options.get(member.option, legal.options[member.option].default)
        for code in member.countries:
            if enabled:
                rules.countries.setdefault(code, term)
            else:
                rules.excluded_by_option.setdefault(code, (term, member.option or ""))
        if enabled:
            for code in member.subdivisions:
                rules.subdivisions.setdefault(code, term)
            for code in member.partial_subdivisions:
                rules.partial_subdivisions.setdefault(code, term)


def _today() -> date:
    return datetime.now(UTC).date()
