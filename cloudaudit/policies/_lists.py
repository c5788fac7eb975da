"""Legal lists: named sets of countries and subdivisions with citation and dates."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from cloudaudit.catalog._data import load_country_names
from cloudaudit.errors import CatalogError

__all__ = ["LegalList", "ListMember", "ListOption", "load_lists"]

_STRICT = ConfigDict(frozen=True, extra="forbid")


class ListMember(BaseModel):
    """One entry of a legal list (a country, a group of countries, or subdivisions).

    ``scope`` is what a partial entry covers (``partial: commercial organisations under
    PIPEDA``); reasons that rest on the entry say it. ``operators`` limits the entry to places
    whose operator is under the jurisdiction of one of these countries (the EU-US Data Privacy
    Framework covers only certified US organisations); elsewhere the entry does not count.
    """

    model_config = _STRICT

    name: str
    short: str
    countries: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    partial_subdivisions: tuple[str, ...] = ()
    option: str | None = None
    scope: str | None = None
    operators: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def in_force(self, on: date | None) -> bool:
        """True when this member is on its list on date ``on`` (``None``: always)."""
        if on is None:
            return True
        return (self.since is None or self.since <= on) and (self.until is None or on < self.until)

    @field_validator("countries", "operators")
    @classmethod
    def _iso(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = load_country_names().countries
        bad = [c for c in v if c not in known]
        if bad:
            raise ValueError(f"unknown ISO 3166-1 codes {bad}")
        return v

    @field_validator("subdivisions", "partial_subdivisions")
    @classmethod
    def _iso2(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = load_country_names().subdivisions
        bad = [c for c in v if c not in known]
        if bad:
            raise ValueError(f"unknown ISO 3166-2 codes {bad}")
        return v


class ListOption(BaseModel):
    """A documented switch that includes or excludes conditional members of a list."""

    model_config = _STRICT

    default: bool
    doc: str


class LegalList(BaseModel):
    """A legal list such as 15 CFR 791.4, with its citation and dates."""

    model_config = _STRICT

    id: str = ""
    title: str
    citation: str
    noun: str
    authority: str | None = None
    effective: date
    in_force_from: date | None = None
    reviewed: date
    link: str
    history: tuple[str, ...] = ()
    notes: str | None = None
    options: dict[str, ListOption] = {}
    members: tuple[ListMember, ...]

    def members_on(self, on: date | None) -> tuple[ListMember, ...]:
        """The members in force on ``on``: none before the list itself was in force.

        ``None`` means today's list. A member without ``since`` counts for any date on or after
        ``in_force_from`` (or any date at all when the list gives none).
        """
        if on is not None and self.in_force_from is not None and on < self.in_force_from:
            return ()
        return tuple(m for m in self.members if m.in_force(on))

    @model_validator(mode="after")
    def _options_declared(self) -> LegalList:
        for m in self.members:
            if m.option is not None and m.option not in self.options:
                raise ValueError(f"member {m.name!r} uses undeclared option {m.option!r}")
        return self


class _ListsFile(BaseModel):
    model_config = _STRICT

    reviewed: date
    lists: dict[str, LegalList]


@cache
def load_lists() -> dict[str, LegalList]:
    """Load the packaged legal lists, keyed by list id."""
    text = resources.files("cloudaudit.policies").joinpath("data", "lists.json").read_text("utf-8")
    try:
        parsed = _ListsFile.model_validate(json.loads(text))
    except ValidationError as exc:
        raise CatalogError(f"policies/data/lists.json is invalid:\n{exc}") from exc
    return {k: v.model_copy(update={"id": k}) for k, v in parsed.lists.items()}
