"""Resource Graph fast path: one KQL query over up to 1,000 subscriptions per call.

I/O only: these functions call ``ResourceGraphClient.resources`` and page with ``$skipToken``
(the SDK has no auto-pager). They honour the per-user quota headers by sleeping when the quota
is exhausted; a 429 is retried by azure-core, which honours ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.providers._paging import PageGuard
from cloudaudit.providers.azure._calls import GRAPH_ACTION

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "RESOURCES_QUERY",
    "GraphStats",
    "fetch_graph",
    "quota_wait",
]

MAX_SUBSCRIPTIONS = 1000
"""Resource Graph accepts at most 1,000 subscriptions in one request."""

RESOURCES_QUERY = (
    "Resources"
    " | project id, name, type, location, extendedLocation, subscriptionId, tags, sku, kind,"
    " properties = pack("
    "'secondaryLocation', properties.secondaryLocation,"
    " 'locations', properties.locations,"
    " 'redundancySettings', properties.redundancySettings,"
    " 'storageSettings', properties.storageSettings,"
    " 'secondaryType', properties.secondaryType,"
    " 'backupPolicy', properties.backupPolicy,"
    " 'currentBackupStorageRedundancy', properties.currentBackupStorageRedundancy,"
    " 'requestedBackupStorageRedundancy', properties.requestedBackupStorageRedundancy,"
    " 'backupStorageRedundancy', properties.backupStorageRedundancy,"
    " 'storageAccountType', properties.storageAccountType)"
    " | order by id asc"
)
"""Project only the fields needed for residency and copies (keeps pages small)."""

MAX_QUOTA_WAIT = 60.0


@dataclass
class GraphStats:
    """Counters for one Resource Graph query (calls made, seconds slept on quota)."""

    calls: int = 0
    slept: float = 0.0
    truncated: bool = False
    sleeps: list[float] = field(default_factory=list)


def quota_wait(headers: Mapping[str, str]) -> float:
    """Seconds to wait before the next call, from Resource Graph's quota headers.

    ``x-ms-user-quota-remaining`` counts the calls left in the window and
    ``x-ms-user-quota-resets-after`` (``hh:mm:ss``) says when the window resets. Waits only when
    no call is left; never longer than a minute.
    """
    remaining = headers.get("x-ms-user-quota-remaining")
    resets = headers.get("x-ms-user-quota-resets-after")
    if remaining is None or resets is None:
        return 0.0
    try:
        if int(remaining) > 0:
            return 0.0
        h, m, s = (float(x) for x in resets.split(":"))
    except ValueError:
        return 0.0
    return min(MAX_QUOTA_WAIT, h * 3600 + m * 60 + s)


@recorded("resourcegraph:resources")
def fetch_graph(
    client: Any,
    query: str,
    *,
    subscriptions: Sequence[str] = (),
    management_groups: Sequence[str] = (),
    page_size: int = 1000,
    sleep: Callable[[float], None],
    stats: GraphStats | None = None,
) -> Iterator[dict[str, Any]]:
    """Run ``query`` and yield every row, following ``$skipToken`` pages.

    Args:
        client: A ``ResourceGraphClient``.
        query: The KQL query.
        subscriptions: Up to 1,000 subscription ids to query (or use ``management_groups``).
        management_groups: Management group ids to query instead of subscriptions.
        page_size: Rows per page (``$top``; Resource Graph allows at most 1,000).
        sleep: Called with the seconds to wait when the quota is exhausted.
        stats: Counters to update.

    Raises:
        PaginationLoop: Resource Graph sent a ``$skipToken`` it had already sent.
    """
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    stats = stats if stats is not None else GraphStats()
    seen = PageGuard(GRAPH_ACTION)
    token: str | None = None
    while True:
        request = QueryRequest(
            subscriptions=list(subscriptions) or None,
            management_groups=list(management_groups) or None,
            query=query,
            options=QueryRequestOptions(
                top=page_size, skip_token=token, result_format="objectArray"
            ),
        )
        response, headers = client.resources(request, cls=_with_headers)
        stats.calls += 1
        yield from response.data or ()
        token = response.skip_token
        seen.next(token)
        if not token:
            flag = getattr(response.result_truncated, "value", response.result_truncated)
            stats.truncated = str(flag).lower() == "true"
            return
        wait = quota_wait(headers)
        if wait > 0:
            stats.slept += wait
            stats.sleeps.append(wait)
            sleep(wait)


def _with_headers(pipeline_response: Any, deserialized: Any, _: Any) -> tuple[Any, dict[str, str]]:
    headers = pipeline_response.http_response.headers
    return deserialized, {k.lower(): v for k, v in headers.items()}
