"""Where GCP says data lives: pure rules from vendor location strings to :class:`Location`.

Rules (documented in ``docs/providers/gcp.md``):

* ``europe-west3-a`` is a zone: ``Location(region="europe-west3", zone="europe-west3-a")``;
  the catalog places zones by their region.
* ``global`` (and an empty location) is ``LocationKind.GLOBAL`` / ``UNKNOWN``: the engine
  reports it ``unknown``, never a pass.
* Multi-regions (``US``, ``EU``, ``ASIA``) and predefined dual-regions (``NAM4``, ``EUR4``,
  ``ASIA1`` ...) take their kind from the catalog; their members or candidate countries come
  from the catalog too.
* A custom (configurable) dual-region bucket stores its data in exactly the two regions of
  ``customPlacementConfig.dataLocations``; its code (``EU``, ``ASIA``) only names the
  continent. The first data location is the bucket's location and the other a copy, so an
  ``ASIA`` bucket placed in Tokyo and Osaka is judged as Japan, not as "somewhere in Asia".
* Compute snapshots, images and machine images live where their ``storageLocations`` are
  (the first is the location, the others copies); the source disk or instance is provenance,
  not location. Without ``storageLocations`` the location is unknown, never the source's.
* Cloud SQL automated backups go to ``settings.backupConfiguration.location``; unset, to the
  multi-region that holds the instance's region (``asia-east1`` → ``ASIA``): a copy.
* Spanner instances live in their instance configuration. A regional one
  (``regional-us-central1``) is its region; any other is ``instanceConfigs/<name>``
  (``instanceConfigs/nam-eur-asia1``), which the catalog keys apart from the Cloud Storage
  locations (Spanner's ``eur5`` is not the Cloud Storage dual-region ``EUR5``).
* Secret Manager user-managed replicas: the first replica is the location, the others are
  copies. Automatic replication is ``global`` (Google picks the regions; unknown).
* Pub/Sub ``messageStoragePolicy.allowedPersistenceRegions`` are the regions messages may be
  stored in: the first is the location, the others copies. No policy means ``global``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cloudaudit.catalog import locate
from cloudaudit.models import Location, LocationKind, ProviderId

__all__ = [
    "bucket_locations",
    "copies",
    "parse_location",
    "replica_locations",
    "source_location",
    "spanner_location",
    "sql_backup_copies",
    "stored_locations",
]

GCP = ProviderId.GCP
_ZONE = re.compile(r"^([a-z]+(?:-[a-z]+)*\d+)-([a-z])$")
_SPANNER_REGIONAL = "regional-"
_SPANNER_CONFIGS = "instanceconfigs/"
_WIDE_KINDS = (LocationKind.MULTI_REGION, LocationKind.DUAL_REGION, LocationKind.GLOBAL)


@functools.lru_cache(maxsize=4096)
def parse_location(raw: str | None) -> Location:
    """Turn a GCP location string into a :class:`Location`.

    Args:
        raw: ``europe-west3``, ``europe-west3-a``, ``US``, ``eur4``, ``global`` or ``None``.

    Returns:
        The location; ``kind`` is ZONE, REGION, MULTI_REGION, DUAL_REGION, GLOBAL or UNKNOWN.
    """
    text = (raw or "").strip()
    if not text:
        return Location(provider=GCP, region=None, kind=LocationKind.UNKNOWN)
    low = text.lower()
    if _SPANNER_CONFIGS in f"/{low}":
        return spanner_location(text)
    if low.startswith(_SPANNER_REGIONAL):
        low = low[len(_SPANNER_REGIONAL) :]
    if low == "global":
        return Location(provider=GCP, region="global", kind=LocationKind.GLOBAL)
    zone = _ZONE.match(low)
    if zone is not None:
        return Location(provider=GCP, region=zone.group(1), zone=low, kind=LocationKind.ZONE)
    place = locate(GCP, low)
    if place.kind in _WIDE_KINDS:
        return Location(provider=GCP, region=low.upper(), kind=place.kind)
    return Location(provider=GCP, region=low, kind=LocationKind.REGION)


@functools.lru_cache(maxsize=1024)
def spanner_location(config: str | None) -> Location:
    """The location of a Spanner instance from its instance configuration.

    Args:
        config: ``projects/p/instanceConfigs/nam-eur-asia1``, ``regional-europe-west1`` or the
            bare name (``eur5``).

    Returns:
        The region of a regional configuration (or of a bare region name, as a search result's
        ``location`` may give it); else ``instanceConfigs/<name>``, which the catalog places as
        Spanner's configuration (kind ``region`` when it is unmapped).
    """
    name = (config or "").strip().rsplit("/", 1)[-1].lower()
    if not name or name.startswith(_SPANNER_REGIONAL):
        return parse_location(name)
    plain = parse_location(name)
    if plain.kind is LocationKind.REGION and locate(GCP, name).known:
        return plain
    code = f"instanceConfigs/{name}"
    place = locate(GCP, code)
    kind = place.kind if place.kind in _WIDE_KINDS else LocationKind.REGION
    return Location(provider=GCP, region=code, kind=kind)


_BUCKET = "gcp.storage.multi-region"
"""The copy mechanism of a bucket's other data locations (a custom dual-region)."""


def copies(
    raw: Iterable[str], primary: Location | None = None, via: str | None = None
) -> tuple[Location, ...]:
    """Parse copy locations, dropping duplicates and the primary location itself.

    Args:
        raw: Location strings (``["us"]``, ``["EUROPE-WEST1", "EUROPE-WEST4"]``).
        primary: The resource's own location, not repeated as a copy.
        via: The id of the copy mechanism that put the data there (each copy's ``via``).

    Returns:
        Distinct copy locations in input order.
    """
    out: list[Location] = []
    seen = {primary.key()} if primary is not None else set()
    for item in raw:
        loc = parse_location(item)
        if loc.key() not in seen:
            seen.add(loc.key())
            out.append(loc if via is None else loc.model_copy(update={"via": via}))
    return tuple(out)


def bucket_locations(
    location: str | None, location_type: str | None, data_locations: Sequence[str]
) -> tuple[Location, tuple[Location, ...]]:
    """Location and copies of a Cloud Storage bucket.

    Args:
        location: The bucket's ``location`` (``US``, ``EUR4``, ``EU``, ``ASIA-EAST2``).
        location_type: ``region``, ``dual-region`` or ``multi-region``.
        data_locations: ``customPlacementConfig.dataLocations`` of a custom dual-region.

    Returns:
        ``(location, copies)``: for a custom dual-region, the first data location and the
        others as copies (the data is stored only there).
    """
    own = parse_location(location)
    if data_locations:
        members = copies(data_locations)
        if members:
            return members[0], tuple(m.model_copy(update={"via": _BUCKET}) for m in members[1:])
        return own, ()
    if (location_type or "").lower() == "dual-region" and own.kind is LocationKind.REGION:
        own = Location(provider=GCP, region=own.region, kind=LocationKind.DUAL_REGION)
    return own, ()


def replica_locations(regions: Sequence[str], via: str) -> tuple[Location, tuple[Location, ...]]:
    """Location and copies of a resource replicated to an explicit list of regions.

    Used for Secret Manager user-managed replication, Pub/Sub message storage policies and
    compute storage locations.

    Args:
        regions: The replica or allowed regions, in the order the API gives them.
        via: The id of the copy mechanism (:mod:`cloudaudit.copymodel`): each copy's ``via``.

    Returns:
        ``(first region, other regions as copies)``; ``global`` when the list is empty.
    """
    if not regions:
        return parse_location("global"), ()
    first = parse_location(regions[0])
    return first, copies(regions[1:], first, via)


_ZONAL_SOURCE = re.compile(r"/(zones|regions)/([a-z0-9-]+)/")


def source_location(url: str | None) -> Location | None:
    """The zone or region in a compute source URL (``.../zones/europe-west3-a/disks/d``).

    Args:
        url: A ``sourceDisk``, ``sourceInstance`` or similar URL or partial path.

    Returns:
        The parsed location, or ``None`` when the URL names no zone or region.
    """
    if not url:
        return None
    match = _ZONAL_SOURCE.search(url if url.endswith("/") else url + "/")
    return parse_location(match.group(2)) if match else None


def stored_locations(stored: Sequence[str], via: str) -> tuple[Location, tuple[Location, ...]]:
    """Location and copies of a snapshot, image or machine image (``storageLocations``)."""
    if not stored:
        note = "storageLocations not returned: where the data is stored is unknown"
        return Location(provider=GCP, kind=LocationKind.UNKNOWN, via=via, note=note), ()
    first, rest = replica_locations(stored, via)
    tagged = tuple(c.model_copy(update={"note": "a storage location"}) for c in rest)
    return first, tagged


_SQL_BACKUP = "gcp.sql.backup-location"
_MULTI_OF = (
    (("europe-",), "EU"),
    (("us-", "northamerica-", "southamerica-"), "US"),
    (("asia-", "australia-"), "ASIA"),
)


def sql_backup_copies(raw: Mapping[str, Any], region: str | None) -> tuple[Location, ...]:
    """Where a Cloud SQL instance's automated backups are stored (a copy).

    Args:
        raw: The ``DatabaseInstance`` (``settings.backupConfiguration``).
        region: The instance's region.

    Returns:
        The backup location (custom, or the default multi-region), nothing when automated
        backups are off, or an unknown copy saying why.
    """
    settings = raw.get("settings")
    config = settings.get("backupConfiguration") if isinstance(settings, Mapping) else None
    if not isinstance(config, Mapping):
        note = "settings.backupConfiguration not returned: where backups go is unknown"
        return (Location(provider=GCP, kind=LocationKind.UNKNOWN, via=_SQL_BACKUP, note=note),)
    if config.get("enabled") is False:
        return ()
    custom = str(config.get("location") or "")
    if custom:
        loc = parse_location(custom)
        return (loc.model_copy(update={"via": _SQL_BACKUP, "note": f"backup location {custom}"}),)
    low = (region or "").lower()
    multi = next((m for prefixes, m in _MULTI_OF if low.startswith(prefixes)), None)
    if multi is None:
        note = f"default backup location of {region or '?'} (the nearest multi-region) unknown"
        return (Location(provider=GCP, kind=LocationKind.UNKNOWN, via=_SQL_BACKUP, note=note),)
    note = f"no backup location set: the {multi} multi-region that holds {region}"
    return (parse_location(multi).model_copy(update={"via": _SQL_BACKUP, "note": note}),)


def labels(raw: Mapping[str, Any] | None) -> dict[str, str]:
    """Labels as a plain ``str -> str`` dict."""
    return {str(k): str(v) for k, v in (raw or {}).items()}
