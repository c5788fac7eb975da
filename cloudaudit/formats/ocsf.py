"""OCSF Compliance Finding events (class 2003), for Security Lake, Security Hub and SIEMs.

The events are plain JSON built here (no runtime dependency); the tests validate them with
the ``py-ocsf-models`` package. One event per finding, compliant ones included (OCSF records
passes too); ``unknown`` maps to the compliance status *Warning* ("did not yield a result due
to missing information"), never to *Pass*. Each coverage gap (a scope that could not be
looked at) is one more event with compliance status *Warning* and ``status_code`` ``gap``,
so a SIEM sees what was not audited as well as what was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, TextIO

from cloudaudit._guardrail_model import GuardrailFinding, GuardrailFindingKind
from cloudaudit.formats._stream import rendered, write_json_array
from cloudaudit.models import CoverageGap, Finding, Status
from cloudaudit.report import Report, countries_of, home_country

__all__ = ["OCSF_VERSION", "ocsf_events", "render_ocsf", "write_ocsf"]

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003
CATEGORY_UID = 2
ACTIVITY_CREATE = 1

# compliance.status_id: 1 Pass, 2 Warning, 3 Fail
_COMPLIANCE = {
    Status.COMPLIANT: (1, "Pass"),
    Status.UNKNOWN: (2, "Warning"),
    Status.VIOLATION: (3, "Fail"),
    Status.EXEMPT: (3, "Fail"),
}
# severity_id: 1 Informational, 3 Medium, 4 High
_SEVERITY = {
    Status.COMPLIANT: (1, "Informational"),
    Status.EXEMPT: (1, "Informational"),
    Status.UNKNOWN: (3, "Medium"),
    Status.VIOLATION: (4, "High"),
}
# finding status_id: 1 New, 3 Suppressed
_FINDING_STATUS = {
    Status.COMPLIANT: (1, "New"),
    Status.UNKNOWN: (1, "New"),
    Status.VIOLATION: (1, "New"),
    Status.EXEMPT: (3, "Suppressed"),
}


def _envelope(report: Report, time_ms: int) -> dict[str, Any]:
    """The fields every Compliance Finding event shares: class, activity, time, metadata."""
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time_ms,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "cloudaudit",
                "vendor_name": "cloudaudit",
                "version": report.tool_version,
            },
            "profiles": ["cloud"],
        },
    }


def _event(f: Finding, report: Report, time_ms: int) -> dict[str, Any]:
    r = f.resource
    comp_id, comp_name = _COMPLIANCE[f.status]
    sev_id, sev_name = _SEVERITY[f.status]
    st_id, st_name = _FINDING_STATUS[f.status]
    message = " ".join(f.reasons) or r.label
    return {
        **_envelope(report, time_ms),
        "severity_id": sev_id,
        "severity": sev_name,
        "status_id": st_id,
        "status": st_name,
        "status_code": f.status.value,
        "status_detail": f.exemption or None,
        "message": message,
        "finding_info": {
            "uid": f.id,
            "title": f"{r.label}: {f.status.value} under {f.policy_id}",
            "desc": message,
            "types": ["Data Residency"],
            "created_time": time_ms,
        },
        "compliance": {
            "status_id": comp_id,
            "status": comp_name,
            "standards": [f.policy_id],
            "control": f"{f.policy_id} v{report.policy_version}",
            "requirements": list(f.jurisdictions),
        },
        "cloud": {
            "provider": r.provider.value,
            "region": r.location.region,
            "zone": r.location.zone,
            "account": {"uid": r.account, "name": r.account},
        },
        "resources": [
            {
                "uid": r.id,
                "name": r.name,
                "type": f"{r.service}/{r.type}",
                "region": r.location.region,
                "labels": [f"{k}={v}" for k, v in sorted(r.tags.items())],
                "data": {
                    "country": home_country(f),
                    "countries": list(countries_of(f)),
                    "copies": [str(loc) for loc in r.data_locations],
                },
            }
        ],
        "unmapped": {"reasons": list(f.reasons), "cloudaudit_status": f.status.value},
    }


def _gap_event(gap: CoverageGap, report: Report, time_ms: int) -> dict[str, Any]:
    message = f"not audited ({gap.code}): {gap.message}"
    uid = hashlib.sha256(f"{report.policy_id}\x00{gap.scope}\x00{gap.code}".encode()).hexdigest()
    return {
        **_envelope(report, time_ms),
        "severity_id": 3,
        "severity": "Medium",
        "status_id": 1,
        "status": "New",
        "status_code": "gap",
        "message": message,
        "finding_info": {
            "uid": uid[:20],
            "title": f"{gap.scope}: not audited under {report.policy_id}",
            "desc": message,
            "types": ["Data Residency", "Coverage Gap"],
            "created_time": time_ms,
        },
        "compliance": {
            "status_id": 2,
            "status": "Warning",
            "standards": [report.policy_id],
            "control": f"{report.policy_id} v{report.policy_version}",
        },
        "cloud": {
            "provider": gap.provider,
            "region": gap.region,
            "account": {"uid": gap.account, "name": gap.account} if gap.account else None,
        },
        "resources": [{"uid": gap.scope, "name": gap.scope, "type": "scope"}],
        "unmapped": {"cloudaudit_status": "gap", "code": gap.code},
    }


_GUARDRAIL_SEVERITY = {
    GuardrailFindingKind.PERMITS_RESTRICTED: (4, "High"),
    GuardrailFindingKind.RESOURCE_OUTSIDE: (4, "High"),
    GuardrailFindingKind.NO_GUARDRAIL: (3, "Medium"),
}


def _guardrail_event(f: GuardrailFinding, report: Report, time_ms: int) -> dict[str, Any]:
    """A guardrail finding: compliance status Fail, types Data Residency + Guardrail."""
    sev_id, sev_name = _GUARDRAIL_SEVERITY[f.kind]
    message = " ".join(f.reasons)
    target = f.resource_id or f.scope
    return {
        **_envelope(report, time_ms),
        "severity_id": sev_id,
        "severity": sev_name,
        "status_id": 1,
        "status": "New",
        "status_code": f.kind.value,
        "message": message,
        "finding_info": {
            "uid": f.id,
            "title": f"{f.scope}: {f.kind.value.replace('_', ' ')}",
            "desc": message,
            "types": ["Data Residency", "Guardrail"],
            "created_time": time_ms,
        },
        "compliance": {
            "status_id": 3,
            "status": "Fail",
            "standards": [report.policy_id],
            "control": f"guardrail/{f.kind.value}",
            "requirements": list(f.jurisdictions),
        },
        "cloud": {
            "provider": f.provider,
            "account": {"uid": f.account, "name": f.account} if f.account else None,
        },
        "resources": [
            {
                "uid": target,
                "name": target.rsplit("/", 1)[-1],
                "type": "resource" if f.resource_id else "scope",
                "data": {"guardrail": f.guardrail, "locations": list(f.locations)},
            }
        ],
        "unmapped": {"cloudaudit_status": f.kind.value, "guardrail": f.guardrail_label},
    }


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def ocsf_events(report: Report) -> list[dict[str, Any]]:
    """Build one OCSF Compliance Finding event per finding and per coverage gap."""
    return list(_events(report))


def _events(report: Report) -> Iterator[dict[str, Any]]:
    """The events one at a time: findings, coverage gaps, guardrail findings."""
    time_ms = int(report.finished_at.timestamp() * 1000)
    for f in report.findings:
        yield _prune(_event(f, report, time_ms))
    for g in report.coverage.gaps:
        yield _prune(_gap_event(g, report, time_ms))
    if report.guardrails is not None:
        for gf in report.guardrails.findings:
            yield _prune(_guardrail_event(gf, report, time_ms))


def write_ocsf(report: Report, stream: TextIO) -> None:
    """Write :func:`render_ocsf`'s text a batch of events at a time, never the whole text."""
    write_json_array(stream, _events(report))
    stream.write("\n")


def render_ocsf(report: Report) -> str:
    """Return the OCSF events as a JSON array (the text :func:`write_ocsf` writes)."""
    return rendered(write_ocsf, report)
