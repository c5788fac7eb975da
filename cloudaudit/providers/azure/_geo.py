"""Azure locations: normalisation, the location rule, and what ``list_locations`` says.

The location rule (documented in docs/providers/azure.md):

* ARM location names are compared lower-case without spaces (``West Europe`` → ``westeurope``).
* ``global`` is :attr:`LocationKind.GLOBAL`: it names no country, so the engine reports unknown.
* Logical locations (``list_locations`` says ``regionType: Logical``, or the catalog lists the
  name as a multi-region, e.g. ``unitedstates``, ``europe``) are :attr:`LocationKind.MULTI_REGION`
  and are judged through their catalog entry.
* An empty location is :attr:`LocationKind.UNKNOWN` (no country: unknown, never a pass).
* Everything else is a physical :attr:`LocationKind.REGION`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.catalog import Catalog, country_name
from cloudaudit.models import Location, LocationKind, ProviderId

__all__ = ["Geo", "LocationInfo", "catalog_mismatches", "location_info", "normalise"]

AZ = ProviderId.AZURE
UNKNOWN_COPY = Location(provider=AZ, region=None, kind=LocationKind.UNKNOWN)
"""A copy whose location could not be read: the engine judges it unknown, never compliant."""


def normalise(name: str | None) -> str:
    """Return the ARM programmatic form of a location name (``West Europe`` → ``westeurope``)."""
    return (name or "").strip().lower().replace(" ", "")


@dataclass(frozen=True)
class LocationInfo:
    """One entry of ``list_locations``: name, physical location and paired regions."""

    name: str
    display_name: str | None = None
    region_type: str | None = None
    physical_location: str | None = None
    geography: str | None = None
    paired: tuple[str, ...] = ()


def location_info(raw: Mapping[str, Any]) -> LocationInfo:
    """Build a :class:`LocationInfo` from one ``list_locations`` item (REST JSON shape)."""
    meta = raw.get("metadata") or {}
    pairs = tuple(normalise(p.get("name")) for p in meta.get("pairedRegion") or () if p.get("name"))
    return LocationInfo(
        name=normalise(raw.get("name")),
        display_name=raw.get("displayName"),
        region_type=meta.get("regionType"),
        physical_location=meta.get("physicalLocation"),
        geography=meta.get("geography"),
        paired=pairs,
    )


@dataclass
class Geo:
    """Everything ``list_locations`` told us, merged over subscriptions."""

    locations: dict[str, LocationInfo] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)

    def add(self, infos: Iterable[LocationInfo]) -> None:
        """Merge location entries (first seen wins)."""
        for info in infos:
            self.locations.setdefault(info.name, info)
            if info.display_name:
                self.display.setdefault(normalise(info.display_name), info.name)

    def name_of(self, raw: str | None) -> str:
        """The programmatic name of a location given as a name or a display name."""
        key = normalise(raw)
        return self.display.get(key, key)

    def pair_of(self, name: str) -> str | None:
        """The paired region of ``name``, if ``list_locations`` published one."""
        info = self.locations.get(normalise(name))
        return info.paired[0] if info and info.paired else None

    def location(self, raw: str | None, catalog: Catalog) -> Location:
        """Apply the location rule to a location name."""
        name = self.name_of(raw)
        if not name:
            return Location(provider=AZ, region=None, kind=LocationKind.UNKNOWN)
        if name == "global":
            return Location(provider=AZ, region=name, kind=LocationKind.GLOBAL)
        info = self.locations.get(name)
        entry = catalog.files.get(AZ)
        cat = entry.regions.get(name) if entry else None
        logical = (info is not None and str(info.region_type).lower() == "logical") or (
            cat is not None and cat.kind is LocationKind.MULTI_REGION
        )
        kind = LocationKind.MULTI_REGION if logical else LocationKind.REGION
        return Location(provider=AZ, region=name, kind=kind)


def catalog_mismatches(geo: Geo, used: Iterable[str], catalog: Catalog) -> list[tuple[str, str]]:
    """Compare the locations in use with the catalog; return ``(location, message)`` pairs.

    A physical location that the catalog lacks, or that the catalog places in a city/country
    that does not match ``list_locations``' physical location, is reported.
    """
    out: list[tuple[str, str]] = []
    for name in sorted(set(used)):
        info = geo.locations.get(name)
        if info is None or str(info.region_type).lower() == "logical" or name == "global":
            continue
        place = catalog.locate(AZ, name)
        phys = info.physical_location or ""
        if not place.known:
            out.append(
                (
                    name,
                    f"list_locations reports {name} (physical location {phys or '?'}, geography "
                    f"{info.geography or '?'}) but the region catalog has no country for it; "
                    "resources there are judged unknown",
                )
            )
            continue
        if phys and not _matches(phys, place.city, place.country):
            where = ", ".join(x for x in (place.city, place.country) if x)
            out.append(
                (
                    name,
                    f"list_locations places {name} in {phys!r} but the region catalog says "
                    f"{where}; findings use the catalog, please review the catalog entry",
                )
            )
    return out


def _fold(text: str) -> str:
    """Lower-case without accents (``Gävle`` → ``gavle``, ``São Paulo`` → ``sao paulo``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _matches(physical: str, city: str | None, country: str | None) -> bool:
    """Loose match of ``list_locations``' physical location against the catalog's place.

    Accents are ignored: Azure says ``Gävle`` where the catalog says ``Gavle``.
    """
    phys = _fold(physical)
    names = [city or "", country_name(country) if country else "", country or ""]
    for n in names:
        n = _fold(n).replace("(unverified)", "").strip()
        if n and (n in phys or phys in n):
            return True
        words = {w for w in n.replace(",", " ").split() if len(w) > 3}
        if words & set(phys.replace(",", " ").split()):
            return True
    return False
