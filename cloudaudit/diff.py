"""Drift between two reports: what newly violates, what was resolved, what we can no longer see.

Findings are matched by their stable id (policy, provider, account, resource id). A violation
or ``unknown`` finding that is absent from the newer report is only called *removed* when the
newer report looked at its scope; when a coverage gap of the newer report covers it, it is
*unverified*: "could not look" is never "resolved". A gap of an inventory import (provider
``inventory``: a file, or records of it, that could not be read) covers every resource, since a
report does not say which file a resource was read from.

Example:
    >>> from cloudaudit import audit
    >>> from cloudaudit.testing import FakeProvider, make_resource
    >>> old = audit(FakeProvider([make_resource("aws", "eu-west-1")]), "us-foreign-adversaries")
    >>> new = audit(FakeProvider([make_resource("aws", "ap-east-1")]), "us-foreign-adversaries")
    >>> len(diff(old, new).new_violations)
    1
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from cloudaudit._guardrail_model import GuardrailFinding
from cloudaudit.models import CoverageGap, Finding, Status
from cloudaudit.report import Report, Summary, sorted_findings

__all__ = ["CARRIED", "ReportDiff", "carry_over", "covers", "diff"]


class ReportDiff(BaseModel):
    """The changes between an older and a newer report.

    Attributes:
        old_started_at: When the older audit started.
        new_started_at: When the newer audit started.
        old_policy: ``policy_id@version`` of the older report.
        new_policy: ``policy_id@version`` of the newer report.
        new_violations: Findings (from the newer report) that violate now and did not before.
        resolved: Findings (from the newer report) that violated before and are now compliant
            or exempt.
        removed: Violations and ``unknown`` findings of the older report whose resource the
            newer audit did not see, although it looked at their scope (deleted or moved).
        unverified: Violations and ``unknown`` findings of the older report whose resource is
            absent from the newer report because a coverage gap of the newer report covers it.
        newly_unknown: Findings that are ``unknown`` now and were not before.
        new_gaps: Coverage gaps of the newer report that the older did not have.
        closed_gaps: Coverage gaps of the older report that the newer does not have.
        audited_before: Number of audited scopes in the older report.
        audited_after: Number of audited scopes in the newer report.
        new_guardrail_findings: Guardrail findings of the newer report that the older did not
            have (a guardrail that now permits a restricted location, a resource now outside
            its guardrail, a scope that lost its guardrail).
        closed_guardrail_findings: Guardrail findings of the older report that the newer one,
            having read the guardrails again, no longer has.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    old_started_at: datetime
    new_started_at: datetime
    old_policy: str
    new_policy: str
    new_violations: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    removed: tuple[Finding, ...] = ()
    unverified: tuple[Finding, ...] = ()
    newly_unknown: tuple[Finding, ...] = ()
    new_gaps: tuple[CoverageGap, ...] = ()
    closed_gaps: tuple[CoverageGap, ...] = ()
    audited_before: int = 0
    audited_after: int = 0
    new_guardrail_findings: tuple[GuardrailFinding, ...] = ()
    closed_guardrail_findings: tuple[GuardrailFinding, ...] = ()

    @property
    def coverage_dropped(self) -> bool:
        """True when the newer audit has new gaps or audited fewer scopes."""
        return bool(self.new_gaps) or self.audited_after < self.audited_before

    @property
    def worse(self) -> bool:
        """True when something new violates, became unknown, or coverage dropped."""
        new = self.new_violations or self.newly_unknown or self.new_guardrail_findings
        return bool(new) or self.coverage_dropped

    @property
    def changed(self) -> bool:
        """True when anything at all differs."""
        return self.worse or bool(
            self.resolved
            or self.removed
            or self.unverified
            or self.closed_gaps
            or self.closed_guardrail_findings
        )

    def summary(self) -> dict[str, int | bool]:
        """Counts of each kind of change, for notifications and logs."""
        return {
            "new_violations": len(self.new_violations),
            "resolved": len(self.resolved),
            "removed": len(self.removed),
            "unverified": len(self.unverified),
            "newly_unknown": len(self.newly_unknown),
            "new_gaps": len(self.new_gaps),
            "closed_gaps": len(self.closed_gaps),
            "audited_before": self.audited_before,
            "audited_after": self.audited_after,
            "coverage_dropped": self.coverage_dropped,
            "new_guardrail_findings": len(self.new_guardrail_findings),
            "closed_guardrail_findings": len(self.closed_guardrail_findings),
        }


def _gap_key(g: CoverageGap) -> tuple[str, str, str | None]:
    """A gap's identity across runs: its scope, code and target (an OU, a bucket...)."""
    return (g.scope, g.code, g.target)


_INVENTORY = "inventory"
"""The provider id of an inventory import's gaps (a file, or records of it, not read)."""


def covers(gap: CoverageGap, finding: Finding) -> bool:
    """True when ``gap`` may hide ``finding``'s resource (same provider, account and region).

    A gap without an account covers every account of its provider: a scope above the
    accounts (an AWS OU, a GCP folder, the organization itself) hides whichever accounts are
    under it. A gap without a region covers every region. A gap of an inventory import
    covers every resource: its records may be of any cloud, and a report does not say which
    file a resource was read from ("could not look" is never "removed"). An ``Excluded``
    gap (left out by choice) covers what it names like any other: not looked at.
    """
    r = finding.resource
    if gap.provider == _INVENTORY:
        return True
    if gap.provider != r.provider.value:
        return False
    if gap.account is not None and gap.account != r.account:
        return False
    if gap.region is None or gap.region == "*":
        return True
    return gap.region in (r.location.region, r.location.zone)


def _guardrail_changes(
    old: Report, new: Report
) -> tuple[tuple[GuardrailFinding, ...], tuple[GuardrailFinding, ...]]:
    """(new, closed) guardrail findings; closed only when the newer report read guardrails."""
    before = old.guardrails.findings if old.guardrails else ()
    after = new.guardrails.findings if new.guardrails else ()
    old_ids = {f.id for f in before}
    new_ids = {f.id for f in after}
    added = tuple(f for f in after if f.id not in old_ids)
    closed = tuple(f for f in before if f.id not in new_ids) if new.guardrails else ()
    return added, closed


def _label(report: Report) -> str:
    return f"{report.policy_id}@{report.policy_version}"


def diff(old: Report, new: Report) -> ReportDiff:
    """Compare two reports and return what changed from ``old`` to ``new``."""
    before = {f.id: f for f in old.findings}
    after = {f.id: f for f in new.findings}

    def was(fid: str, status: Status) -> bool:
        f = before.get(fid)
        return f is not None and f.status is status

    new_violations = [
        f for f in new.findings if f.status is Status.VIOLATION and not was(f.id, Status.VIOLATION)
    ]
    newly_unknown = [
        f for f in new.findings if f.status is Status.UNKNOWN and not was(f.id, Status.UNKNOWN)
    ]
    resolved = [
        f
        for f in new.findings
        if f.status in (Status.COMPLIANT, Status.EXEMPT) and was(f.id, Status.VIOLATION)
    ]
    watched = (Status.VIOLATION, Status.UNKNOWN)
    gone = [f for f in old.findings if f.status in watched and f.id not in after]
    unverified = [f for f in gone if any(covers(g, f) for g in new.coverage.gaps)]
    hidden = {f.id for f in unverified}
    removed = [f for f in gone if f.id not in hidden]
    old_gaps = {_gap_key(g) for g in old.coverage.gaps}
    new_gap_keys = {_gap_key(g) for g in new.coverage.gaps}
    new_guardrail, closed_guardrail = _guardrail_changes(old, new)
    return ReportDiff(
        old_started_at=old.started_at,
        new_started_at=new.started_at,
        old_policy=_label(old),
        new_policy=_label(new),
        new_violations=tuple(new_violations),
        resolved=tuple(resolved),
        removed=tuple(removed),
        unverified=tuple(unverified),
        newly_unknown=tuple(newly_unknown),
        new_gaps=tuple(g for g in new.coverage.gaps if _gap_key(g) not in old_gaps),
        closed_gaps=tuple(g for g in old.coverage.gaps if _gap_key(g) not in new_gap_keys),
        audited_before=len(old.coverage.audited),
        audited_after=len(new.coverage.audited),
        new_guardrail_findings=new_guardrail,
        closed_guardrail_findings=closed_guardrail,
    )


CARRIED = "carried over: "
"""The start of the reason :func:`carry_over` adds to a finding it carries over."""


def carry_over(previous: Report, new: Report) -> tuple[Report, tuple[Finding, ...]]:
    """The baseline the next run is compared with: ``new``, plus what it could not see.

    A finding of ``previous`` whose resource ``new`` does not have, and that a coverage gap
    of ``new`` covers (:func:`covers`), keeps its last known verdict: it is carried over,
    with a reason that says so, since when and behind which gap. A partial run thus neither
    forgets a violation it could not look at (the next complete run would call it *new*) nor
    keeps one it looked for and did not find (*removed*: dropped). A finding carried over
    again keeps its first reason (the date it was last seen).

    Args:
        previous: The baseline of the previous run (a report, or an earlier baseline).
        new: This run's report.

    Returns:
        The baseline (``new`` itself when nothing is carried over, else a copy with the
        carried findings and a fresh summary) and the findings carried over.
    """
    seen = {f.id for f in new.findings}
    gaps = new.coverage.gaps
    carried: list[Finding] = []
    for f in previous.findings:
        if f.id in seen:
            continue
        hiding = next((g for g in gaps if covers(g, f)), None)
        if hiding is not None:
            carried.append(_carried(f, previous.started_at, hiding))
    if not carried:
        return new, ()
    findings = tuple(sorted_findings([*new.findings, *carried]))
    summary = Summary.of(findings, gaps=len(gaps))
    return new.model_copy(update={"findings": findings, "summary": summary}), tuple(carried)


def _carried(finding: Finding, since: datetime, gap: CoverageGap) -> Finding:
    if any(r.startswith(CARRIED) for r in finding.reasons):
        return finding
    why = (
        f"{CARRIED}not seen by the run that wrote this baseline ({gap.code} at {gap.scope}); "
        f"verdict of the audit of {since.isoformat(timespec='seconds')}"
    )
    return finding.model_copy(update={"reasons": (*finding.reasons, why)})
