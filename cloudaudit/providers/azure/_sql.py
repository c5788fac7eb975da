"""Copies of Azure SQL data: failover groups and geo-replication links (pure transforms)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit.catalog import Catalog
from cloudaudit.models import Location
from cloudaudit.providers._detail import Unread
from cloudaudit.providers.azure._geo import UNKNOWN_COPY, Geo

__all__ = ["ANY_DATABASE", "SQL_DB", "SQL_SERVER", "sql_copies"]

SQL_SERVER = "microsoft.sql/servers"
SQL_DB = "microsoft.sql/servers/databases"
ANY_DATABASE = "/databases/*"
"""Key suffix for copies that apply to every database of a server (links unreadable)."""


_UNREAD = "could not be read (the coverage gap names the call and the error)"
_FAILOVER_GROUP = "azure.sql.failover-group"
_GEO_REPLICATION = "azure.sql.geo-replication"
_VIAS = (_FAILOVER_GROUP, _GEO_REPLICATION)
"""The mechanisms whose copies the server's links tell (both apply to the server and to each
of its databases)."""


def sql_copies(
    servers: Sequence[tuple[str, str, str]],
    found: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]] | Unread],
    geo: Geo,
    catalog: Catalog,
) -> dict[str, list[Location]]:
    """Map lower-case resource ids to the locations of their SQL copies.

    Args:
        servers: ``(subscription, server id, location)`` of every SQL server listed.
        found: Per lower-case server id, ``failoverGroups`` and ``replicationLinks`` rows.
            A server missing here (or an :class:`Unread`) could not be read: it and all its
            databases get an unknown copy (the gap itself is recorded by the caller).
        geo: Location names and pairs.
        catalog: Region catalog for the location rule.

    Returns:
        ``{server_id: [...], database_id: [...], server_id + ANY_DATABASE: [...]}``.
    """
    out: dict[str, list[Location]] = defaultdict(list)
    for _sub, server_id, _loc in servers:
        key = server_id.lower()
        links = found.get(key)
        if links is None or isinstance(links, Unread):
            unknown = UNKNOWN_COPY if links is None else links.location(UNKNOWN_COPY.provider)
            if links is None:
                unknown = unknown.model_copy(update={"note": f"the server's links {_UNREAD}"})
            for via in _VIAS:
                out[key].append(unknown.model_copy(update={"via": via}))
                out[key + ANY_DATABASE].append(unknown.model_copy(update={"via": via}))
            continue
        for group in links.get("failoverGroups") or ():
            props = group.get("properties") or {}
            partners = [
                geo.location(geo.name_of(p.get("location")), catalog).model_copy(
                    update={"via": _FAILOVER_GROUP}
                )
                for p in props.get("partnerServers") or ()
            ]
            out[key].extend(partners)
            for db in props.get("databases") or ():
                out[str(db).lower()].extend(partners)
        for link in links.get("replicationLinks") or ():
            props = link.get("properties") or {}
            partner = geo.location(geo.name_of(props.get("partnerLocation")), catalog).model_copy(
                update={"via": _GEO_REPLICATION}
            )
            out[key].append(partner)
            db_id = str(link.get("id") or "").lower().split("/replicationlinks/")[0]
            if "/databases/" in db_id:
                out[db_id].append(partner)
    return dict(out)
