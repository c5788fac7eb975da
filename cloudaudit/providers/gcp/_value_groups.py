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

from cloudaudit.catalog import Catalog, RegionEntry

__all__ = ["EU27", "expand", "group_members"]

EU27 = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
        *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
    }
)
"""The 27 member states of the European Union (ISO 3166-1 alpha-2)."""

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
    if group in low:  # in:<location>-locations: the location and what is within it
        code, entry = low[group]
        return tuple(sorted({code.lower(), *(m.lower() for m in entry.member_regions)}))
    return None


def expand(values: Iterable[str], catalog: Catalog) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Expand policy values to location patterns.

    Returns:
        ``(patterns, unknown)``: lower-case codes (a region also stands for its zones, which
        is how resources are compared) and the value groups that could not be expanded.
    """
    patterns: list[str] = []
    unknown: list[str] = []
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
            patterns.append(value.removeprefix("is:"))
    return tuple(dict.fromkeys(patterns)), tuple(unknown)
