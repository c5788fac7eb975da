"""Prowler's JSON-OCSF output: the resources its findings name, with their regions.

Each Detection Finding names one or more ``resources`` (``uid``, ``name``, ``type``,
``region``, ``group.name`` = service) in a ``cloud`` (``provider``, ``account.uid``). A
resource named by several findings is reported once per import. AWS resource types (Security
Finding Format names) are mapped to the provider's. Prowler does not carry copies: a resource
gets an ``unknown`` copy for each copy mechanism its type declares (and a type cloudaudit does
not declare gets one from the policy engine).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from cloudaudit.inventory._prowler_types import provider_type
from cloudaudit.inventory._shapes import Context, Shape, text, with_unknown_copy
from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = ["SHAPES"]

_SERVICES = {"cloudstorage": "storage", "sql": "sqladmin", "cloudsql": "sqladmin"}


_AZURE = {
    "storage": "Microsoft.Storage",
    "sqlserver": "Microsoft.Sql",
    "cosmosdb": "Microsoft.DocumentDB",
    "keyvault": "Microsoft.KeyVault",
}
"""Prowler's Azure service names → ARM namespaces (the copy-capable ones)."""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _provider(cloud: Mapping[str, Any]) -> ProviderId:
    name = text(cloud, "provider").lower()
    return ProviderId(name) if name in ProviderId._value2member_map_ else ProviderId.OTHER


def _location(pid: ProviderId, region: str) -> Location:
    if not region:
        return Location(provider=pid, region=None, kind=LocationKind.UNKNOWN)
    if region.lower() == "global":
        return Location(provider=pid, region="global", kind=LocationKind.GLOBAL)
    return Location(provider=pid, region=region)


def _service(pid: ProviderId, item: Mapping[str, Any]) -> str:
    group = item.get("group")
    service = text(group, "name") if isinstance(group, Mapping) else ""
    if pid is ProviderId.AZURE and service.lower() in _AZURE:
        return _AZURE[service.lower()]
    return _SERVICES.get(service, service) if pid is ProviderId.GCP else service or "unknown"


def _convert(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping) or not isinstance(record.get("resources"), list):
        raise ValueError("a Prowler finding needs a resources list")
    cloud = _mapping(record.get("cloud"))
    account = _mapping(cloud.get("account"))
    pid = _provider(cloud)
    seen: set[bytes] = ctx.extra.setdefault("prowler_seen", set())
    for item in record["resources"]:
        if not isinstance(item, Mapping) or not text(item, "uid"):
            raise ValueError("a Prowler resource needs uid")
        uid = text(item, "uid")
        key = hashlib.blake2b(f"{pid.value}\0{uid}".encode(), digest_size=12).digest()
        if key in seen:
            continue
        seen.add(key)
        rtype = text(item, "type") or "resource"
        service, rtype = provider_type(pid, rtype, uid) or (_service(pid, item), rtype)
        resource = Resource(
            provider=pid,
            account=text(account, "uid") or "unknown",
            service=service,
            type=rtype,
            id=uid,
            name=text(item, "name") or uid,
            location=_location(pid, text(item, "region") or text(cloud, "region")),
        )
        yield with_unknown_copy(resource, "a Prowler finding")


def _is_finding(record: Any, _key: str | None) -> bool:
    return (
        isinstance(record, Mapping)
        and isinstance(record.get("resources"), list)
        and ("finding_info" in record or record.get("class_uid") == 2004)
    )


SHAPES = (
    Shape(
        name="prowler-ocsf",
        title="Prowler JSON-OCSF output (prowler <cloud> --output-formats json-ocsf)",
        looks_for="Detection Findings (class_uid 2004 / finding_info) with a resources list",
        match=_is_finding,
        convert=_convert,
    ),
)
