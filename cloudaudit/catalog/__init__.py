"""Region catalog: every cloud region placed in an ISO 3166 country, with its operator.

The data ships as validated package data (``cloudaudit/catalog/data/<provider>.json``) and is
loaded on first use, never at import time. Keys are ``(provider, region)``: the same region id
means different places on different clouds (Alibaba ``eu-west-1`` is London, AWS ``eu-west-1``
is Ireland). An unmapped region gives a :class:`~cloudaudit.models.Place` with no country,
never a guess.
"""

from __future__ import annotations

import re
from functools import cache

from cloudaudit.catalog._data import (
    CatalogFile,
    CountryNames,
    RegionEntry,
    load_catalog_file,
    load_country_names,
)
from cloudaudit.models import Location, LocationKind, Place, ProviderId

__all__ = [
    "Catalog",
    "CatalogFile",
    "CountryNames",
    "RegionEntry",
    "country_name",
    "default_catalog",
    "locate",
    "numeric_code",
    "split_zone",
    "zone_group",
]

CATALOG_PROVIDERS: tuple[ProviderId, ...] = (
    ProviderId.AWS,
    ProviderId.GCP,
    ProviderId.AZURE,
    ProviderId.ALIBABA,
    ProviderId.OCI,
    ProviderId.TENCENT,
    ProviderId.HUAWEI,
    ProviderId.YANDEX,
)


class Catalog:
    """Looks up places by ``(provider, region, zone)``. Lookups are cached.

    Args:
        files: Catalog files by provider. Defaults to the packaged data.
    """

    def __init__(self, files: dict[ProviderId, CatalogFile] | None = None) -> None:
        if files is None:
            files = {p: load_catalog_file(p.value) for p in CATALOG_PROVIDERS}
        self._files = files
        self._regions: dict[ProviderId, dict[str, RegionEntry]] = {}
        self._zones: dict[ProviderId, dict[str, RegionEntry]] = {}
        for provider, f in files.items():
            self._regions[provider] = {_norm(provider, k): v for k, v in f.regions.items()}
            self._zones[provider] = {_norm(provider, k): v for k, v in f.zones.items()}
        self._cache: dict[tuple[str, str | None, str | None, str], Place] = {}

    @property
    def files(self) -> dict[ProviderId, CatalogFile]:
        """The catalog files this catalog was built from."""
        return self._files

    def regions(self, provider: ProviderId | str) -> dict[str, RegionEntry]:
        """Return every catalog entry for ``provider`` keyed by region id."""
        return dict(self._files[ProviderId(provider)].regions)

    def locate(
        self, provider: ProviderId | str, region: str | None, zone: str | None = None
    ) -> Place:
        """Return what the catalog knows about a region (and zone) of a provider.

        A zone given as the region (``asia-east2-a``, ``us-east-1a``,
        ``ap-northeast-1-tpe-1a``) and a Spanner ``regional-`` configuration are resolved as
        audits resolve them.
        """
        pid = ProviderId(provider)
        if zone is None and region is not None:
            region, zone = split_zone(pid, region)
        return self.place(Location(provider=pid, region=region, zone=zone))

    def place(self, location: Location) -> Place:
        """Return the :class:`Place` of a :class:`Location` (cached)."""
        key = location.key()
        hit = self._cache.get(key)
        if hit is None:
            hit = self._resolve(location)
            self._cache[key] = hit
        return hit

    def _resolve(self, loc: Location) -> Place:
        provider = loc.provider
        file = self._files.get(provider)
        regions = self._regions.get(provider, {})
        entry: RegionEntry | None = None
        if loc.site is not None:
            return _unplaced(loc, f"customer premises ({loc.site}): no catalog places a site")
        if loc.zone is not None:
            entry = _zone_entry(self._zones.get(provider, {}), provider, loc.zone)
            group = zone_group(provider, loc.zone)
            if entry is None and group is not None:
                return _unplaced(
                    loc,
                    f"zone group {group} (parent region {loc.region or '?'}) is not in the "
                    "catalog; a Local or Wavelength Zone may be in another country than its "
                    "parent region",
                )
        if entry is None and loc.region is not None:
            entry = regions.get(_norm(provider, loc.region))
        if entry is None and loc.region is None and loc.zone is not None:
            entry = regions.get(_norm(provider, _region_of_zone(provider, loc.zone)))
        if entry is None or file is None:
            return Place(provider=provider, region=loc.region, zone=loc.zone, kind=loc.kind)
        operator = entry.operator or file.operator.name
        operator_country = entry.operator_country or file.operator.country
        countries = tuple(entry.countries) or ((entry.country,) if entry.country else ())
        return Place(
            provider=provider,
            region=loc.region,
            zone=loc.zone,
            kind=entry.kind,
            country=entry.country if len(set(countries)) <= 1 else None,
            countries=countries,
            candidates=tuple(entry.candidates),
            subdivision=entry.subdivision,
            city=entry.city,
            operator=operator,
            operator_country=operator_country,
            partition=entry.partition,
            verified=entry.verified,
            source=entry.source,
            reviewed=file.reviewed,
            notes=entry.notes,
        )


def _norm(provider: ProviderId, region: str) -> str:
    """Normalise a region id: GCP and Azure ids are case-insensitive (GCS says ``EUROPE-WEST3``)."""
    if provider in (ProviderId.GCP, ProviderId.AZURE):
        return region.lower().replace(" ", "")
    return region


def _region_of_zone(provider: ProviderId, zone: str) -> str:
    """Return the region of a zone id (``us-east-1a`` → ``us-east-1``; ``europe-west3-b`` → …)."""
    if provider is ProviderId.GCP:
        return zone.rsplit("-", 1)[0]
    if provider is ProviderId.AWS:
        return zone[:-1] if zone[-1:].isalpha() else zone
    return zone


_GCP_ZONE = re.compile(r"^([a-z]+(?:-[a-z]+)*\d+)-([a-z])$")
_AWS_AZ = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")


def split_zone(provider: ProviderId | str, code: str) -> tuple[str, str | None]:
    """``(region, zone)`` of a location code that may be a zone.

    ``asia-east2-a`` → ``("asia-east2", "asia-east2-a")`` (GCP); ``us-east-1a`` and
    ``ap-northeast-1-tpe-1a`` → their parent region and the zone (AWS); GCP Spanner's
    ``regional-us-central1`` → ``("us-central1", None)``. Anything else is a region.
    """
    pid = ProviderId(provider)
    low = code.strip().lower()
    if pid is ProviderId.GCP:
        low = low.removeprefix("regional-")
        match = _GCP_ZONE.match(low)
        return (match.group(1), low) if match else (low if low != code.lower() else code, None)
    if pid is ProviderId.AWS:
        group = zone_group(pid, code)
        if group is not None:
            parent = group.split("-wl")[0] if "-wl" in group else group.rsplit("-", 2)[0]
            return parent, code
        match = _AWS_AZ.match(code)
        if match:
            return match.group(1), code
    return code, None


def _unplaced(loc: Location, notes: str) -> Place:
    return Place(
        provider=loc.provider,
        region=loc.region,
        zone=loc.zone,
        kind=LocationKind.UNKNOWN,
        notes=notes,
    )


_AWS_ZONE_GROUP = re.compile(
    r"^(?P<group>[a-z]{2}(?:-[a-z]+)+-\d+-(?:[a-z]{3}-\d+|wl\d+-[a-z]+-wlz-\d+))[a-z]?$"
)


def zone_group(provider: ProviderId | str, zone: str) -> str | None:
    """The Local or Wavelength Zone group of an AWS zone, else ``None``.

    ``ap-northeast-1-tpe-1a`` → ``ap-northeast-1-tpe-1``; ``us-east-1-wl1-bos-wlz-1`` → itself;
    an ordinary availability zone (``us-east-1a``) has no group.
    """
    if ProviderId(provider) is not ProviderId.AWS:
        return None
    match = _AWS_ZONE_GROUP.match(zone)
    return match.group("group") if match else None


def _zone_entry(
    zones: dict[str, RegionEntry], provider: ProviderId, zone: str
) -> RegionEntry | None:
    """Find the zone-group entry for a zone (AWS Local Zone ``us-east-1-bue-1a`` → ``…-bue-1``)."""
    if not zones:
        return None
    hit = zones.get(zone)
    if hit is None and provider is ProviderId.AWS:
        group = zone_group(provider, zone)
        hit = zones.get(group) if group else None
    return hit


@cache
def default_catalog() -> Catalog:
    """Return the catalog built from the packaged data (loaded once, on first use)."""
    return Catalog()


def locate(provider: ProviderId | str, region: str | None, zone: str | None = None) -> Place:
    """Return the :class:`Place` of a provider's region (and optional zone).

    An unmapped region gives a Place whose ``country`` is ``None`` and ``countries`` empty.

    Example:
        >>> locate("aws", "ap-east-1").country
        'HK'
        >>> locate("alibaba", "eu-west-1").city
        'London'
    """
    return default_catalog().locate(provider, region, zone)


def country_name(code: str) -> str:
    """Return the display name of an ISO 3166-1 alpha-2 or ISO 3166-2 code."""
    names = load_country_names()
    return names.countries.get(code) or names.subdivisions.get(code) or code


def numeric_code(code: str) -> str | None:
    """Return the ISO 3166-1 numeric code of an alpha-2 code (``"HK"`` gives ``"344"``)."""
    return load_country_names().numeric.get(code)
