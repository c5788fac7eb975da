"""What the Lambda tells people and systems after a run.

:func:`compose` writes the notification for a person: what is new and why (new violations,
resources that became unknown, coverage that dropped, with the scopes), the totals, and where
the full report is. The machine-readable summary rides along: as SNS message attributes, and
as the EventBridge event's ``detail`` (beside the text). :func:`import_to_security_hub` is the
opt-in Security Hub sink.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from cloudaudit.diff import ReportDiff
from cloudaudit.models import CoverageGap, Finding
from cloudaudit.report import Report

if TYPE_CHECKING:
    from boto3.session import Session
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
    from mypy_boto3_securityhub.type_defs import AwsSecurityFindingTypeDef
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

__all__ = ["Notice", "compose", "import_to_security_hub", "publish"]

MAX_LISTED = 20
SUBJECT_MAX = 100  # SNS subjects: at most 100 characters
BATCH = 100  # BatchImportFindings: at most 100 findings per call


@dataclass(frozen=True)
class Notice:
    """A notification: a subject line, a text for a person, and the machine summary."""

    subject: str
    text: str
    summary: Mapping[str, Any]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _finding_line(f: Finding) -> str:
    r = f.resource
    why = f.reasons[0] if f.reasons else f.status.value
    return f"  - {r.id} ({r.provider.value} {r.account}, {r.location}): {why}"


def _gap_line(g: CoverageGap) -> str:
    return f"  - {g.scope}: {g.code}: {g.message}"


def _listed(title: str, lines: Sequence[str]) -> list[str]:
    if not lines:
        return []
    more = len(lines) - MAX_LISTED
    return [title, *lines[:MAX_LISTED], *([f"  ... and {more} more"] if more > 0 else []), ""]


def _headline(drift: ReportDiff, not_audited: Sequence[str]) -> str:
    parts = []
    if not_audited:
        parts.append("NOT AUDITED: " + "; ".join(not_audited))
    if drift.new_violations:
        parts.append(_plural(len(drift.new_violations), "new violation"))
    if drift.newly_unknown:
        parts.append(f"{len(drift.newly_unknown)} newly unknown")
    if drift.coverage_dropped:
        parts.append(f"coverage dropped ({_plural(len(drift.new_gaps), 'scope')} not audited)")
    return ", ".join(parts) or "no new problem"


def compose(
    report: Report,
    drift: ReportDiff,
    summary: Mapping[str, Any],
    links: Mapping[str, str],
    not_audited: Sequence[str] = (),
) -> Notice:
    """Write the notification of one run for a person, with the machine summary beside it.

    Args:
        report: The new report.
        drift: Its drift against the previous report.
        summary: The run's machine-readable summary (what the handler returns).
        links: ``report`` and ``diff`` locations (``s3://bucket/key``).
        not_audited: Providers that audited nothing (:func:`cloudaudit.outcome.not_audited`).
    """
    headline = _headline(drift, not_audited)
    subject = f"cloudaudit {report.policy_id}: {headline}"
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 3] + "..."
    s = report.summary
    when = report.started_at.strftime("%Y-%m-%d %H:%M UTC")
    before = drift.old_started_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"cloudaudit audit of {when} under policy {report.policy_id} "
        f"(version {report.policy_version}), compared with the run of {before}.",
        "",
        f"What is new: {headline}.",
        "",
    ]
    lines += _listed(
        "Not audited at all (exit code 3; nothing was seen, so nothing here is a pass):",
        [f"  - {reason}" for reason in not_audited],
    )
    for title, findings in (
        ("New violations (data in a place the policy does not allow):", drift.new_violations),
        (
            "Became unknown (location could not be established; not counted as compliant):",
            drift.newly_unknown,
        ),
        (
            "Not verified this time (behind a coverage gap of this run; never counted as "
            "resolved):",
            drift.unverified,
        ),
        (
            "No longer seen where this run looked (removed, or moved out of the audited scope):",
            drift.removed,
        ),
    ):
        lines += _listed(title, [_finding_line(f) for f in findings])
    if drift.coverage_dropped:
        lines += [
            f"Coverage dropped: {drift.audited_after} scopes audited, "
            f"{drift.audited_before} in the previous run.",
        ]
        lines += _listed("Scopes not audited this time:", [_gap_line(g) for g in drift.new_gaps])
        if not drift.new_gaps:
            lines.append("")
    lines += [
        f"Totals: {s.total} resources: {s.violation} violation, {s.unknown} unknown, "
        f"{s.exempt} exempt, {s.compliant} compliant; {s.gaps} coverage gaps.",
        f"Resolved since the previous run: {len(drift.resolved)}.",
        "",
        f"Full report: {links.get('report', '?')}",
        f"Drift: {links.get('diff', '?')}",
    ]
    return Notice(subject=subject, text="\n".join(lines) + "\n", summary=summary)


def _attributes(summary: Mapping[str, Any]) -> dict[str, MessageAttributeValueTypeDef]:
    drift = summary.get("drift", {})
    numbers = {
        "new_violations": drift.get("new_violations", 0),
        "newly_unknown": drift.get("newly_unknown", 0),
        "new_gaps": drift.get("new_gaps", 0),
        "violations": summary.get("summary", {}).get("violation", 0),
        "exit_code": summary.get("exit_code", 0),
    }
    attrs: dict[str, MessageAttributeValueTypeDef] = {
        k: {"DataType": "Number", "StringValue": str(v)} for k, v in numbers.items()
    }
    attrs["policy"] = {"DataType": "String", "StringValue": str(summary.get("policy", ""))}
    attrs["coverage_dropped"] = {
        "DataType": "String",
        "StringValue": str(bool(drift.get("coverage_dropped"))).lower(),
    }
    return attrs


def publish(session: Session, notice: Notice, topic_arn: str | None, bus: str | None) -> list[str]:
    """Send the notice to the SNS topic and/or the EventBridge bus; return where it went."""
    sent = []
    if topic_arn:
        session.client("sns").publish(
            TopicArn=topic_arn,
            Subject=notice.subject,
            Message=notice.text,
            MessageAttributes=_attributes(notice.summary),
        )
        sent.append("sns")
    if bus:
        detail = {"subject": notice.subject, "message": notice.text, **notice.summary}
        entry: PutEventsRequestEntryTypeDef = {
            "Source": "cloudaudit",
            "DetailType": "cloudaudit drift",
            "Detail": json.dumps(detail, default=str),
            "EventBusName": bus,
        }
        resp = session.client("events").put_events(Entries=[entry])
        if resp.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the event: {resp['Entries']}")
        sent.append("events")
    return sent


def import_to_security_hub(session: Session, report: Report, region: str | None) -> dict[str, Any]:
    """Import the report's ASFF findings into Security Hub in the function's own account.

    Returns ``{"imported": n, "failed": m, "errors": [...]}``; the same finding ids each run,
    so Security Hub updates its findings rather than adding duplicates.
    """
    from cloudaudit.formats.asff import asff_findings

    region = region or session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    findings = asff_findings(report, account=account, region=region)
    hub = session.client("securityhub", region_name=region)
    imported, errors = 0, []
    for i in range(0, len(findings), BATCH):
        # asff_findings builds the ASFF shape (tests/interfaces/test_asff.py validates it)
        batch = cast("list[AwsSecurityFindingTypeDef]", findings[i : i + BATCH])
        resp = hub.batch_import_findings(Findings=batch)
        imported += int(resp.get("SuccessCount", 0))
        failed = resp.get("FailedFindings", [])
        errors += [f"{f.get('Id')}: {f.get('ErrorMessage')}" for f in failed]
    return {"imported": imported, "failed": len(errors), "errors": errors[:MAX_LISTED]}
