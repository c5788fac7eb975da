"""A small HTTPS fake of Azure Resource Manager and Resource Graph, owned by the tests.

Served by werkzeug over TLS with a trustme CA, so the real azure-mgmt clients (with their real
bearer-token policy) talk real HTTPS to it. Every ``nextLink`` is absolute and points back at
the fake. Faults: per-subscription 403s, scripted responses (e.g. 429 + Retry-After), Resource
Graph quota headers and injected latency.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cloudaudit.providers.azure._graph import RESOURCES_QUERY

GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
MG_PREFIX = "/providers/Microsoft.Management/managementGroups"
PROJECTED = tuple(re.findall(r"'(\w+)', properties\.", RESOURCES_QUERY))
"""The properties the provider's KQL query packs (read from the query itself)."""

REQUESTS: set[tuple[str, str]] = set()
"""Every ``(method, path)`` any fake of this process served (the read-only proof reads it)."""


@dataclass
class Fault:
    """Answer ``times`` requests whose path matches ``pattern`` with ``status``."""

    pattern: str
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    code: str = "TooManyRequests"
    method: str | None = None
    html: str | None = None  # answer with this HTML page (a gateway's), not ARM JSON


@dataclass
class Tenant:
    """The fake tenant's data."""

    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sql: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    management_groups: dict[str, list[str]] = field(default_factory=dict)
    """Group id -> its children: subscription ids, or ids of other groups (keys here)."""
    denied: set[str] = field(default_factory=set)
    policy_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    policy_objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower-case id


class FakeARM:
    """The fake server. Use as a context manager; ``url`` and ``ca_file`` are then set."""

    def __init__(
        self,
        tenant: Tenant,
        ca_dir: Path,
        *,
        wrap: Callable[[Any], Any] | None = None,
        page_size: int = 2,
        latency: float = 0.0,
        graph_quota: int | None = None,
    ) -> None:
        self.tenant = tenant
        self.wrap = wrap
        self.page_size = page_size
        self.latency = latency
        self.graph_quota = graph_quota
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []
        self.auth: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._graph_cache: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        self._ca_dir = ca_dir
        self.url = ""
        self.ca_file = ""

    # ----- server lifecycle ---------------------------------------------------------------
    def __enter__(self) -> FakeARM:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(ctx)
        self.ca_file = str(self._ca_dir / "fake-arm-ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        app = self.wrap(self.app) if self.wrap is not None else self.app
        self._server = make_server(
            "127.0.0.1", 0, self._record(app), threaded=True, ssl_context=ctx
        )
        self.url = f"https://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join()

    @staticmethod
    def _record(app: Any) -> Any:
        """WSGI middleware: add each request's method and path to :data:`REQUESTS`."""

        def record(environ: dict[str, Any], start_response: Any) -> Any:
            REQUESTS.add((str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO"))))
            return app(environ, start_response)

        return record

    def calls(self, pattern: str = "") -> int:
        """How many requests matched ``pattern`` (a regex on the path)."""
        return sum(1 for _m, p, _s in self.log if re.search(pattern, p))

    # ----- WSGI ---------------------------------------------------------------------------
    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if self.latency:
            time.sleep(self.latency)
        response = self._dispatch(request)
        with self._lock:
            self.log.append((request.method, request.full_path.rstrip("?"), response.status_code))
        return response(environ, start_response)

    def _dispatch(self, req: Request) -> Response:
        self.auth[req.headers.get("Authorization", "")[:7]] += 1
        if not req.args.get("api-version"):
            return _error(400, "MissingApiVersionParameter", "api-version is required")
        if not req.headers.get("Authorization", "").startswith("Bearer "):
            return _error(401, "AuthenticationFailed", "no bearer token")
        fault = self._fault(req)
        if fault is not None:
            return fault
        path = req.path
        m = re.match(r"^/subscriptions/([^/]+)(/.*)?$", path)
        sub = self._canonical(m.group(1)) if m else ""
        if m and sub in self.tenant.denied:
            return _error(
                403,
                "AuthorizationFailed",
                f"The client does not have authorization to perform action over scope "
                f"'/subscriptions/{m.group(1)}'",
            )
        if path == "/subscriptions":
            return self._paged(req, self.tenant.subscriptions)
        if m and m.group(2) == "/providers/Microsoft.Authorization/policyAssignments":
            return self._paged(req, self.tenant.policy_assignments.get(sub, []))
        if re.search(r"/providers/Microsoft\.Authorization/policy(Set)?Definitions/[^/]+$", path):
            body = self.tenant.policy_objects.get(path.lower())
            if body is None:
                return _error(404, "PolicyDefinitionNotFound", f"{path} was not found")
            return Response(json.dumps(body), status=200, content_type="application/json")
        if m and m.group(2) == "/locations":
            return self._paged(req, self.tenant.locations, size=1000)
        if m and m.group(2) == "/resources":
            rows = [_arm_shape(r) for r in self.tenant.resources.get(sub, [])]
            return self._paged(req, rows)
        group = re.match(rf"^{re.escape(MG_PREFIX)}/([^/]+)/descendants$", path)
        if group and req.method == "GET":
            if group.group(1) not in self.tenant.management_groups:
                return _error(404, "NotFound", f"management group {group.group(1)} not found")
            return self._paged(req, self._descendants(group.group(1)))
        if path == GRAPH_PATH and req.method == "POST":
            return self._graph(req)
        sql = re.match(
            r"^(/subscriptions/.+/servers/[^/]+)/(failoverGroups|replicationLinks)$", path
        )
        if sql:
            links = self.tenant.sql.get(sql.group(1).lower(), {})
            return self._paged(req, links.get(sql.group(2), []))
        if m and "/providers/" in path and req.method == "GET":
            return self._get_by_id(sub, path)
        return _error(404, "NotFound", f"no route for {path}")

    def _canonical(self, sub: str) -> str:
        """The tenant's own spelling of a subscription id: ARM ids ignore case."""
        known = [str(x.get("subscriptionId")) for x in self.tenant.subscriptions]
        known += [*self.tenant.resources, *self.tenant.denied, *self.tenant.policy_assignments]
        return next((k for k in known if k.lower() == sub.lower()), sub)

    def _get_by_id(self, sub: str, path: str) -> Response:
        """GET one resource by id: the full ARM shape, with ``properties``."""
        for row in self.tenant.resources.get(sub, []):
            if row["id"].lower() == path.lower():
                body = {**row, "properties": row.get("properties") or {}}
                return Response(json.dumps(body), 200, content_type="application/json")
        return _error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")

    def _descendants(self, group: str) -> list[dict[str, Any]]:
        """Every descendant of a group at any depth, whether or not the caller may read it.

        Shape: azure-rest-api-specs, specification/managementgroups/resource-manager/
        Microsoft.Management/ManagementGroups/stable/2023-04-01/examples/GetDescendants.json
        (operation ManagementGroups_GetDescendants; same shape in 2020-05-01).
        """
        out: list[dict[str, Any]] = []
        parent = {"id": f"{MG_PREFIX}/{group}"}
        for child in self.tenant.management_groups.get(group, []):
            if child in self.tenant.management_groups:
                kind, rid, display = "Microsoft.Management/managementGroups", MG_PREFIX, child
            else:
                kind = "Microsoft.Management/managementGroups/subscriptions"
                rid, display = "/subscriptions", child[:4]
            props = {"displayName": display, "parent": parent}
            out.append({"name": child, "type": kind, "id": f"{rid}/{child}", "properties": props})
            if child in self.tenant.management_groups:
                out.extend(self._descendants(child))
        return out

    def _graph_rows(self, subs: tuple[str, ...]) -> list[dict[str, Any]]:
        """Rows for a set of subscriptions (cached: pages of one query share the list)."""
        with self._lock:
            hit = self._graph_cache.get(subs)
            if hit is None:
                # Resource Graph matches the ids asked for ignoring case and answers with the
                # tenant's own (lower-case) subscriptionId; it silently omits denied ones
                known = [self._canonical(s) for s in subs]
                hit = [
                    _graph_shape(r, s)
                    for s in known
                    if s not in self.tenant.denied
                    for r in self.tenant.resources.get(s, [])
                ]
                self._graph_cache[subs] = hit
            return hit

    def _fault(self, req: Request) -> Response | None:
        with self._lock:
            for f in self.faults:
                if (
                    f.times > 0
                    and re.search(f.pattern, req.path)
                    and f.method in (None, req.method)
                ):
                    f.times -= 1
                    resp = (
                        Response(f.html, f.status, content_type="text/html")
                        if f.html is not None
                        else _error(f.status, f.code, "scripted fault")
                    )
                    resp.headers.update(f.headers)
                    return resp
        return None

    def _paged(
        self, req: Request, items: list[dict[str, Any]], size: int | None = None
    ) -> Response:
        size = size or self.page_size
        start = int(req.args.get("$skiptoken", "0"))
        page = items[start : start + size]
        body: dict[str, Any] = {"value": page}
        if start + size < len(items):
            args = {k: v for k, v in req.args.items() if k != "$skiptoken"}
            query = "&".join(f"{k}={v}" for k, v in args.items())
            body["nextLink"] = f"{self.url}{req.path}?{query}&$skiptoken={start + size}"
        return Response(json.dumps(body), 200, content_type="application/json")

    def _graph(self, req: Request) -> Response:
        body = json.loads(req.get_data() or b"{}")
        options = body.get("options") or {}
        top = int(options.get("$top") or 1000)
        start = int(options.get("$skipToken") or 0)
        subs = body.get("subscriptions") or []
        if len(subs) > 1000:
            return _error(400, "BadRequest", "too many subscriptions")
        rows = self._graph_rows(tuple(subs))
        page = rows[start : start + top]
        out: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "resultTruncated": "false",
            "data": page,
        }
        if start + top < len(rows):
            out["$skipToken"] = str(start + top)
        resp = Response(json.dumps(out), 200, content_type="application/json")
        if self.graph_quota is not None:
            with self._lock:
                self.graph_quota = max(0, self.graph_quota - 1)
                resp.headers["x-ms-user-quota-remaining"] = str(self.graph_quota)
                resp.headers["x-ms-user-quota-resets-after"] = "00:00:02"
        return resp


def _arm_shape(row: dict[str, Any]) -> dict[str, Any]:
    """``resources.list`` returns no properties."""
    keep = ("id", "name", "type", "location", "extendedLocation", "tags", "sku", "kind")
    return {k: row[k] for k in keep if k in row}


def _graph_shape(row: dict[str, Any], sub: str) -> dict[str, Any]:
    """Resource Graph lower-cases types and returns the projected properties."""
    props = row.get("properties") or {}
    return {
        "id": row["id"],
        "name": row["name"],
        "type": row["type"].lower(),
        "location": row.get("location", ""),
        "extendedLocation": row.get("extendedLocation"),
        "subscriptionId": sub,
        "tags": row.get("tags"),
        "sku": row.get("sku"),
        "kind": row.get("kind", ""),
        "properties": {k: props.get(k) for k in PROJECTED},
    }


def _error(status: int, code: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message}}
    return Response(json.dumps(body), status, content_type="application/json")


def resource(
    sub: str, rg: str, arm_type: str, name: str, location: str, **extra: Any
) -> dict[str, Any]:
    """Build one ARM resource dict."""
    row = {
        "id": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{arm_type}/{name}",
        "name": name,
        "type": arm_type,
        "location": location,
    }
    row.update(extra)
    return row


def iter_pages(n: int, size: int) -> Iterator[range]:
    """Ranges of ``size`` over ``n`` items (helper for fixtures)."""
    for i in range(0, n, size):
        yield range(i, min(n, i + size))
