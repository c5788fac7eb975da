"""The report of an audit, and every view derived from it (Core).

A :class:`Report` holds an audit's findings, coverage and summary. Everything the faces (the
formats, the notebook, the CLI, the Lambda) derive from a report is defined here, once, so that
every output of the same audit agrees:

* countries: :func:`countries_of` (every country a finding's data is or may be in, on any axis)
  and :func:`home_country` (the country of the resource's own location);
* sort order: :data:`STATUS_ORDER`, :func:`sorted_findings` (worst first) and
  :func:`worst_first` (the same order, each finding built when reached);
* records: :func:`finding_record`, the flat row of CSV, JSON Lines and the DataFrame;
* counts: :class:`Summary` and :func:`by_country_status`;
* operators: :func:`location_place`, :func:`operators_of` and :func:`operator_jurisdictions`
  (whose law reaches the places holding the data: an Alibaba Cloud bucket in Virginia is
  under CN), and :func:`cited_lists` (the legal lists a verdict rests on);
* filters: :func:`filter_report` and :func:`matches` (behind :meth:`Report.filter`,
  :meth:`Report.by_provider` and friends);
* exit conditions: :data:`FAIL_ON` and :func:`fails`.

Import rule: this module imports :mod:`cloudaudit.models` and nothing above it (and
:func:`cited_lists` the legal lists of :mod:`cloudaudit.policies`, Core too, when first
called). The notebook hooks of :class:`Report` (``to_dataframe``, ``plot``, ``map``,
``_repr_html_``) import
:mod:`cloudaudit.notebook` inside the method: that lazy import is the one arrow running back up
from Core, kept because Jupyter looks for ``_repr_html_`` on the object itself, and it loads
pandas and matplotlib only when asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
)
from pydantic_core import core_schema

from cloudaudit._finding_order import (
    NOT_COMPLIANT,
    STATUS_ORDER,
    sorted_findings,
    status_counts,
    worst_first,
)
from cloudaudit._finding_table import FindingTable
from cloudaudit._finding_views import (
    MULTI,
    UNMAPPED,
    cited_lists,
    countries_of,
    finding_record,
    home_country,
    home_country_of,
    location_place,
    matches,
    operator_jurisdictions,
    operators_of,
)
from cloudaudit._guardrail_model import GuardrailSection
from cloudaudit._sources import Sources
from cloudaudit.models import Coverage, CoverageGap, Finding, ProviderId, Status

__all__ = [
    "FAIL_ON",
    "MULTI",
    "NOT_COMPLIANT",
    "STATUS_ORDER",
    "UNMAPPED",
    "Report",
    "Summary",
    "by_country_status",
    "cited_lists",
    "countries_of",
    "fails",
    "filter_report",
    "finding_record",
    "home_country",
    "location_place",
    "matches",
    "operator_jurisdictions",
    "operators_of",
    "sorted_findings",
    "status_counts",
    "worst_first",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


FAIL_ON = ("violation", "unknown", "gap", "never")
"""Conditions that make an audit fail (``--fail-on``); ``never`` alone never fails."""


class Summary(BaseModel):
    """Counts of findings by status, plus coverage gaps."""

    model_config = _FROZEN

    total: int = 0
    violation: int = 0
    compliant: int = 0
    unknown: int = 0
    exempt: int = 0
    gaps: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding], gaps: int = 0) -> Summary:
        """Count ``findings`` by status (a :class:`FindingTable` counts without building them)."""
        if isinstance(findings, FindingTable):
            return cls.of_counts(findings.counts(), gaps)
        return cls.of_counts(Counter(map(_STATUS, findings)), gaps)  # counted in C

    @classmethod
    def of_counts(cls, counts: Mapping[Status, int], gaps: int = 0) -> Summary:
        """Build a summary from counts by status (a stream keeps only these)."""
        return cls(
            total=sum(counts.values()),
            violation=counts.get(Status.VIOLATION, 0),
            compliant=counts.get(Status.COMPLIANT, 0),
            unknown=counts.get(Status.UNKNOWN, 0),
            exempt=counts.get(Status.EXEMPT, 0),
            gaps=gaps,
        )


_STATUS = attrgetter("status")


def _now() -> datetime:
    return datetime.now(UTC)


def _keep_table(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A :class:`FindingTable` is kept as it is; anything else validates as a tuple."""
    return value if isinstance(value, FindingTable) else handler(value)


def _dump_findings(value: Any, handler: SerializerFunctionWrapHandler, info: Any) -> Any:
    """A table's findings are built one at a time as the JSON is written (not all at once)."""
    if not isinstance(value, FindingTable):
        return handler(value)
    if info.mode_is_json() and info.include is None and info.exclude is None:
        return iter(value)
    return handler(tuple(value))  # per-finding filters apply as to a tuple


def _findings_schema(source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    inner = handler(tuple[Finding, ...])
    return core_schema.no_info_wrap_validator_function(
        _keep_table,
        inner,
        serialization=core_schema.wrap_serializer_function_ser_schema(
            _dump_findings, info_arg=True, schema=inner
        ),
    )


Findings = Annotated[tuple[Finding, ...] | FindingTable, GetPydanticSchema(_findings_schema)]
"""A report's findings: a tuple, or the :class:`FindingTable` of a bulk evaluation (a sequence
whose findings are built when read, equal to the tuple's). Validated and serialized as a tuple
of findings: the JSON and its schema are the same either way."""


class Report(BaseModel):
    """The result of an audit: findings, coverage and summary. Round-trips through JSON.

    ``guardrails`` is set when the audit read the organization's declared location guardrails
    (SCPs, Azure Policy, GCP org policy) and compared them; reports without it still load.
    ``sources`` dates the answers: the as-of date, and the review dates and sources of the
    catalog entries and legal lists the verdicts used.
    """

    model_config = _FROZEN

    schema_version: Literal["1"] = "1"
    tool_version: str
    policy_id: str
    policy_version: str
    started_at: datetime = Field(default_factory=_now)
    finished_at: datetime = Field(default_factory=_now)
    findings: Findings = ()
    coverage: Coverage = Field(default_factory=Coverage)
    summary: Summary = Field(default_factory=Summary)
    guardrails: GuardrailSection | None = None
    sources: Sources | None = None

    def by_status(self, status: Status | str) -> tuple[Finding, ...]:
        """Return the findings with ``status``."""
        wanted = Status(status)
        return tuple(f for f in self.findings if f.status is wanted)

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Findings whose status is ``violation``."""
        return self.by_status(Status.VIOLATION)

    @property
    def unknowns(self) -> tuple[Finding, ...]:
        """Findings whose status is ``unknown``."""
        return self.by_status(Status.UNKNOWN)

    @property
    def complete(self) -> bool:
        """True when coverage has no gaps."""
        return self.coverage.complete

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise the report to JSON."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Report:
        """Parse a report produced by :meth:`to_json`."""
        return cls.model_validate_json(data)

    def to_records(self) -> list[dict[str, Any]]:
        """Flatten findings to one dict per finding (for CSV, pandas or a SIEM)."""
        return [finding_record(f) for f in self.findings]

    def by_provider(self, provider: ProviderId | str) -> Report:
        """A copy of the report with only ``provider``'s findings and gaps."""
        pid = ProviderId(provider).value
        return filter_report(
            self, lambda f: f.resource.provider.value == pid, lambda g: g.provider == pid
        )

    def by_account(self, account: str) -> Report:
        """A copy of the report with only ``account``'s findings (and gaps that may cover it).

        The gaps kept are ``account``'s own and those that name no account (an OU or folder
        that could not be listed, the organization's listing): they may hide it, so the view
        is not complete while one is there.
        """
        return filter_report(
            self,
            lambda f: f.resource.account == account,
            lambda g: g.account is None or g.account == account,
        )

    def by_country(self, country: str) -> Report:
        """A copy with the findings whose data is or may be in ``country`` (ISO code), any axis.

        Gaps are kept: a region the audit could not read may be in that country too.
        """
        code = country.upper()
        return filter_report(self, lambda f: code in countries_of(f))

    def filter(
        self,
        *,
        status: Status | str | None = None,
        provider: ProviderId | str | None = None,
        account: str | None = None,
        country: str | None = None,
        jurisdiction: str | None = None,
        operator: str | None = None,
        legal_list: str | None = None,
    ) -> Report:
        """A copy with the findings that match every criterion given, and a fresh summary.

        Args:
            status: ``violation``, ``unknown``, ``exempt`` or ``compliant``.
            provider: A cloud (``aws``); keeps only that cloud's coverage gaps.
            account: An account, project or subscription; keeps the gaps that may cover it.
            country: An ISO code; the data is or may be there, on any axis.
            jurisdiction: An ISO code; an operator of a place holding the data (the resource's
                location or a copy) is under that country's jurisdiction. ``"CN"`` finds
                Alibaba Cloud buckets in Frankfurt and Virginia, which ``country`` does not.
            operator: Part of an operator's name, any case (``"alibaba"``).
            legal_list: A legal list id (``us-icts-foreign-adversaries``) that a finding
                which is not compliant rests on.

        Other coverage gaps stay: a region the audit could not read may be in that country or
        run by that operator.
        """
        pid = ProviderId(provider).value if provider is not None else None
        criteria = {
            "status": Status(status).value if status is not None else None,
            "provider": pid,
            "account": account,
            "country": country,
            "jurisdiction": jurisdiction,
            "operator": operator,
            "legal_list": legal_list,
        }
        return filter_report(
            self,
            lambda f: matches(f, **criteria),
            lambda g: (
                (pid is None or g.provider == pid)
                and (account is None or g.account in (None, account))
            ),
        )

    def by_jurisdiction(self, code: str) -> Report:
        """Findings with an operator under ``code``'s jurisdiction (``filter(jurisdiction=)``)."""
        return self.filter(jurisdiction=code)

    def by_operator(self, name: str) -> Report:
        """Findings with an operator whose name contains ``name`` (``filter(operator=)``)."""
        return self.filter(operator=name)

    # --- notebook hooks: the documented lazy imports (pandas/matplotlib only when used) ---

    def to_dataframe(self) -> Any:
        """One row per finding as a pandas DataFrame (``pip install 'cloudaudit[notebook]'``)."""
        from cloudaudit.notebook import to_dataframe

        return to_dataframe(self)

    def plot(self, ax: Any = None, by: str = "country") -> Any:
        """Bar chart of resources by ``by`` and status (matplotlib); returns the axes.

        ``by`` is ``country`` (of the resource's location), ``jurisdiction`` (of its operator)
        or ``operator``.
        """
        from cloudaudit.notebook import plot

        return plot(self, ax, by)  # type: ignore[arg-type]

    def map(self, height: int = 720) -> Any:
        """The interactive world map of the report, shown in Jupyter (``MapView``)."""
        from cloudaudit.notebook import MapView

        return MapView(self, height)

    def _repr_html_(self) -> str:
        from cloudaudit.notebook import repr_html

        return repr_html(self)


def by_country_status(report: Report) -> dict[str, Counter[Status]]:
    """Count findings by home country and status, countries sorted by total, largest first."""
    counts: dict[str, Counter[Status]] = {}
    findings = report.findings
    if isinstance(findings, FindingTable):  # per verdict, without building the findings
        for status, evidence, n in findings.verdicts():
            counts.setdefault(home_country_of(evidence), Counter())[status] += n
    else:
        for f in findings:
            counts.setdefault(home_country(f), Counter())[f.status] += 1
    ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return dict(ordered)


def filter_report(
    report: Report,
    keep: Callable[[Finding], bool],
    keep_gap: Callable[[CoverageGap], bool] = lambda _g: True,
) -> Report:
    """Return a copy of ``report`` with the findings ``keep`` accepts and a fresh summary.

    Coverage gaps stay unless ``keep_gap`` rejects them: a filter never hides what the audit
    could not look at in the filtered scope.
    """
    findings = tuple(f for f in report.findings if keep(f))
    gaps = tuple(g for g in report.coverage.gaps if keep_gap(g))
    coverage = report.coverage.model_copy(update={"gaps": gaps})
    return report.model_copy(
        update={
            "findings": findings,
            "coverage": coverage,
            "summary": Summary.of(findings, gaps=len(gaps)),
        }
    )


def fails(summary: Summary, fail_on: Iterable[str] = ("violation",)) -> bool:
    """True when one of the ``fail_on`` conditions holds for ``summary``.

    Args:
        summary: The audit's counts (of a report, or of a stream of findings).
        fail_on: Any of :data:`FAIL_ON`: ``violation`` (a violating finding), ``unknown`` (a
            finding whose location could not be established), ``gap`` (a coverage gap);
            ``never`` alone never fails. Empty means ``("violation",)``.
    """
    wanted = set(fail_on) or {"violation"}
    return (
        ("violation" in wanted and summary.violation > 0)
        or ("unknown" in wanted and summary.unknown > 0)
        or ("gap" in wanted and summary.gaps > 0)
    )
