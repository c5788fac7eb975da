"""Typed, immutable models shared by every part of cloudaudit.

The report itself (:class:`~cloudaudit.report.Report`, its summary and every view derived from
it) lives in :mod:`cloudaudit.report`, which builds on these models. Their JSON shape is a public
contract: field names are stable and the JSON Schema is published in ``docs/report.schema.json``.

Vocabulary:
    * :class:`Location` is what a cloud *says* about where a resource is (vendor vocabulary).
    * :class:`Place` is what the region catalog *knows* about a location (country, operator).
    * :class:`Resource` is one thing that holds data, with its location and the locations of
      its copies (``data_locations``).
    * :class:`Finding` is the verdict of a policy on one resource.
    * :class:`Coverage` records what was audited and, in ``gaps``, what could not be looked at.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

__all__ = [
    "EXCLUDED",
    "Coverage",
    "CoverageGap",
    "Evidence",
    "Finding",
    "Location",
    "LocationKind",
    "Place",
    "ProviderId",
    "Resource",
    "ScopeRecord",
    "Status",
    "short_message",
]


class ProviderId(StrEnum):
    """Identifiers of the clouds cloudaudit knows."""

    AWS = "aws"
    GCP = "gcp"
    AZURE = "azure"
    ALIBABA = "alibaba"
    OCI = "oci"
    TENCENT = "tencent"
    HUAWEI = "huawei"
    YANDEX = "yandex"
    OTHER = "other"


class LocationKind(StrEnum):
    """How much of the world a location spans."""

    ZONE = "zone"
    REGION = "region"
    MULTI_REGION = "multi_region"
    DUAL_REGION = "dual_region"
    GLOBAL = "global"
    UNKNOWN = "unknown"


class Status(StrEnum):
    """A finding's verdict. ``unknown`` is never a pass."""

    VIOLATION = "violation"
    COMPLIANT = "compliant"
    UNKNOWN = "unknown"
    EXEMPT = "exempt"


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Location(BaseModel):
    """Where a cloud says a resource (or a copy of its data) lives, in the cloud's own words.

    Attributes:
        provider: Cloud identifier (``aws``, ``gcp``, ``azure``, ...).
        region: The vendor's region or location code (``eu-central-1``, ``EU``, ``westeurope``).
        zone: Availability zone, when the resource is zonal (``us-east-1a``, ``europe-west3-b``).
        kind: Whether the location is a zone, a region, a multi/dual-region, global or unknown.
        via: For a copy, the id of the copy mechanism that put the data there (declared in
            :mod:`cloudaudit.copymodel`, e.g. ``azure.sql.backup-redundancy``); ``None`` for a
            resource's own location or a copy recorded before mechanisms were named.
        note: Why the location is unknown when the cloud could not be asked: the call that
            failed, on what, and its error code (``s3:GetBucketLocation on bucket logs
            failed: AccessDenied``); for a copy, also why the data is there ("backups use Geo
            redundancy: the paired region of southeastasia"). Reasons quote it instead of
            blaming the catalog.
        site: A customer-premises placement (an AWS Outpost ARN). Such a place is in no
            catalog: it is unknown unless the policy maps the site to a country.
    """

    model_config = _FROZEN

    provider: ProviderId
    region: str | None = None
    zone: str | None = None
    kind: LocationKind = LocationKind.REGION
    via: str | None = None
    note: str | None = None
    site: str | None = None

    def key(self) -> tuple[str, str | None, str | None, str]:
        """Return a hashable key, used to cache catalog lookups (the note does not place)."""
        if self.site is not None:
            return (self.provider.value, self.region, f"{self.zone}@{self.site}", "site")
        return (self.provider.value, self.region, self.zone, self.kind.value)

    def __str__(self) -> str:
        return self.zone or self.region or "(no location)"


class Place(BaseModel):
    """What the region catalog knows about a location.

    ``country`` is ``None`` when the location is unmapped or spread over several countries;
    ``countries`` lists all member countries of a multi/dual-region when they are published,
    and ``candidates`` the countries it may span when the members are not published.
    """

    model_config = _FROZEN

    provider: ProviderId
    region: str | None = None
    zone: str | None = None
    kind: LocationKind = LocationKind.UNKNOWN
    country: str | None = None
    countries: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    subdivision: str | None = None
    city: str | None = None
    operator: str | None = None
    operator_country: str | None = None
    partition: str | None = None
    verified: bool = False
    source: str | None = None
    reviewed: str | None = None
    notes: str | None = None

    @property
    def known(self) -> bool:
        """True when the catalog can name every country the data may be in."""
        return bool(self.countries) or bool(self.candidates)


class Resource(BaseModel):
    """One cloud resource that holds or processes data.

    Attributes:
        provider: Cloud identifier.
        account: AWS account id, GCP project id, Azure subscription id, Alibaba account id.
        service: The vendor's service name (``s3``, ``storage``, ``Microsoft.Storage``).
        type: Resource type within the service (``bucket``, ``instance``, ``storageAccounts``).
        id: Canonical id: ARN, GCP full resource name, Azure resource id.
        name: Human-readable name.
        location: Where the resource itself lives.
        data_locations: Other locations that hold copies of its data (replicas, snapshot copies,
            geo-redundant pairs).
        tags: Tags or labels.
        records: SHA-256 of the raw records (in an evidence bundle) this resource was read
            from; empty when the audit kept no evidence.
    """

    model_config = _FROZEN

    provider: ProviderId
    account: str
    service: str
    type: str
    id: str
    name: str
    location: Location
    data_locations: tuple[Location, ...] = ()
    tags: Mapping[str, str] = Field(default_factory=dict)
    records: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """A short human label such as ``bucket `logs```."""
        return f"{self.type} `{self.name}`"


class Evidence(BaseModel):
    """One fact behind a verdict: a location on one axis and what the catalog says of it."""

    model_config = _FROZEN

    axis: Literal["location", "copy", "operator"]
    location: Location
    place: Place
    status: Status
    matched: tuple[str, ...] = ()


class Finding(BaseModel):
    """The verdict of one policy on one resource, with reasons an auditor can read."""

    model_config = _FROZEN

    policy_id: str
    resource: Resource
    status: Status
    reasons: tuple[str, ...]
    jurisdictions: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    exemption: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_computed_id(cls, data: Any) -> Any:
        """Accept the serialised ``id`` (it is derived, so it is recomputed, not stored)."""
        if isinstance(data, dict) and "id" in data:
            data = {k: v for k, v in data.items() if k != "id"}
        return data

    def _repr_html_(self) -> str:
        from cloudaudit.notebook import finding_repr_html

        return finding_repr_html(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """Stable id: the same resource under the same policy always has the same id."""
        r = self.resource
        raw = f"{self.policy_id}\x00{r.provider.value}\x00{r.account}\x00{r.id}"
        return hashlib.sha256(raw.encode()).hexdigest()[:20]


_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|title)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def short_message(text: str) -> str:
    """A gap message without a raw HTML page: the page becomes ``[HTML error page: title]``.

    Whatever precedes the page (the call, the HTTP status) is kept.
    """
    match = _HTML.search(text)
    if match is None:
        return text
    head = text[: match.start()].strip()
    page = text[match.start() :]
    found = _TITLE.search(page) or _HEADING.search(page)
    title = " ".join(_TAGS.sub(" ", found.group(1) if found else "").split())[:120]
    summary = f"[HTML error page: {title}]" if title else "[HTML error page]"
    return f"{head} {summary}".strip()


EXCLUDED = "Excluded"
"""Gap code of a scope left out because the caller asked so (``--exclude-management-account``,
accounts outside ``--ou``). It is a gap like any other for what the report covers: the report
is not :attr:`~Coverage.complete`, a per-account view of that account keeps it, and a finding
behind it is *unverified* in a diff, never *removed*. It is not a failure, though: it never
fails ``--fail-on gap`` (:func:`cloudaudit.outcome.exit_code`)."""


class CoverageGap(BaseModel):
    """Something the audit could not look at, and why. Never folded into "nothing found".

    ``target`` is set when only one detail lookup failed (``bucket logs``, ``region
    eu-west-1``): the scope was listed and its resources reported, and only the axis that
    lookup reads is unknown on the resources it concerns. It also names the scope above the
    accounts a gap is about (``OU ou-ab12-cd34ef56``, ``folders/42``): such a gap has no
    ``account``, since the accounts under that scope are unknown, and covers every account
    of its provider.

    ``message`` never carries a raw HTML error page (a proxy's or a gateway's): the page is
    replaced by its title (see :func:`short_message`).
    """

    model_config = _FROZEN

    provider: str
    scope: str
    code: str
    message: str
    account: str | None = None
    region: str | None = None
    service: str | None = None
    target: str | None = None

    @field_validator("message")
    @classmethod
    def _no_html(cls, value: str) -> str:
        return short_message(value)


class ScopeRecord(BaseModel):
    """One unit of work that was audited (provider, account, region, service)."""

    model_config = _FROZEN

    provider: str
    scope: str
    account: str | None = None
    region: str | None = None
    service: str | None = None
    resources: int = 0
    method: str = "api"


class Coverage(BaseModel):
    """What was audited and what was not."""

    model_config = _FROZEN

    audited: tuple[ScopeRecord, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing was left unaudited (an :data:`EXCLUDED` scope was not audited)."""
        return not self.gaps

    @property
    def failures(self) -> tuple[CoverageGap, ...]:
        """The gaps that are not :data:`EXCLUDED` (what ``--fail-on gap`` counts)."""
        return tuple(g for g in self.gaps if g.code != EXCLUDED)
