"""Schemas and loaders for the packaged region catalog and ISO 3166 code lists."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from cloudaudit.errors import CatalogError
from cloudaudit.models import LocationKind

__all__ = ["CatalogFile", "CountryNames", "RegionEntry", "load_catalog_file", "load_country_names"]

_STRICT = ConfigDict(frozen=True, extra="forbid")


class CountryNames(BaseModel):
    """ISO 3166-1 alpha-2 country names and numeric codes, and ISO 3166-2 subdivision names.

    ``numeric`` maps an alpha-2 code to its 3-digit ISO 3166-1 numeric code (``"HK"`` to
    ``"344"``): the key of the world map's geometry.
    """

    model_config = _STRICT

    source: str
    countries: dict[str, str]
    numeric: dict[str, str]
    subdivisions: dict[str, str]


@cache
def load_country_names() -> CountryNames:
    """Load the packaged ISO 3166 code lists."""
    raw = _read_json("iso3166.json")
    try:
        return CountryNames(
            source=raw["_source"],
            countries=raw["countries"],
            numeric=raw["numeric"],
            subdivisions=raw["subdivisions"],
        )
    except (KeyError, ValidationError) as exc:
        raise CatalogError(f"catalog/data/iso3166.json is invalid: {exc}") from exc


def _check_country(code: str | None) -> str | None:
    if code is not None and code not in load_country_names().countries:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


class RegionEntry(BaseModel):
    """One region, zone group, multi-region or logical location of one provider."""

    model_config = _STRICT

    kind: LocationKind
    country: str | None = None
    countries: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    subdivision: str | None = None
    city: str | None = None
    partition: str | None = None
    member_regions: tuple[str, ...] = ()
    parent_region: str | None = None
    operator: str | None = None
    operator_country: str | None = None
    verified: bool
    status: str | None = None
    notes: str | None = None
    source: str

    @field_validator("country", "operator_country")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        return _check_country(v)

    @field_validator("countries", "candidates")
    @classmethod
    def _iso_all(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            _check_country(code)
        return v

    @field_validator("subdivision")
    @classmethod
    def _iso2(cls, v: str | None) -> str | None:
        if v is not None and v not in load_country_names().subdivisions:
            raise ValueError(f"{v!r} is not an ISO 3166-2 subdivision code")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RegionEntry:
        if self.kind in (LocationKind.REGION, LocationKind.ZONE) and self.countries:
            raise ValueError("a single region has `country`, not `countries`")
        if self.kind is LocationKind.GLOBAL and (self.country or self.countries):
            raise ValueError("a global location has no country")
        if self.subdivision and self.country and not self.subdivision.startswith(self.country):
            raise ValueError(f"subdivision {self.subdivision} is not in country {self.country}")
        if (self.operator is None) != (self.operator_country is None):
            raise ValueError("operator and operator_country go together")
        return self


class OperatorInfo(BaseModel):
    """The legal entity that runs a provider's regions by default.

    ``every_region`` says that this entity runs every region of the provider, listed or not
    (Alibaba Cloud, Tencent Cloud, Huawei Cloud): a region the catalog does not list then has
    no country but still this operator. ``source`` says where that comes from.
    """

    model_config = _STRICT

    name: str
    country: str
    every_region: bool = False
    source: str | None = None

    @field_validator("country")
    @classmethod
    def _iso(cls, v: str) -> str:
        _check_country(v)
        return v

    @model_validator(mode="after")
    def _sourced(self) -> OperatorInfo:
        if self.every_region and not self.source:
            raise ValueError("`every_region` needs a `source`")
        return self


class CatalogFile(BaseModel):
    """The catalog of one provider."""

    model_config = _STRICT

    provider: str
    reviewed: str
    operator: OperatorInfo
    regions: dict[str, RegionEntry]
    zones: dict[str, RegionEntry] = {}


def _read_json(name: str) -> dict[str, object]:
    try:
        text = resources.files("cloudaudit.catalog").joinpath("data", name).read_text("utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(f"catalog data file {name} is missing from the package") from exc
    data = json.loads(text)
    if not isinstance(data, dict):
        raise CatalogError(f"catalog/data/{name} must hold a JSON object")
    return data


@cache
def load_catalog_file(provider: str) -> CatalogFile:
    """Load and validate ``catalog/data/<provider>.json``.

    Raises:
        CatalogError: The file is missing or does not validate.
    """
    raw = _read_json(f"{provider}.json")
    try:
        return CatalogFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(f"catalog/data/{provider}.json is invalid:\n{exc}") from exc
