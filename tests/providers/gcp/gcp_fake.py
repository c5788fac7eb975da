"""A small fake of the Google REST APIs the GCP provider calls, owned by the tests.

Serves Resource Manager v3 (folders, projects), Cloud Asset ``searchAllResources``, the Cloud
Storage JSON API bucket list and Compute ``aggregated``/``global`` lists, with pagination
(``nextPageToken`` only when more data remains), injected latency and fault modes: denied
parents/projects (403 PERMISSION_DENIED), Cloud Asset disabled (403 SERVICE_DISABLED) and
transient 429/503 faults. The real client libraries talk to it over HTTP.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

RM = "//cloudresourcemanager.googleapis.com/"

REQUESTS: set[tuple[str, str]] = set()
"""Every ``(method, path)`` any fake of this process served (the read-only proof reads it)."""


def _recorded(app: Any) -> Any:
    """WSGI middleware: add each request's method and path to :data:`REQUESTS`."""

    def record(environ: dict[str, Any], start_response: Any) -> Any:
        REQUESTS.add((str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO"))))
        return app(environ, start_response)

    return record


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log line per request."""


@dataclass
class Fault:
    """Answer ``times`` requests whose path contains ``path`` with ``status``."""

    path: str
    status: int
    times: int = 1


@dataclass
class FakeGcp:
    """In-memory GCP organization served over HTTP."""

    organization: str = "organizations/123"
    latency: tuple[float, float] = (0.0, 0.0)
    max_page_size: int = 0
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: list[dict[str, Any]] = field(default_factory=list)
    buckets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    zonal: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    global_: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    denied_parents: set[str] = field(default_factory=set)
    denied_projects: set[str] = field(default_factory=set)
    asset_disabled: set[str] = field(default_factory=set)
    unlisted_projects: set[str] = field(default_factory=set)
    """Projects ``projects.list`` does not return (Cloud Asset still finds their resources)."""
    unreachable_zones: set[str] = field(default_factory=set)
    """Zones (``zones/us-central1-a``) Compute ``aggregatedList`` answers it could not reach."""
    empty_zones: tuple[str, ...] = ("zones/southamerica-west1-c",)
    """Zones with nothing in them: ``aggregatedList`` names each with ``NO_RESULTS_ON_PAGE``."""
    faults: list[Fault] = field(default_factory=list)
    org_policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> spec
    calls: Counter[str] = field(default_factory=Counter)
    paths: list[str] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ----- building the estate ------------------------------------------------------------
    def add_folder(self, folder_id: str, parent: str | None = None, state: str = "ACTIVE") -> str:
        name = f"folders/{folder_id}"
        self.folders[name] = {"name": name, "parent": parent or self.organization, "state": state}
        return name

    def add_project(
        self, project_id: str, number: int, parent: str | None = None, state: str = "ACTIVE"
    ) -> None:
        self.projects[project_id] = {
            "name": f"projects/{number}",
            "projectId": project_id,
            "parent": parent or self.organization,
            "state": state,
            "displayName": project_id,
        }

    def add_asset(
        self,
        project: str,
        asset_type: str,
        name: str,
        location: str,
        resource: dict[str, Any] | None = None,
    ) -> None:
        self.assets.append(
            {
                "name": name,
                "assetType": asset_type,
                "project": self.projects[project]["name"],
                "displayName": name.rsplit("/", 1)[-1],
                "location": location,
                "parentFullResourceName": f"{RM}projects/{project}",
                "labels": {"env": "test"},
                "versionedResources": [{"version": "v1", "resource": resource or {}}],
            }
        )

    def add_bucket(
        self,
        project: str,
        name: str,
        location: str,
        location_type: str = "region",
        data_locations: list[str] | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "kind": "storage#bucket",
            "id": name,
            "name": name,
            "location": location.upper(),
            "locationType": location_type,
            "projectNumber": self.projects[project]["name"].split("/")[1],
        }
        if data_locations:
            body["customPlacementConfig"] = {"dataLocations": data_locations}
        self.buckets.setdefault(project, []).append(body)
        self.add_asset(
            project,
            "storage.googleapis.com/Bucket",
            f"//storage.googleapis.com/{name}",
            location.lower(),
            body,
        )

    def add_zonal(self, project: str, kind: str, zone: str, name: str) -> None:
        """Add an instance or disk (``kind`` is ``instances`` or ``disks``)."""
        base = f"https://www.googleapis.com/compute/v1/projects/{project}"
        body = {"name": name, "id": str(len(self.paths) + 1), "zone": f"{base}/zones/{zone}"}
        self.zonal.setdefault((project, kind), []).append((f"zones/{zone}", body))
        asset_kind = {"instances": "Instance", "disks": "Disk"}[kind]
        self.add_asset(
            project,
            f"compute.googleapis.com/{asset_kind}",
            f"//compute.googleapis.com/projects/{project}/zones/{zone}/{kind}/{name}",
            zone,
            body,
        )

    def add_stored(
        self, project: str, kind: str, name: str, storage_locations: list[str], source_zone: str
    ) -> None:
        """Add a snapshot or image (``kind`` is ``snapshots`` or ``images``)."""
        base = f"https://www.googleapis.com/compute/v1/projects/{project}"
        body = {
            "name": name,
            "storageLocations": storage_locations,
            "sourceDisk": f"{base}/zones/{source_zone}/disks/{name}-src",
        }
        self.global_.setdefault((project, kind), []).append(body)
        asset_kind = {"snapshots": "Snapshot", "images": "Image"}[kind]
        self.add_asset(
            project,
            f"compute.googleapis.com/{asset_kind}",
            f"//compute.googleapis.com/projects/{project}/global/{kind}/{name}",
            "global",
            body,
        )

    # ----- serving ------------------------------------------------------------------------
    @contextmanager
    def serve(self, wrap: Callable[[Any], Any] | None = None) -> Iterator[FakeGcp]:
        """Serve over HTTP; ``wrap`` puts a WSGI middleware (a fault layer) in front."""
        app = _recorded(wrap(self._app) if wrap is not None else self._app)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            thread.join()

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        lo, hi = self.latency
        if hi > 0:
            time.sleep(random.uniform(lo, hi))
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        with self._lock:
            self.paths.append(path)
            for fault in self.faults:
                if fault.times > 0 and fault.path in path:
                    fault.times -= 1
                    self.calls["fault"] += 1
                    return _error(fault.status, "injected fault", _STATUS[fault.status])
        q = request.args
        if path.endswith(":searchAllResources"):
            return self._search(path[len("/v1/") : -len(":searchAllResources")], request)
        if path == "/v3/folders":
            return self._children("folders", q.get("parent", ""), request)
        if path == "/v3/projects":
            return self._children("projects", q.get("parent", ""), request)
        if path.startswith("/v2/projects/") and path.endswith(":getEffectivePolicy"):
            return self._effective_policy(path[len("/v2/") : -len(":getEffectivePolicy")])
        if path.startswith("/v3/projects/"):
            return self._get_project(path.rsplit("/", 1)[1])
        if path == "/storage/v1/b":
            return self._list_buckets(q.get("project", ""), request)
        if path.startswith("/compute/v1/projects/"):
            return self._compute(path.split("/")[4:], request)
        return _error(404, f"no route {path}", "NOT_FOUND")

    def _page(
        self, items: list[Any], request: Request, size_arg: str, default: int
    ) -> tuple[list[Any], str]:
        return _page(items, request, size_arg, default, self.max_page_size)

    def _count(self, route: str) -> None:
        with self._lock:
            self.calls[route] += 1

    def _children(self, kind: str, parent: str, request: Request) -> Response:
        self._count(f"resourcemanager.{kind}")
        if parent in self.denied_parents:
            return _error(403, f"caller cannot list {kind} under {parent}", "PERMISSION_DENIED")
        source = self.folders.values() if kind == "folders" else self.projects.values()
        deleted = request.args.get("showDeleted") == "true"
        items = [
            v
            for v in source
            if v["parent"] == parent
            and (deleted or v["state"] == "ACTIVE")
            and v.get("projectId") not in self.unlisted_projects
        ]
        page, token = self._page(items, request, "pageSize", 50)
        return _json({kind: page, **({"nextPageToken": token} if token else {})})

    def _get_project(self, key: str) -> Response:
        self._count("resourcemanager.projects.get")
        project = self._project(key)
        if project is None or project["projectId"] in self.denied_projects:
            return _error(403, f"caller cannot see project {key}", "PERMISSION_DENIED")
        return _json(project)

    def _effective_policy(self, name: str) -> Response:
        """Org Policy v2 ``getEffectivePolicy``: the nearest policy up the hierarchy.

        Shape: google.cloud.orgpolicy.v2 ``Policy`` (``name``, ``spec.rules[].values.
        allowedValues`` / ``deniedValues``, ``allowAll``, ``denyAll``), as in the REST reference
        of ``projects.policies.getEffectivePolicy``. ``reset`` stops inheritance.
        """
        self._count("orgpolicy.getEffectivePolicy")
        project = self._project(name.split("/")[1])
        if project is None or project["projectId"] in self.denied_projects:
            return _error(403, f"caller lacks orgpolicy.policy.get on {name}", "PERMISSION_DENIED")
        node: str | None = f"projects/{project['projectId']}"
        chain = [node, *self._parents(project["parent"])]
        spec: dict[str, Any] = {}
        for node in chain:
            found = self.org_policies.get(node)
            if found is not None:
                spec = {} if found.get("reset") else found
                break
        return _json({"name": name, "spec": spec})

    def _parents(self, parent: str | None) -> list[str]:
        out = []
        while parent:
            out.append(parent)
            parent = self.folders.get(parent, {}).get("parent")
        return out

    def _project(self, key: str) -> dict[str, Any] | None:
        for p in self.projects.values():
            if key in (p["projectId"], p["name"].split("/")[1]):
                return p
        return None

    def _ancestors(self, project: dict[str, Any]) -> set[str]:
        out = {f"projects/{project['projectId']}", project["name"]}
        parent: str | None = project["parent"]
        while parent:
            out.add(parent)
            parent = self.folders.get(parent, {}).get("parent")
        return out

    def _search(self, scope: str, request: Request) -> Response:
        self._count("cloudasset.searchAllResources")
        if scope in self.asset_disabled:
            return _error(
                403, "Cloud Asset API has not been used or is disabled", "SERVICE_DISABLED"
            )
        project = self._project(scope.split("/", 1)[1]) if scope.startswith("projects/") else None
        if project is not None and project["projectId"] in self.denied_projects:
            return _error(
                403, "caller lacks cloudasset.assets.searchAllResources", "PERMISSION_DENIED"
            )
        types = set(request.args.getlist("assetTypes"))
        mask = request.args.get("readMask", "")
        by_number = {p["name"]: p for p in self.projects.values()}
        items = [
            _masked(a, mask)
            for a in self.assets
            if (not types or a["assetType"] in types)
            and scope in self._ancestors(by_number[a["project"]])
        ]
        page, token = self._page(items, request, "pageSize", 100)
        return _json({"results": page, **({"nextPageToken": token} if token else {})})

    def _denied(self, project: str, service: str) -> Response | None:
        if project in self.denied_projects:
            return _error(
                403, f"caller lacks {service} permissions on {project}", "PERMISSION_DENIED"
            )
        return None

    def _list_buckets(self, project: str, request: Request) -> Response:
        self._count("storage.buckets.list")
        denied = self._denied(project, "storage.buckets.list")
        if denied:
            return denied
        page, token = self._page(self.buckets.get(project, []), request, "maxResults", 1000)
        body = {"kind": "storage#buckets", "items": page}
        return _json({**body, **({"nextPageToken": token} if token else {})})

    def _compute(self, parts: list[str], request: Request) -> Response:
        project, where, kind = parts[0], parts[1], parts[2]
        self._count(f"compute.{where}.{kind}")
        denied = self._denied(project, f"compute.{kind}.list")
        if denied:
            return denied
        if where == "aggregated":
            page, token = self._page(
                self.zonal.get((project, kind), []), request, "maxResults", 500
            )
            grouped: dict[str, dict[str, Any]] = {}
            for zone, body in page:
                grouped.setdefault(zone, {kind: []})[kind].append(body)
            for zone in self.empty_zones:  # a zone with resources on this page is not empty
                grouped.setdefault(zone, _warning("NO_RESULTS_ON_PAGE", zone))
            grouped.update({z: _warning("UNREACHABLE", z) for z in self.unreachable_zones})
            unreachables = sorted(self.unreachable_zones)
            body2 = {"items": grouped, **({"unreachables": unreachables} if unreachables else {})}
            return _json({**body2, **({"nextPageToken": token} if token else {})})
        page2, token = self._page(self.global_.get((project, kind), []), request, "maxResults", 500)
        return _json({"items": page2, **({"nextPageToken": token} if token else {})})


_STATUS = {403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}


def _warning(code: str, scope: str) -> dict[str, Any]:
    """An ``aggregatedList`` scope that holds no resources, only a ``warning``.

    Shape: the Compute API reference of ``instances.aggregatedList`` (``InstanceAggregatedList``:
    ``items`` maps a scope to ``InstancesScopedList {instances[], warning {code, message,
    data[{key, value}]}}``; ``unreachables[]`` names the scopes it could not reach).
    """
    message = {
        "NO_RESULTS_ON_PAGE": f"There are no results for scope '{scope}' on this page.",
        "UNREACHABLE": f"Scope '{scope}' is unreachable.",
    }[code]
    data = [{"key": "scope", "value": scope}]
    return {"warning": {"code": code, "message": message, "data": data}}


def _masked(asset: dict[str, Any], mask: str) -> dict[str, Any]:
    """The real API returns versionedResources only when the read mask asks for them."""
    if "versionedResources" in mask or mask == "*":
        return asset
    return {k: v for k, v in asset.items() if k != "versionedResources"}


def _page(
    items: list[Any], request: Request, size_arg: str, default: int, cap: int = 0
) -> tuple[list[Any], str]:
    start = int(request.args.get("pageToken") or 0)
    size = int(request.args.get(size_arg) or default)
    size = min(size, cap) if cap else size
    end = start + size
    return items[start:end], (str(end) if end < len(items) else "")


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=200, content_type="application/json")


def _error(status: int, message: str, reason: str) -> Response:
    grpc_status = _STATUS.get(status, "UNKNOWN") if reason == "SERVICE_DISABLED" else reason
    body = {
        "error": {
            "code": status,
            "message": message,
            "status": grpc_status,
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": "googleapis.com",
                    "metadata": {"service": "cloudasset.googleapis.com"},
                }
            ],
        }
    }
    return Response(json.dumps(body), status=status, content_type="application/json")
