"""GcpProvider: organization/folder/project scope, Cloud Asset fast path, per-project fallback."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.catalog import default_catalog
from cloudaudit.errors import ConfigurationError
from cloudaudit.models import CoverageGap, Resource
from cloudaudit.providers._choose import chosen, one
from cloudaudit.providers._extras import require_extra
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stop import phase
from cloudaudit.providers._work import Classifier, Scope, Unit, Work, make_gap
from cloudaudit.providers.gcp._asset import ASSET_TYPES, fetch_search, to_resource
from cloudaudit.providers.gcp._clients import Clients
from cloudaudit.providers.gcp._errors import ASSET_UNAVAILABLE, classify
from cloudaudit.providers.gcp._fallback import (
    COVERED_ASSET_TYPES,
    FALLBACK_SERVICES,
    fetch_buckets,
    fetch_compute,
    to_bucket,
    to_compute,
)
from cloudaudit.providers.gcp._guardrails import read_guardrails
from cloudaudit.providers.gcp._retry import AttemptsRetry, default_retry
from cloudaudit.providers.gcp._scope import (
    Children,
    Project,
    ScopeTree,
    fetch_children,
    fetch_project,
    scoped_gap,
)

__all__ = ["AttemptsRetry", "GcpProvider", "default_retry"]

NAME = "gcp"
SPLIT_LIMIT = 4
"""Split a search by asset type when at most this many search scopes are audited."""


@dataclass(frozen=True)
class _Failed:
    """A search scope whose Cloud Asset search failed as a whole."""

    scope: str
    gap: CoverageGap


def _seen_through(failed: _Failed, projects: Sequence[Project]) -> CoverageGap:
    """The gap of an organization or folder searched only through the projects found under it.

    The per-project searches cover the projects scope discovery (``projects.list`` per
    folder) found, no more: a project it did not list is audited by nothing, so the scope's
    own failed search stays a gap that says what stood in for it.
    """
    n = len(projects)
    names = ", ".join(sorted(p.project_id for p in projects)[:10]) + (", ..." if n > 10 else "")
    covered = (
        f"it was covered only through the {n} project(s) scope discovery found under it "
        f"({names}), searched one by one"
        if projects
        else "scope discovery found no project under it, so nothing under it was searched"
    )
    gap = make_gap(
        Scope(NAME, failed.scope, service="cloudasset"),
        failed.gap.code,
        f"Cloud Asset search of {failed.scope} failed ({failed.gap.message}); {covered}; "
        "a project that projects.list did not return is not audited",
    )
    return scoped_gap(gap, failed.scope)


def _prefixed(value: str, kind: str) -> str:
    return value if value.startswith(f"{kind}/") else f"{kind}/{value}"


class GcpProvider:
    """Audits a GCP organization, folders or projects. Read-only.

    Args:
        credentials: Google credentials; ``None`` uses ``google.auth.default()`` on first use.
        organization: Organization id (``123`` or ``organizations/123``).
        folders: Folder ids (``456`` or ``folders/456``).
        projects: Project ids.
        client_options: Passed to every client (for example ``{"api_endpoint": ...}``).
        max_workers: Most Cloud Asset searches in flight at once (quota: 400 requests per
            minute per consumer project, 1,500 per organization).
        retry: A ``google.api_core.retry.Retry`` for every call; defaults to
            :func:`default_retry` with ``max_attempts``.
        timeout: Seconds to wait for an answer, per attempt (the read timeout).
        connect_timeout: Seconds to wait for a TCP connection, per attempt.
        read_timeout: Same as ``timeout`` (the name the other clouds use); wins when given.
        max_attempts: Attempts per call, the first one included (throttling and server
            errors are retried; a timeout or a failed connection is not).
        asset_types: Asset types to search (defaults to every supported type).
        guardrails: Also read each project's effective ``gcp.resourceLocations`` policy.

    Raises:
        ConfigurationError: Not exactly one of organization, folders and projects was given.
        ProviderUnavailable: The ``gcp`` extra is not installed.
    """

    def __init__(
        self,
        credentials: Any = None,
        organization: str | None = None,
        folders: Sequence[str] | None = None,
        projects: Sequence[str] | None = None,
        client_options: Any = None,
        max_workers: int = 8,
        retry: Any = None,
        timeout: float = 60.0,
        asset_types: Sequence[str] = ASSET_TYPES,
        guardrails: bool = False,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float | None = None,
        max_attempts: int = 5,
    ) -> None:
        require_extra(NAME)
        self._guardrails = guardrails
        organization = one(organization, "organization", "organization id")
        folder_ids = chosen(folders, "folders", "folder id")
        project_ids = chosen(projects, "projects", "project id")
        given = [organization is not None, folder_ids is not None, project_ids is not None]
        if sum(given) != 1:
            raise ConfigurationError(
                "GCP scope: give exactly one of organization, folders or projects"
            )
        self._organization = _prefixed(organization, "organizations") if organization else None
        self._folders = [_prefixed(f, "folders") for f in folder_ids or ()]
        self._projects = list(project_ids or ())
        read = timeout if read_timeout is None else read_timeout
        self._clients = Clients(credentials, client_options, (connect_timeout, read))
        self._searches = threading.BoundedSemaphore(max(1, max_workers))
        self._retry = retry
        self._attempts = max_attempts
        self._timeout = read
        self._asset_types = tuple(asset_types)

    @property
    def name(self) -> str:
        """The provider id, ``gcp``."""
        return NAME

    def classifiers(self) -> Sequence[Classifier]:
        """Classify Google API and auth errors into ``(code, message)``."""
        return (classify,)

    def check_credentials(self) -> None:
        """Read a ``GOOGLE_APPLICATION_CREDENTIALS`` file now (no call; used by the CLI).

        Raises:
            ConfigurationError: The file is not a credentials file.
        """
        self._clients.check_file()

    def secrets(self) -> Sequence[str]:
        """The access token, refresh token and client secret of the credentials known so far.

        These are masked in gap messages. Credentials from Application Default Credentials
        are known once :meth:`collect` resolves them; it then adds them to the fan-out's.
        """
        creds = self._clients.given
        found = (getattr(creds, a, None) for a in ("token", "refresh_token", "client_secret"))
        return tuple(s for s in found if isinstance(s, str) and s)

    def _call(self) -> dict[str, Any]:
        if self._retry is None:
            self._retry = default_retry(attempts=self._attempts)
        return {"retry": self._retry, "timeout": self._timeout}

    # ----- collect ----------------------------------------------------------------------
    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Discover the scope, search Cloud Asset, and fall back per project where needed.

        Args:
            fanout: Runs every unit of work; failures become coverage gaps.

        Yields:
            Batches of resources, audited scopes and gaps.
        """
        with phase("resourcemanager projects and folders (scope discovery)"):
            self._clients.credentials()
            fanout.add_secrets(*self.secrets())  # ADC: known only now
            tree = ScopeTree()
            discovered = tuple(self._discover(fanout, tree))
        fanout.add_secrets(*self.secrets())  # the access token of the first refresh
        yield Batch(gaps=discovered)
        if self._guardrails:
            projects = [p.project_id for p in tree.active]
            client = self._clients.orgpolicy()
            yield from read_guardrails(fanout, client, projects, default_catalog(), **self._call())
        ids = tree.ids_by_number()
        if self._organization:
            wide = [self._organization]
        elif self._folders:
            wide = list(self._folders)
        else:
            wide = [f"projects/{p.project_id}" for p in tree.active]
        failed: list[_Failed] = []
        yield from self._search(fanout, wide, ids, failed)
        if failed and (self._organization or self._folders):
            below = {p.project_id for f in failed for p in tree.under(f.scope)}
            # the per-project searches cover only what discovery found: the scope stays a gap
            yield Batch(gaps=tuple(_seen_through(f, tree.under(f.scope)) for f in failed))
            failed = []
            yield from self._search(fanout, [f"projects/{p}" for p in sorted(below)], ids, failed)
        yield from self._fallback(fanout, failed)

    # ----- scope discovery --------------------------------------------------------------
    def _discover(self, fanout: Work, tree: ScopeTree) -> list[CoverageGap]:
        gaps: list[CoverageGap] = []
        if self._projects:
            found: dict[str, Project] = {}
            units = [
                Unit(Scope(NAME, p, service="resourcemanager"), self._get_project(p, found))
                for p in self._projects
            ]
            gaps.extend(o.gap for o in fanout.run(units) if o.gap)
            tree.projects.extend(found[p] for p in self._projects if p in found)
        else:
            level = [self._organization] if self._organization else list(self._folders)
            while level:
                level = self._discover_level(fanout, tree, [p for p in level if p], gaps)
        for p in tree.projects:
            if not p.active:
                gaps.append(
                    make_gap(
                        Scope(NAME, p.project_id, service="resourcemanager"),
                        p.state,
                        f"project {p.project_id} is {p.state} (pending deletion); "
                        "it is not audited per project",
                    )
                )
        return gaps

    def _discover_level(
        self, fanout: Work, tree: ScopeTree, parents: list[str], gaps: list[CoverageGap]
    ) -> list[str]:
        found: dict[str, Children] = {}
        units = [
            Unit(Scope(NAME, parent, service="resourcemanager"), self._list_children(parent, found))
            for parent in parents
        ]
        for outcome in fanout.run(units):
            if outcome.gap is not None:  # the projects under it are unknown: it covers all
                note = f"no project under {outcome.scope.account} was found or audited"
                gaps.append(scoped_gap(outcome.gap, str(outcome.scope.account), note))
        nxt: list[str] = []
        for parent in parents:
            children = found.get(parent)
            if children is None:
                continue
            for folder in children.folders:
                tree.folders[folder.name] = folder
                if folder.state == "ACTIVE":
                    nxt.append(folder.name)
            tree.projects.extend(children.projects)
        return nxt

    def _list_children(
        self, parent: str, found: dict[str, Children]
    ) -> Callable[[], Sequence[Resource]]:
        def run() -> Sequence[Resource]:
            found[parent] = fetch_children(
                self._clients.folders(), self._clients.projects(), parent, **self._call()
            )
            return ()

        return run

    def _get_project(
        self, project: str, found: dict[str, Project]
    ) -> Callable[[], Sequence[Resource]]:
        def run() -> Sequence[Resource]:
            found[project] = fetch_project(self._clients.projects(), project, **self._call())
            return ()

        return run

    # ----- Cloud Asset ------------------------------------------------------------------
    def _search(
        self, fanout: Work, scopes: list[str], ids: dict[str, str], failed: list[_Failed]
    ) -> Iterator[Batch]:
        """Search every scope; scopes that refuse Cloud Asset go to ``failed``, not gaps.

        The first asset type of each scope is searched first: a scope that refuses it (denied
        or disabled) is not asked again for the other types.
        """
        if not scopes:
            return
        split = len(scopes) <= SPLIT_LIMIT
        groups = [(t,) for t in self._asset_types] if split else [self._asset_types]

        def units(scope_list: Sequence[str], type_groups: Sequence[Sequence[str]]) -> list[Unit]:
            return [
                Unit(
                    Scope(NAME, scope, service=types[0] if split else "cloudasset"),
                    self._search_unit(scope, types, ids),
                    method="cloud-asset",
                )
                for scope in scope_list
                for types in type_groups
            ]

        gaps: dict[str, list[CoverageGap]] = {s: [] for s in scopes}
        for outcome in fanout.run(units(scopes, groups[:1])):
            if outcome.gap is None:
                yield Batch.from_outcome(outcome)
            else:
                gaps[str(outcome.scope.account)].append(outcome.gap)
        refused = {s for s, g in gaps.items() if g and g[0].code in ASSET_UNAVAILABLE}
        rest = [s for s in scopes if s not in refused]
        for outcome in fanout.run(units(rest, groups[1:])):
            if outcome.gap is None:
                yield Batch.from_outcome(outcome)
            else:
                gaps[str(outcome.scope.account)].append(outcome.gap)
        for scope, found in gaps.items():
            if scope in refused or (found and len(found) == len(groups)):
                failed.append(_Failed(scope, found[0]))
            elif found:
                yield Batch(gaps=tuple(scoped_gap(g, scope) for g in found))

    def _search_unit(
        self, scope: str, types: Sequence[str], ids: dict[str, str]
    ) -> Callable[[], Sequence[Resource]]:
        def run() -> Sequence[Resource]:
            with self._searches:
                results = fetch_search(self._clients.asset(), scope, types, **self._call())
            return [to_resource(r, ids) for r in results]

        return run

    # ----- fallback ---------------------------------------------------------------------
    def _fallback(self, fanout: Work, failed: list[_Failed]) -> Iterator[Batch]:
        """List storage and compute per project; the other asset types become gaps."""
        if not failed:
            return
        units: list[Unit] = []
        gaps: list[CoverageGap] = []
        uncovered = [t for t in self._asset_types if t not in COVERED_ASSET_TYPES]
        for f in failed:
            project = f.scope.split("/", 1)[1]
            units.append(
                Unit(
                    Scope(NAME, project, service="storage.buckets"),
                    self._buckets(project),
                    "fallback",
                )
            )
            units.extend(
                Unit(Scope(NAME, project, service=svc), self._compute(project, svc), "fallback")
                for svc in FALLBACK_SERVICES
            )
            if uncovered:
                gaps.append(
                    make_gap(
                        Scope(NAME, project, service="cloudasset"),
                        f.gap.code,
                        f"Cloud Asset search unavailable for {project} ({f.gap.message}); "
                        "storage and compute were listed per project instead; not audited: "
                        + ", ".join(uncovered),
                    )
                )
        yield Batch(gaps=tuple(gaps))
        for outcome in fanout.run(units):
            yield Batch.from_outcome(outcome)

    def _buckets(self, project: str) -> Callable[[], Sequence[Resource]]:
        def run() -> Sequence[Resource]:
            raw = fetch_buckets(self._clients.storage(project), project, **self._call())
            return [to_bucket(b, project) for b in raw]

        return run

    def _compute(self, project: str, service: str) -> Callable[[], Sequence[Resource]]:
        client_name, kind, aggregated = FALLBACK_SERVICES[service]

        def run() -> Sequence[Resource]:
            client = self._clients.compute(client_name)
            raw = fetch_compute(client, project, aggregated, **self._call())
            return [to_compute(r, project, kind) for r in raw]

        return run
