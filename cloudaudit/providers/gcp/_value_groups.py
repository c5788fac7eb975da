"""Expansion of ``gcp.resourceLocations`` values and value groups to location codes (pure).

Source: Google Cloud, "Restricting Resource Locations" (cloud.google.com/resource-manager/docs/
organization-policy/defining-locations), sections "Location types" and "Value groups":

* a value is a multi-region (``eu``), a dual-region (``eur4``), a region (``us-east1``) or a
  zone (``us-east1-b``), optionally written ``is:us-east1``; listing one does not include its
  sub-locations;
* ``in:<location>-locations`` is the location and everything within it
  (``in:us-east1-locations``: the region and its zones; ``in:eur4-locations``: the dual-region
  and its two regions);
* curated groups gather locations by geography or jurisdiction: ``in:eu-locations`` (the
  European Union), ``in:us-locations``, ``in:europe-locations``, ``in:asia-locations``,
  ``in:northamerica-locations``, ``in:southamerica-locations``, ``in:africa-locations``,
  ``in:australia-locations``, ``in:me-locations``; and country groups such as
  ``in:japan-locations``.

The members are derived from cloudaudit's region catalog by each group's documented meaning
(locations *within* the geography or jurisdiction: a region by its country or code prefix, a
multi- or dual-region only when all its countries are inside). Google curates the published
lists and may add a location before the catalog does; such a location is then unmapped and
judged ``unknown`` elsewhere. Locations of Google's sovereign universes (``u-france-east1``)
belong to separate clouds with their own policies and are in no group here. A group this
table does not know is never guessed: :func:`expand` reports it, and the reader turns it
into a coverage gap.
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudaudit.catalog import Catalog, RegionEntry, split_zone

__all__ = ["EU27", "expand", "group_members"]

EU27 = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
        *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
    }
)
"""The 27 member states of the European Union (ISO 3166-1 alpha-2)."""

_SPANNER = "instanceconfigs/"
"""How the catalog keys a Spanner instance configuration (lower-cased): ``instanceConfigs/eur5``."""

_COUNTRY_GROUPS: dict[str, frozenset[str]] = {
    "eu": EU27,
    "us": frozenset({"US"}),
    "canada": frozenset({"CA"}),
    "japan": frozenset({"JP"}),
    "india": frozenset({"IN"}),
    "australia": frozenset({"AU"}),
}
_PREFIX_GROUPS: dict[str, tuple[str, ...]] = {
    "europe": ("europe-",),
    "asia": ("asia-",),
    "northamerica": ("northamerica-", "us-"),
    "southamerica": ("southamerica-",),
    "africa": ("africa-",),
    "me": ("me-",),
}


def _countries(entry: RegionEntry) -> set[str]:
    if entry.countries:
        return set(entry.countries)
    if entry.country:
        return {entry.country}
    return set(entry.candidates)


def _by_prefix(code: str, entry: RegionEntry, group: str, prefixes: tuple[str, ...]) -> bool:
    low = code.lower()
    if entry.kind.value == "region":
        return low.startswith(prefixes)
    if entry.member_regions:
        return all(m.lower().startswith(prefixes) for m in entry.member_regions)
    return low == group or (group == "northamerica" and low == "us")


def group_members(group: str, catalog: Catalog) -> tuple[str, ...] | None:
    """The lower-case location codes of ``in:<group>-locations``, or ``None`` if unknown.

    The curated groups come first: ``eu``, ``us`` and ``asia`` are also multi-regions, and
    their groups hold every location within the geography, not just the multi-region.
    """
    entries = {
        k: v
        for k, v in catalog.regions("gcp").items()
        if v.kind.value != "global" and not k.startswith("u-")  # sovereign universes: own clouds
    }
    low = {k.lower(): (k, v) for k, v in entries.items()}
    if group in _COUNTRY_GROUPS:
        inside = _COUNTRY_GROUPS[group]
        return tuple(
            sorted(
                k.lower() for k, v in entries.items() if _countries(v) and _countries(v) <= inside
            )
        )
    if group in _PREFIX_GROUPS:
        prefixes = _PREFIX_GROUPS[group]
        return tuple(
            sorted(k.lower() for k, v in entries.items() if _by_prefix(k, v, group, prefixes))
        )
    found = [low[c] for c in (group, _SPANNER + group) if c in low]
    if found:  # in:<location>-locations: the location and what is within it
        codes = {c.lower() for code, entry in found for c in (code, *entry.member_regions)}
        return tuple(sorted(codes))
    return None


def _spanner_alias(value: str, known: set[str]) -> str | None:
    """The Spanner instance configuration a plain value also names, if it may name one.

    A Spanner instance's location is ``instanceConfigs/<name>`` (the catalog keeps Spanner's
    ``eur5`` apart from Cloud Storage's ``EUR5``), while a policy value names either.
    """
    alias = _SPANNER + value
    if alias in known:
        return alias
    if value in known or "/" in value or split_zone("gcp", value)[1] is not None:
        return None  # a location the catalog knows, or a zone: no Spanner configuration
    return alias  # unmapped: it may be a Spanner configuration the catalog does not list


def expand(values: Iterable[str], catalog: Catalog) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Expand policy values to location patterns.

    Returns:
        ``(patterns, unknown)``: lower-case codes (a region also stands for its zones, which
        is how resources are compared; a value that may name a Spanner instance configuration
        also stands for ``instanceconfigs/<value>``) and the value groups that could not be
        expanded.
    """
    patterns: list[str] = []
    unknown: list[str] = []
    known: set[str] = set()
    for raw in values:
        value = raw.strip().lower()
        if value.startswith("in:") and value.endswith("-locations"):
            members = group_members(value[3 : -len("-locations")], catalog)
            if members is None:
                unknown.append(raw)
            else:
                patterns.extend(members)
        elif value.startswith("in:"):
            unknown.append(raw)
        else:
            plain = value.removeprefix("is:")
            patterns.append(plain)
            known = known or {k.lower() for k in catalog.regions("gcp")}
            alias = _spanner_alias(plain, known)
            if alias:
                patterns.append(alias)
    return tuple(dict.fromkeys(patterns)), tuple(unknown)
