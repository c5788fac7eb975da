"""One ``AzureProvider.collect`` call: list, read properties and SQL links, build batches.

The listing runs Resource Graph chunks (or ``resources.list`` per subscription) concurrently
with ``list_locations`` per subscription; a chunk that fails falls back to ARM listing. The
fallback has no properties, so the copy-bearing resources are read by id, and SQL failover
groups and geo-replicas are read per server, before the resources are built.

Subscription ids are compared case-insensitively (ARM ids are; Resource Graph answers with the
lower-case id): rows, records and gaps are all kept under the id the run was given (as the
caller wrote it, or as ``GET /subscriptions`` listed it).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from cloudaudit.catalog import Catalog
from cloudaudit.models import CoverageGap, Location, ProviderId, Resource, ScopeRecord
from cloudaudit.providers._detail import Unread, lookup
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._work import Scope, Unit, Work, make_gap
from cloudaudit.providers.azure import _arm, _graph
from cloudaudit.providers.azure._errors import classify
from cloudaudit.providers.azure._geo import Geo, catalog_mismatches, location_info
from cloudaudit.providers.azure._sql import ANY_DATABASE, SQL_DB, SQL_SERVER, sql_copies
from cloudaudit.providers.azure._types import COPY_TYPES, UNREAD_KEY, to_resource

__all__ = ["Clients", "Run"]

NAME = ProviderId.AZURE.value
Row = dict[str, Any]


class Clients(Protocol):
    """What a run needs of its provider (an ``AzureProvider``): its SDK clients."""

    def subscription_client(self) -> Any:
        """A ``SubscriptionClient``."""
        ...

    def graph_client(self) -> Any:
        """A ``ResourceGraphClient``."""
        ...

    def resource_client(self, subscription: str) -> Any:
        """A ``ResourceManagementClient`` for one subscription."""
        ...


@dataclass
class Run:
    """The state of one ``collect`` call.

    ``page_size`` and ``sleep`` are the provider's Resource Graph knobs; each Resource Graph
    chunk adds its calls and waits to ``graph_stats`` under ``lock``.
    """

    provider: Clients
    fanout: Work
    catalog: Catalog
    page_size: int = 1000
    sleep: Callable[[float], None] = time.sleep
    graph_stats: _graph.GraphStats = field(default_factory=_graph.GraphStats)
    lock: threading.Lock = field(default_factory=threading.Lock)
    geo: Geo = field(default_factory=Geo)
    live: list[str] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    method: dict[str, str] = field(default_factory=dict)
    gaps: list[CoverageGap] = field(default_factory=list)
    sql_links: dict[str, list[Location]] = field(default_factory=dict)
    graph_errors: dict[str, str] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)

    # list_locations per subscription (also proves it is readable), concurrently with the
    # listing: Resource Graph chunks, or resources.list per subscription
    def scan(self, subs: Sequence[str], *, graph: bool) -> Iterator[Batch]:
        found: dict[str, list[Row]] = {}
        client = self.provider.subscription_client()
        chunks = [
            list(subs[i : i + _graph.MAX_SUBSCRIPTIONS])
            for i in range(0, len(subs), _graph.MAX_SUBSCRIPTIONS)
        ]
        listing = (
            [self._graph_unit(n, chunk) for n, chunk in enumerate(chunks)]
            if graph
            else [self._arm_unit(sub) for sub in subs]
        )
        by_scope = {str(u.scope): chunk for u, chunk in zip(listing, chunks, strict=False)}
        units = listing + [self._locations_unit(client, sub, found) for sub in subs]
        denied: list[CoverageGap] = []
        list_gaps: list[CoverageGap] = []
        failed: list[str] = []
        for outcome in self.fanout.run(units):
            gap = outcome.gap
            if gap is None:
                continue
            if outcome.scope.service == "subscription":
                denied.append(gap)
            elif outcome.scope.service == "resourcegraph":
                chunk = by_scope[str(outcome.scope)]
                self.graph_errors.update({s: f"{gap.code}: {gap.message}" for s in chunk})
                failed.extend(chunk)
            else:
                list_gaps.append(gap)
        self.live = [s for s in subs if s in found]
        for sub in self.live:
            self.geo.add(location_info(x) for x in found[sub])
        # list_locations failed but Resource Graph listed resources: they were seen, so they
        # are reported (at the locations Resource Graph gave), beside the subscription's gap
        self.reported = [s for s in subs if s in found or self.rows.get(s)]
        unreadable = {g.account for g in denied}
        self.gaps.extend(g for g in list_gaps if g.account not in unreadable)
        if failed:
            self.arm([s for s in failed if s in found])
        if denied:
            yield Batch(gaps=tuple(denied))

    def _locations_unit(self, client: Any, sub: str, found: dict[str, list[Row]]) -> Unit:
        def go() -> Sequence[Resource]:
            found[sub] = _arm.fetch_locations(client, sub)
            return ()

        return Unit(Scope(NAME, sub, None, "subscription"), go, method="list_locations")

    def _graph_unit(self, index: int, chunk: list[str]) -> Unit:
        provider = self.provider

        def go() -> Sequence[Resource]:
            stats = _graph.GraphStats()
            rows = list(
                _graph.fetch_graph(
                    provider.graph_client(),
                    _graph.RESOURCES_QUERY,
                    subscriptions=chunk,
                    page_size=self.page_size,
                    sleep=self.sleep,
                    stats=stats,
                )
            )
            with self.lock:
                self.graph_stats.calls += stats.calls
                self.graph_stats.slept += stats.slept
            stray = self._file_rows(chunk, rows)
            for sub in chunk:
                self.method[sub] = "resource-graph"
            if stray:
                self.gaps.append(
                    make_gap(
                        Scope(NAME, None, None, "resourcegraph"),
                        "MalformedResponse",
                        f"Resource Graph returned {len(stray)} row(s) of no subscription it "
                        f"was asked about (first: {stray[0]}); they are not reported",
                    )
                )
            if stats.truncated:
                self.gaps.append(
                    make_gap(
                        Scope(NAME, None, None, "resourcegraph"),
                        "ResultTruncated",
                        f"Resource Graph truncated the result for {len(chunk)} subscriptions",
                    )
                )
            return ()

        scope = Scope(NAME, f"chunk-{index}", None, "resourcegraph")
        return Unit(scope, go, method="resource-graph")

    def _file_rows(self, chunk: Sequence[str], rows: Sequence[Row]) -> list[str]:
        """File each row under its subscription as given; return the ids of rows of none.

        A row's ``subscriptionId`` (or, without one, its id's) is matched case-insensitively;
        a row filed under a differently written id is rewritten to the id as given.
        """
        wanted = {s.lower(): s for s in chunk}
        stray: list[str] = []
        for row in rows:
            sub = wanted.get(_row_subscription(row).lower())
            if sub is None:
                stray.append(str(row.get("id") or "?"))
                continue
            if row.get("subscriptionId") != sub:
                row["subscriptionId"] = sub
            self.rows[sub].append(row)
        return stray

    # fallback
    def arm(self, subs: Sequence[str]) -> None:
        for outcome in self.fanout.run([self._arm_unit(s) for s in subs]):
            if outcome.gap is not None:
                self.gaps.append(outcome.gap)

    def _arm_unit(self, sub: str) -> Unit:
        provider = self.provider

        def go() -> Sequence[Resource]:
            rows = list(_arm.fetch_resources(provider.resource_client(sub)))
            self.rows[sub] = rows
            self.method[sub] = "resources.list"
            return ()

        return Unit(Scope(NAME, sub, None, "resources"), go, method="resources.list")

    # the fallback's resources.list has no properties: GET the copy-bearing ones by id, so its
    # verdicts equal the Resource Graph path's
    def properties(self) -> None:
        def unit(sub: str, row: Row) -> Unit:
            def go() -> Sequence[Resource]:
                from azure.core.exceptions import HttpResponseError

                client = self.provider.resource_client(sub)
                try:
                    row["properties"] = _arm.fetch_properties(client, str(row["id"]), row["type"])
                except HttpResponseError as exc:  # the fan-out records the gap; copies say why
                    status = f"HTTP {exc.status_code}" if exc.status_code else type(exc).__name__
                    row[UNREAD_KEY] = f"GET {row['type']} {row.get('name')} failed: {status}"
                    raise
                return ()

            scope = Scope(NAME, sub, str(row.get("location") or "") or None, str(row["type"]))
            return Unit(scope, go, method="GET")

        todo = [
            unit(sub, row)
            for sub, rows in self.rows.items()
            for row in rows
            if row.get("properties") is None
            and str(row.get("type") or "").lower() in _arm.PROPERTY_API_VERSIONS
            and row.get("id")
        ]
        for outcome in self.fanout.run(todo):
            if outcome.gap is not None:
                self.gaps.append(outcome.gap)

    # SQL failover groups and geo-replicas
    def sql(self) -> None:
        servers = [
            (sub, str(row["id"]), str(row.get("location") or ""))
            for sub, rows in self.rows.items()
            for row in rows
            if str(row.get("type", "")).lower() == SQL_SERVER and row.get("id")
        ]
        found: dict[str, dict[str, list[Row]] | Unread] = {}

        def unit(sub: str, server_id: str, location: str) -> Unit:
            def go() -> Sequence[Resource]:
                # a secondary call: when it fails, the server and its databases are still
                # reported, with an unknown copy naming the call (and a gap for it)
                links = lookup(
                    "Microsoft.Sql/servers/failoverGroups/read",
                    f"server {server_id.rsplit('/', 1)[-1]}",
                    partial(_arm.fetch_sql_links, self.provider.resource_client(sub), server_id),
                    classify,
                )
                found[server_id.lower()] = links
                return ()

            return Unit(Scope(NAME, sub, location or None, "Microsoft.Sql/servers"), go, "api")

        for outcome in self.fanout.run([unit(*s) for s in servers]):
            self.gaps.extend(outcome.gaps)
        self.sql_links = sql_copies(servers, found, self.geo, self.catalog)

    # build resources, records and gaps
    def batches(self) -> Iterator[Batch]:
        used: set[str] = set()
        for sub in self.reported:
            if sub not in self.rows and sub not in self.method:
                continue
            resources = [self._resource(sub, row) for row in self.rows.get(sub, [])]
            for r in resources:
                used.update(loc.region for loc in (r.location, *r.data_locations) if loc.region)
            record = ScopeRecord(
                provider=NAME,
                scope=str(Scope(NAME, sub)),
                account=sub,
                resources=len(resources),
                method=self.method.get(sub, "api"),
            )
            gaps = self._copy_gaps(sub)
            yield Batch(resources=tuple(resources), audited=(record,), gaps=gaps)
        for loc, message in catalog_mismatches(self.geo, used, self.catalog):
            self.gaps.append(
                make_gap(Scope(NAME, None, loc, "catalog"), "CatalogMismatch", message)
            )
        if self.gaps:
            yield Batch(gaps=tuple(self.gaps))

    def _resource(self, sub: str, row: Mapping[str, Any]) -> Resource:
        rid = str(row.get("id") or "").lower()
        extra = self.sql_links.get(rid, [])
        if str(row.get("type") or "").lower() == SQL_DB:
            extra = extra + self.sql_links.get(rid.split("/databases/")[0] + ANY_DATABASE, [])
        return to_resource(row, sub, self.geo, self.catalog, extra)

    def _copy_gaps(self, sub: str) -> tuple[CoverageGap, ...]:
        missing: dict[str, int] = defaultdict(int)
        for row in self.rows.get(sub, []):
            kind = str(row.get("type") or "").lower()
            if row.get("properties") is None and kind in COPY_TYPES:
                missing[COPY_TYPES[kind]] += 1
        if not missing:
            return ()
        what = "; ".join(f"{k}: {n} resource(s)" for k, n in sorted(missing.items()))
        why = self.graph_errors.get(sub)
        cause = f"Resource Graph failed ({why}); " if why else ""
        message = (
            f"{cause}resources.list does not return properties and reading them by id failed, "
            f"so these copies are unknown: {what}"
        )
        return (make_gap(Scope(NAME, sub, None, "copies"), "CopiesUnavailable", message),)


def _row_subscription(row: Mapping[str, Any]) -> str:
    """A row's subscription: its ``subscriptionId``, else the one its id names."""
    sub = str(row.get("subscriptionId") or "")
    if sub:
        return sub
    parts = str(row.get("id") or "").split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""
