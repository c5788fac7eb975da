"""Region catalog: every cloud region placed in an ISO 3166 country, with its operator.

The data ships as validated package data (``cloudaudit/catalog/data/<provider>.json``) and is
loaded on first use, never at import time. Keys are ``(provider, region)``: the same region id
means different places on different clouds (Alibaba ``eu-west-1`` is London, AWS ``eu-west-1``
is Ireland). An unmapped region gives a :class:`~cloudaudit.models.Place` with no country,
never a guess; it keeps the operator only where that is known without the country (a provider
whose operator runs every region, or a zone of a known region).
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
from cloudaudit.catalog._zones import GROUP, aws_zone, short_codes
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
        self._shorts: dict[str, str] | None = None

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
        ``ap-northeast-1-tpe-1a``, the AZ ID ``use1-az1``) and a Spanner ``regional-``
        configuration are resolved as audits resolve them.
        """
        pid = ProviderId(provider)
        if zone is None and region is not None:
            code = region
            region, zone = split_zone(pid, code)
            if pid is ProviderId.AWS and zone is None:
                info = aws_zone(code, self._aws_shorts())
                if info.by_id:  # a zone ID: its region when the short code maps to one
                    region, zone = info.region, code
        return self.place(Location(provider=pid, region=region, zone=zone))

    def _aws_shorts(self) -> dict[str, str]:
        """Short code of AWS AZ IDs → region, for the AWS regions of this catalog."""
        if self._shorts is None:
            regions = self._regions.get(ProviderId.AWS, {})
            kinds = (LocationKind.REGION,)
            self._shorts = short_codes(k for k, v in regions.items() if v.kind in kinds)
        return self._shorts

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
        if loc.site is not None:
            return _unplaced(loc, f"customer premises ({loc.site}): no catalog places a site")
        if file is None:
            return Place(provider=provider, region=loc.region, zone=loc.zone, kind=loc.kind)
        if loc.zone is not None and provider is ProviderId.AWS:
            return self._aws_zone(loc, file)
        entry: RegionEntry | None = None
        if loc.zone is not None:
            entry = self._zones.get(provider, {}).get(loc.zone)
        if entry is None and loc.region is not None:
            entry = regions.get(_norm(provider, loc.region))
        if entry is None and loc.region is None and loc.zone is not None:
            entry = regions.get(_norm(provider, _region_of_zone(provider, loc.zone)))
        if entry is None:
            return _unlisted(loc, file)
        return _from_entry(loc, entry, file)

    def _aws_zone(self, loc: Location, file: CatalogFile) -> Place:
        """Place an AWS zone: its own zone group, else the region of a plain zone, else unknown.

        A Local or Wavelength Zone (by name or zone ID) the catalog does not list is unknown:
        it may be in another country than its parent region. It keeps the parent region's
        operator (the zones of a region are run by that region's operator).
        """
        zone = loc.zone or ""
        regions = self._regions[ProviderId.AWS]
        info = aws_zone(zone, self._aws_shorts())
        zones = self._zones.get(ProviderId.AWS, {})
        entry = zones.get(zone) or (zones.get(info.group) if info.group else None)
        if entry is not None:
            return _from_entry(loc, entry, file)
        same = loc.region is None or info.region is None or loc.region == info.region
        if info.plain and info.region is not None and same:
            entry = regions.get(info.region)
            return _unlisted(loc, file) if entry is None else _from_entry(loc, entry, file)
        parent = (info.region or loc.region) if same else None
        where = f"parent region {parent or '?'}"
        if info.group and not info.by_id:
            why = f"zone group {info.group} ({where}) is not in the catalog"
        elif info.group:
            why = f"zone {zone} (a zone ID; {where}) is not in the catalog"
        elif info.plain and not same:
            why = f"zone {zone} is an availability zone of {info.region}, not of {loc.region}"
        elif info.plain:
            why = f"zone {zone} is an AZ ID the catalog cannot map to a region"
        else:
            of = loc.region or "a region the catalog knows"
            why = f"zone {zone} is not in the catalog, nor an availability zone of {of}"
        if info.group:
            why += "; a Local or Wavelength Zone may be in another country than its parent region"
        place = _unplaced(loc, why)
        operated = regions.get(parent) if parent else None
        if operated is None:
            return place
        return place.model_copy(
            update={
                "operator": operated.operator or file.operator.name,
                "operator_country": operated.operator_country or file.operator.country,
                "partition": operated.partition,
                "source": f"operator: that of the parent region {parent} in the catalog",
            }
        )


def _from_entry(loc: Location, entry: RegionEntry, file: CatalogFile) -> Place:
    """The Place of a location the catalog lists."""
    countries = tuple(entry.countries) or ((entry.country,) if entry.country else ())
    return Place(
        provider=loc.provider,
        region=loc.region,
        zone=loc.zone,
        kind=entry.kind,
        country=entry.country if len(set(countries)) <= 1 else None,
        countries=countries,
        candidates=tuple(entry.candidates),
        subdivision=entry.subdivision,
        city=entry.city,
        operator=entry.operator or file.operator.name,
        operator_country=entry.operator_country or file.operator.country,
        partition=entry.partition,
        verified=entry.verified,
        source=entry.source,
        reviewed=file.reviewed,
        notes=entry.notes,
    )


def _unlisted(loc: Location, file: CatalogFile) -> Place:
    """A location the catalog does not list: no country; the operator only if it runs them all."""
    place = Place(provider=loc.provider, region=loc.region, zone=loc.zone, kind=loc.kind)
    op = file.operator
    if not op.every_region:
        return place
    every = f"operator: that of every {loc.provider.value} region ({op.source})"
    return place.model_copy(
        update={
            "operator": op.name,
            "operator_country": op.country,
            "source": every,
            "reviewed": file.reviewed,
        }
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
    return zone


_GCP_ZONE = re.compile(r"^([a-z]+(?:-[a-z]+)*\d+)-([a-z])$")


def split_zone(provider: ProviderId | str, code: str) -> tuple[str, str | None]:
    """``(region, zone)`` of a location code that may be a zone.

    ``asia-east2-a`` → ``("asia-east2", "asia-east2-a")`` (GCP); ``us-east-1a``,
    ``eusc-de-east-1a`` and ``ap-northeast-1-tpe-1a`` → their parent region and the zone (AWS);
    GCP Spanner's ``regional-us-central1`` (or ``instanceConfigs/regional-us-central1``) →
    ``("us-central1", None)``. Anything else is a region (AWS zone IDs: see
    :meth:`Catalog.locate`).
    """
    pid = ProviderId(provider)
    low = code.strip().lower()
    if pid is ProviderId.GCP:
        low = low.removeprefix("instanceconfigs/regional-").removeprefix("regional-")
        match = _GCP_ZONE.match(low)
        return (match.group(1), low) if match else (low if low != code.lower() else code, None)
    if pid is ProviderId.AWS:
        info = aws_zone(code, {})
        if info.region is not None and info.region != code:
            return info.region, code
    return code, None


def _unplaced(loc: Location, notes: str) -> Place:
    return Place(
        provider=loc.provider,
        region=loc.region,
        zone=loc.zone,
        kind=LocationKind.UNKNOWN,
        notes=notes,
    )


def zone_group(provider: ProviderId | str, zone: str) -> str | None:
    """The Local or Wavelength Zone group of an AWS zone name, else ``None``.

    ``ap-northeast-1-tpe-1a`` → ``ap-northeast-1-tpe-1``; ``us-east-1-wl1-bos-wlz-1`` → itself;
    ``eusc-de-east-1-bru-1a`` → ``eusc-de-east-1-bru-1``; an ordinary availability zone
    (``us-east-1a``) has no group.
    """
    if ProviderId(provider) is not ProviderId.AWS:
        return None
    match = GROUP.match(zone)
    return match.group("group") if match else None


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
