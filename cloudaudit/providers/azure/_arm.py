"""ARM calls: subscriptions, management-group descendants, locations, resources, SQL links.

I/O only. The SDK's pagers follow ``nextLink``; the SQL calls page by hand over GET requests.
Every call here is a read (GET).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.providers._paging import PageGuard
from cloudaudit.providers.azure._calls import arm_action

__all__ = [
    "MANAGEMENT_API_VERSION",
    "PROPERTY_API_VERSIONS",
    "SQL_API_VERSION",
    "descendant_subscriptions",
    "fetch_descendants",
    "fetch_locations",
    "fetch_object",
    "fetch_policy_assignments",
    "fetch_properties",
    "fetch_resources",
    "fetch_sql_links",
    "fetch_subscriptions",
    "guarded",
]

SQL_API_VERSION = "2021-11-01"
MANAGEMENT_API_VERSION = "2020-05-01"

PROPERTY_API_VERSIONS: dict[str, str] = {
    "microsoft.documentdb/databaseaccounts": "2024-11-15",
    "microsoft.recoveryservices/vaults": "2024-04-01",
    "microsoft.dataprotection/backupvaults": "2024-04-01",
    "microsoft.sql/servers/databases": SQL_API_VERSION,
    "microsoft.sql/managedinstances": SQL_API_VERSION,
}
"""api-version of the GET that reads a resource's ``properties`` (per lower-case ARM type)."""


def guarded(paged: Any, what: str) -> Iterator[Any]:
    """Every item of an azure-core ``ItemPaged``, stopping on a repeated ``nextLink``.

    ``what`` names the listing's ARM action in the errors (``providers/azure/_calls.py``).

    Raises:
        PaginationLoop: The service sent a continuation token it had already sent.
        PageCapReached: The listing went past the page cap.
    """
    pages = paged.by_page()
    seen = PageGuard(what)
    for page in pages:
        yield from page
        seen.next(pages.continuation_token)


@recorded("arm:subscriptions.list")
def fetch_subscriptions(client: Any) -> list[dict[str, Any]]:
    """List the subscriptions the credential can see (``SubscriptionClient``)."""
    return [
        _as_dict(s)
        for s in guarded(client.subscriptions.list(), "Microsoft.Resources/subscriptions/read")
    ]


@recorded("arm:managementGroups.descendants")
def fetch_descendants(client: Any, group: str) -> list[dict[str, Any]]:
    """List every descendant of a management group, at any depth, all pages.

    ``managementGroups/{group}/descendants`` answers with the child groups and subscriptions
    the management group holds, whether or not the caller can read each subscription.
    """
    from urllib.parse import quote

    url = (
        f"/providers/Microsoft.Management/managementGroups/{quote(group, safe='')}"
        f"/descendants?api-version={MANAGEMENT_API_VERSION}"
    )
    return list(_get_paged(client, url))


def descendant_subscriptions(rows: list[dict[str, Any]]) -> dict[str, str]:
    """``{subscription id: display name}`` of the subscriptions among descendants."""
    out: dict[str, str] = {}
    for row in rows:
        rid = str(row.get("id") or "")
        if not rid.lower().startswith("/subscriptions/"):
            continue  # a child management group: its subscriptions are listed too
        sub = str(row.get("name") or rid.rsplit("/", 1)[-1])
        props = row.get("properties")
        name = props.get("displayName") if isinstance(props, dict) else None
        out[sub] = str(name or sub)
    return out


def fetch_locations(client: Any, subscription: str) -> list[dict[str, Any]]:
    """List a subscription's locations with physical location and paired regions."""
    return [_as_dict(loc) for loc in client.subscriptions.list_locations(subscription)]


@recorded("arm:resources.list")
def fetch_resources(client: Any) -> Iterator[dict[str, Any]]:
    """List every resource of the client's subscription (``resources.list``, all pages).

    ``resources.list`` returns id, name, type, location, tags, sku and kind but no
    ``properties``: each row gets ``properties=None`` so copies that need them are unknown.
    """
    for item in guarded(
        client.resources.list(), "Microsoft.Resources/subscriptions/resources/read"
    ):
        row = _as_dict(item)
        row["properties"] = None
        yield row


@recorded("arm:sql.links")
def fetch_sql_links(client: Any, server_id: str) -> dict[str, list[dict[str, Any]]]:
    """Read a SQL server's failover groups and replication links (two paged GETs).

    Returns ``{"failoverGroups": [...], "replicationLinks": [...]}`` in REST JSON shape.
    """
    return {
        child: list(_get_paged(client, f"{server_id}/{child}?api-version={SQL_API_VERSION}"))
        for child in ("failoverGroups", "replicationLinks")
    }


@recorded("arm:policyAssignments.list")
def fetch_policy_assignments(client: Any, subscription: str, api_version: str) -> list[Any]:
    """List the policy assignments that apply to a subscription, all pages.

    Without a filter the list holds the subscription's own assignments, those inherited from
    its management groups and those of its resource groups.
    """
    url = (
        f"/subscriptions/{subscription}/providers/Microsoft.Authorization/policyAssignments"
        f"?api-version={api_version}"
    )
    return list(_get_paged(client, url))


@recorded("arm:get")
def fetch_object(client: Any, resource_id: str, api_version: str) -> dict[str, Any]:
    """GET one ARM object by id (a policy definition or initiative)."""
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    response = client.send_request(HttpRequest("GET", f"{resource_id}?api-version={api_version}"))
    if response.status_code != 200:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    body: dict[str, Any] = response.json()
    return body


def fetch_properties(client: Any, resource_id: str, arm_type: str) -> dict[str, Any]:
    """GET one resource by id and return its ``properties`` (the fallback's copy fields).

    Raises:
        HttpResponseError: The GET did not answer 200 (status and ARM error code kept).
    """
    body = fetch_object(client, resource_id, PROPERTY_API_VERSIONS[arm_type.lower()])
    props = body.get("properties")
    return dict(props) if isinstance(props, dict) else {}


def _get_paged(client: Any, url: str) -> Iterator[dict[str, Any]]:
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    next_url: str | None = url
    seen = PageGuard(arm_action("GET", url))
    while next_url:
        response = client.send_request(HttpRequest("GET", next_url))
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        body = response.json()
        yield from body.get("value") or ()
        next_url = body.get("nextLink")
        seen.next(next_url)


def _as_dict(model: Any) -> dict[str, Any]:
    """REST JSON of an SDK model (new-style models are mappings; old ones have as_dict)."""
    if isinstance(model, dict):
        return dict(model)
    try:
        return dict(model)
    except TypeError:
        return dict(model.as_dict(keep_readonly=True))
