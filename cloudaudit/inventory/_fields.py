"""Validating one resource of cloudaudit's own forms: a model-form object, a flat object, a row.

Every problem found is appended as ``(where, message, fix)``; nothing is raised here, so that a
file's problems are reported all at once (:mod:`cloudaudit.inventory._native`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from cloudaudit.inventory._errors import Problem
from cloudaudit.inventory._places import PREMISES, is_s3_bucket, parse_copies, s3_region
from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = ["COLUMNS", "REQUIRED", "check_duplicates", "validate_all", "validate_flat"]

COLUMNS = (
    "provider",
    "account",
    "service",
    "type",
    "id",
    "name",
    "region",
    "zone",
    "kind",
    "copies",
    "tags",
)
REQUIRED = ("provider", "account", "service", "type", "id")
_PROVIDERS = ", ".join(p.value for p in ProviderId)
_KINDS = ", ".join(k.value for k in LocationKind)


def validate_all(
    items: list[Any], wheres: list[str], problems: list[Problem]
) -> Iterator[Resource]:
    for item, where in zip(items, wheres, strict=True):
        if not isinstance(item, dict):
            problems.append((where, "is not an object", "write one JSON object per resource"))
            continue
        if "location" in item:
            yield from _model_form(item, where, problems)
        else:
            yield from validate_flat(item, where, problems, is_csv=False)


def _model_form(item: dict[str, Any], where: str, problems: list[Problem]) -> Iterator[Resource]:
    provider = item.get("provider")
    if not _provider_ok(provider, f"{where}.provider", problems):
        return
    item = {"name": item.get("id"), **item}
    try:
        yield Resource.model_validate(item)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            problems.append((f"{where}.{field}", err["msg"], _fix_for(field)))


def _fix_for(field: str) -> str:
    last = field.rsplit(".", 1)[-1]
    if last == "provider":
        return f"use one of: {_PROVIDERS}"
    if last == "kind":
        return f"use one of: {_KINDS}"
    if last in REQUIRED or last == "location":
        return f"give a non-empty {last}"
    return "see docs/inventory.md for the schema"


# --- the flat form (CSV rows and flat JSON objects) -----------------------------------------


def validate_flat(
    item: Mapping[str, Any], where: str, problems: list[Problem], *, is_csv: bool
) -> Iterator[Resource]:
    def at(field: str) -> str:
        return f"{where}, field '{field}'" if is_csv else f"{where}.{field}"

    before = len(problems)
    unknown = sorted(set(item) - set(COLUMNS))
    for field in unknown:
        problems.append((at(field), "unknown field", f"use only: {', '.join(COLUMNS)}"))
    values = {
        k: _text(item.get(k), at(k), problems) for k in COLUMNS if k not in ("copies", "tags")
    }
    for field in REQUIRED:
        if not values.get(field):
            problems.append((at(field), "is missing or empty", f"give the resource's {field}"))
    provider = values.get("provider")
    if provider and not _provider_ok(provider, at("provider"), problems):
        return
    if is_s3_bucket(provider, values.get("service"), values.get("type")):
        values["region"] = s3_region(values.get("region"))  # legacy EU, empty, null
    kind = _kind(values.get("kind"), values.get("zone"), at("kind"), problems)
    located = kind in (LocationKind.REGION, LocationKind.ZONE)
    if located and not values.get("region") and not values.get("zone"):
        problems.append(
            (at("region"), "is empty", "give the region, or set kind to unknown or global")
        )
    pid = ProviderId(provider) if provider else ProviderId.OTHER
    copies = parse_copies(item.get("copies"), pid, at("copies"), problems)
    tags = _tags(item.get("tags"), at("tags"), problems)
    if len(problems) > before or provider is None or kind is None:
        return
    yield Resource(
        provider=pid,
        account=values["account"] or "",
        service=values["service"] or "",
        type=values["type"] or "",
        id=values["id"] or "",
        name=values.get("name") or values["id"] or "",
        location=Location(
            provider=pid, region=values.get("region"), zone=values.get("zone"), kind=kind
        ),
        data_locations=tuple(copies),
        tags=tags,
    )


def _text(value: Any, where: str, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append((where, f"must be a string, got {type(value).__name__}", "quote it"))
        return None
    text = str(value).strip()
    return text or None


def _provider_ok(provider: Any, where: str, problems: list[Problem]) -> bool:
    if isinstance(provider, str) and provider in ProviderId._value2member_map_:
        return True
    problems.append((where, f"unknown provider {provider!r}", f"use one of: {_PROVIDERS}"))
    return False


def _kind(
    value: str | None, zone: str | None, where: str, problems: list[Problem]
) -> LocationKind | None:
    if not value:
        return LocationKind.ZONE if zone else LocationKind.REGION
    if value == PREMISES:
        return LocationKind.UNKNOWN
    if value in LocationKind._value2member_map_:
        return LocationKind(value)
    problems.append((where, f"unknown kind {value!r}", f"use one of: {_KINDS}, {PREMISES}"))
    return None


def _tags(value: Any, where: str, problems: list[Problem]) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return dict(value)
        problems.append((where, "keys and values must be strings", 'write {"team": "data"}'))
        return {}
    if not isinstance(value, str):
        problems.append((where, "must be key=value pairs", "write team=data;env=prod"))
        return {}
    tags: dict[str, str] = {}
    for pair in value.split(";"):
        key, sep, val = pair.partition("=")
        if not sep or not key.strip():
            problems.append((where, f"{pair!r} is not key=value", "write team=data;env=prod"))
            continue
        tags[key.strip()] = val.strip()
    return tags


def check_duplicates(resources: list[Resource], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for index, r in enumerate(resources):
        key = (r.provider.value, r.account, r.id)
        if key in seen:
            problems.append(
                (
                    f"resource id {r.id!r}",
                    f"appears more than once (entries {seen[key] + 1} and {index + 1})",
                    "keep one entry per provider, account and id",
                )
            )
        else:
            seen[key] = index
