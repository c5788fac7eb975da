"""Scope discovery with Resource Manager v3: organization → folders (recursively) → projects.

I/O functions (``fetch_*``) only call the API and paginate; :func:`to_project` and
:func:`to_folder` are pure. The provider runs one listing per parent through the FanOut, so a
folder the caller cannot list becomes a coverage gap and the rest of the tree goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import CoverageGap
from cloudaudit.providers._work import Scope, container_gap
from cloudaudit.providers.gcp._paging import guarded_items

__all__ = [
    "Children",
    "Folder",
    "Project",
    "ScopeTree",
    "fetch_children",
    "fetch_project",
    "scoped_gap",
]

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Project:
    """A project found in Resource Manager.

    Attributes:
        project_id: The project id (``my-project``).
        number: The project number (``123456789``), from ``name = projects/NUMBER``.
        parent: ``organizations/ID`` or ``folders/ID``.
        state: ``ACTIVE``, ``DELETE_REQUESTED`` or ``STATE_UNSPECIFIED``.
    """

    project_id: str
    number: str
    parent: str
    state: str

    @property
    def active(self) -> bool:
        """True when the project is ACTIVE (pending deletion is not audited per project)."""
        return self.state == ACTIVE


@dataclass(frozen=True)
class Folder:
    """A folder found in Resource Manager (``name = folders/ID``)."""

    name: str
    parent: str
    state: str


@dataclass(frozen=True)
class Children:
    """The direct children of one parent."""

    folders: tuple[Folder, ...] = ()
    projects: tuple[Project, ...] = ()


@dataclass
class ScopeTree:
    """Everything discovery found: projects and the folder tree."""

    projects: list[Project] = field(default_factory=list)
    folders: dict[str, Folder] = field(default_factory=dict)

    @property
    def active(self) -> list[Project]:
        """ACTIVE projects, in discovery order."""
        return [p for p in self.projects if p.active]

    def ids_by_number(self) -> dict[str, str]:
        """Map project number → project id."""
        return {p.number: p.project_id for p in self.projects}

    def under(self, ancestor: str) -> list[Project]:
        """ACTIVE projects below ``ancestor`` (``organizations/ID`` or ``folders/ID``)."""
        return [p for p in self.active if ancestor in self._ancestors(p.parent)]

    def _ancestors(self, parent: str) -> set[str]:
        seen: set[str] = set()
        current: str | None = parent
        while current and current not in seen:
            seen.add(current)
            folder = self.folders.get(current)
            current = folder.parent if folder else None
        return seen


def _state(value: Any) -> str:
    """Enum or string state as its name (``ACTIVE``)."""
    name = getattr(value, "name", None)
    return str(name if name is not None else value)


def to_project(raw: Mapping[str, Any]) -> Project:
    """Build a :class:`Project` from a Resource Manager project mapping."""
    name = str(raw.get("name", ""))
    return Project(
        project_id=str(raw.get("project_id") or raw.get("projectId") or name),
        number=name.rsplit("/", 1)[-1],
        parent=str(raw.get("parent", "")),
        state=_state(raw.get("state", "STATE_UNSPECIFIED")),
    )


def to_folder(raw: Mapping[str, Any]) -> Folder:
    """Build a :class:`Folder` from a Resource Manager folder mapping."""
    return Folder(
        name=str(raw.get("name", "")),
        parent=str(raw.get("parent", "")),
        state=_state(raw.get("state", "STATE_UNSPECIFIED")),
    )


def _as_dict(message: Any) -> dict[str, Any]:
    return {
        "name": message.name,
        "parent": message.parent,
        "state": message.state,
        "project_id": getattr(message, "project_id", None),
    }


def fetch_children(folders_client: Any, projects_client: Any, parent: str, **call: Any) -> Children:
    """List the folders and projects directly under ``parent`` (all pages).

    Pending-deletion children are included (``show_deleted``) so they can be reported.

    Args:
        folders_client: A ``resourcemanager_v3.FoldersClient``.
        projects_client: A ``resourcemanager_v3.ProjectsClient``.
        parent: ``organizations/ID`` or ``folders/ID``.
        **call: Per-call options (``retry``, ``timeout``).

    Returns:
        The children. API errors propagate (the FanOut turns them into gaps).
    """
    folders = tuple(to_folder(f) for f in _list_folders(folders_client, parent, **call))
    projects = tuple(to_project(p) for p in _list_projects(projects_client, parent, **call))
    return Children(folders=folders, projects=projects)


_REQUEST = {"show_deleted": True, "page_size": 500}


@recorded("cloudresourcemanager:folders.list")
def _list_folders(client: Any, parent: str, **call: Any) -> list[dict[str, Any]]:
    pager = client.list_folders(request={"parent": parent, **_REQUEST}, **call)
    where = f"cloudresourcemanager.folders.list {parent}"
    return [_as_dict(f) for f in guarded_items(pager, where, "folders")]


@recorded("cloudresourcemanager:projects.list")
def _list_projects(client: Any, parent: str, **call: Any) -> list[dict[str, Any]]:
    pager = client.list_projects(request={"parent": parent, **_REQUEST}, **call)
    where = f"cloudresourcemanager.projects.list {parent}"
    return [_as_dict(p) for p in guarded_items(pager, where, "projects")]


def fetch_project(projects_client: Any, project: str, **call: Any) -> Project:
    """Get one project by id or number.

    Args:
        projects_client: A ``resourcemanager_v3.ProjectsClient``.
        project: Project id or number.
        **call: Per-call options (``retry``, ``timeout``).

    Returns:
        The project. A project the caller cannot see raises (403), which becomes a gap.
    """
    return to_project(_get_project(projects_client, project, **call))


@recorded("cloudresourcemanager:projects.get")
def _get_project(client: Any, project: str, **call: Any) -> dict[str, Any]:
    return _as_dict(client.get_project(name=f"projects/{project}", **call))


def scoped_gap(gap: CoverageGap, scope: str, note: str = "") -> CoverageGap:
    """``gap`` of a search or listing ``scope``, with the account a report reads.

    A resource's account is its project id (``eu-data``): a gap of ``projects/eu-data`` is
    that project's; a gap of an organization or a folder is the gap of whichever projects are
    under it (no account, the container in ``target``: it covers every project).
    """
    if scope.startswith("projects/"):
        project = scope.split("/", 1)[1]
        where = Scope(gap.provider, project, gap.region, gap.service)
        message = f"{gap.message}; {note}" if note else gap.message
        return gap.model_copy(update={"account": project, "scope": str(where), "message": message})
    return container_gap(gap, scope, note)
