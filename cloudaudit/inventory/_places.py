"""Places in cloudaudit's own inventory forms: copies, legacy S3 values, premises.

A copy is written either as text or as an object:

* text ``[provider:]place`` where place is a region (``eu-west-1``), ``region/zone``
  (``us-east-1/us-east-1a``) or ``unknown`` (a copy exists, where is not known). Without a
  provider, the copy is on the resource's own cloud: ``gcp:europe-west3`` is a cross-cloud copy;
* an object ``{"provider": "gcp", "region": "europe-west3", "zone": null, "kind": "region"}``
  (every key optional; the provider defaults to the resource's).

``kind: premises`` (an Outpost, Azure Stack, Google Distributed Cloud rack) is accepted for a
resource or a copy: the place is the customer's own, its country unknown unless mapped, so it
is stored as ``unknown`` with the rack's id as the zone. AWS S3 buckets accept the legacy
``LocationConstraint`` values: ``EU`` is eu-west-1, an empty or null region us-east-1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.inventory._errors import Problem
from cloudaudit.models import Location, LocationKind, ProviderId

__all__ = ["PREMISES", "is_s3_bucket", "parse_copies", "s3_region"]

PREMISES = "premises"
_LEGACY_S3 = {"EU": "eu-west-1", "": "us-east-1"}
_COPY_KEYS = {"provider", "region", "zone", "kind"}
_KINDS = ", ".join([*(k.value for k in LocationKind), PREMISES])
_FIX = 'write "eu-west-1", "gcp:europe-west3", "us-east-1/us-east-1a" or "unknown"'


def is_s3_bucket(provider: str | None, service: str | None, rtype: str | None) -> bool:
    """True for an AWS S3 bucket (legacy region values apply)."""
    return provider == "aws" and (service or "").lower() == "s3" and (rtype or "") == "bucket"


def s3_region(region: str | None) -> str:
    """A bucket's ``LocationConstraint`` as a region (``EU`` → eu-west-1, empty → us-east-1)."""
    text = (region or "").strip()
    return _LEGACY_S3.get(text, text)


def location_kind(value: str, zone: str | None) -> tuple[LocationKind, str | None] | None:
    """``(kind, zone)`` for a kind name (``premises`` → unknown); None when not a kind."""
    if value == PREMISES:
        return LocationKind.UNKNOWN, zone
    if value in LocationKind._value2member_map_:
        return LocationKind(value), zone
    return None


def _provider(raw: Any, default: ProviderId, where: str, problems: list[Problem]) -> ProviderId:
    if raw in (None, ""):
        return default
    if isinstance(raw, str) and raw in ProviderId._value2member_map_:
        return ProviderId(raw)
    names = ", ".join(p.value for p in ProviderId)
    problems.append((where, f"unknown copy provider {raw!r}", f"use one of: {names}"))
    return default


def _from_text(text: str, pid: ProviderId, where: str, problems: list[Problem]) -> Location:
    head, sep, rest = text.partition(":")
    if sep and head in ProviderId._value2member_map_:
        pid, text = ProviderId(head), rest.strip()
    if text == "unknown":
        return Location(provider=pid, region=None, kind=LocationKind.UNKNOWN)
    region, _, zone = text.partition("/")
    if not region:
        problems.append((where, f"copy {text!r} has no region", _FIX))
    kind = LocationKind.ZONE if zone else LocationKind.REGION
    return Location(provider=pid, region=region or None, zone=zone or None, kind=kind)


def _from_object(
    raw: Mapping[str, Any], pid: ProviderId, where: str, problems: list[Problem]
) -> Location | None:
    extra = sorted(set(raw) - _COPY_KEYS)
    if extra:
        problems.append((where, f"unknown copy keys {extra}", f"use only: {sorted(_COPY_KEYS)}"))
        return None
    values = {k: raw.get(k) for k in ("region", "zone", "kind")}
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        problems.append((where, "copy region, zone and kind must be strings", _FIX))
        return None
    region, zone = values["region"] or None, values["zone"] or None
    default = LocationKind.ZONE if zone else (LocationKind.REGION if region else "unknown")
    found = location_kind(str(values["kind"] or default), zone)
    if found is None:
        problems.append((where, f"unknown copy kind {values['kind']!r}", f"use one of: {_KINDS}"))
        return None
    kind, zone = found
    provider = _provider(raw.get("provider"), pid, where, problems)
    return Location(provider=provider, region=region, zone=zone, kind=kind)


def parse_copies(
    value: Any, pid: ProviderId, where: str, problems: list[Problem]
) -> list[Location]:
    """The copies of one resource (a ``;``-separated string, or a list of texts/objects)."""
    if value is None or value == "":
        return []
    items: list[Any]
    if isinstance(value, str):
        items = [p.strip() for p in value.split(";")]
    elif isinstance(value, list):
        items = [v.strip() if isinstance(v, str) else v for v in value]
    else:
        problems.append((where, "must be a list of copies", _FIX))
        return []
    out: list[Location] = []
    for item in items:
        if isinstance(item, str) and item:
            out.append(_from_text(item, pid, where, problems))
        elif isinstance(item, Mapping):
            found = _from_object(item, pid, where, problems)
            if found is not None:
                out.append(found)
        elif item == "":
            problems.append((where, "has an empty region", "separate regions with single ';'"))
        else:
            problems.append((where, f"copy {item!r} is neither text nor an object", _FIX))
    return out
