"""SARIF 2.1.0, as GitHub code scanning and other SARIF viewers accept it.

Each non-compliant finding is a result: ``violation`` is an ``error``, ``unknown`` a
``warning`` (could not tell is never a pass) and ``exempt`` a ``note`` with an external
suppression carrying the exemption. Compliant resources are not results. The cloud resource is
a logical location (its ARN or resource id); the finding id is the partial fingerprint, so the
same resource under the same policy is tracked across runs. Coverage gaps are tool execution
notifications of the invocation.
"""

from __future__ import annotations

import json
from typing import Any

from cloudaudit.models import Finding, Status
from cloudaudit.report import Report, countries_of, sorted_findings

__all__ = ["SARIF_SCHEMA", "render_sarif", "sarif_log"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Status.VIOLATION: "error", Status.UNKNOWN: "warning", Status.EXEMPT: "note"}
_SEVERITY = {Status.VIOLATION: "8.0", Status.UNKNOWN: "5.0", Status.EXEMPT: "1.0"}
_RULE_TEXT = {
    Status.VIOLATION: (
        "Data in a restricted place",
        "The resource, a copy of its data, or the operator of its region falls under a "
        "jurisdiction the policy does not allow.",
    ),
    Status.UNKNOWN: (
        "Data location could not be established",
        "The resource's location is unmapped, multi-region or otherwise unknown; it is not "
        "counted as compliant.",
    ),
    Status.EXEMPT: (
        "Restricted place covered by an exemption",
        "The resource would violate the policy but an exemption in the policy covers it.",
    ),
}


def rule_id(policy_id: str, status: Status) -> str:
    """The SARIF rule id for a policy and a verdict, e.g. ``eea-only/violation``."""
    return f"{policy_id}/{status.value}"


def _rules(report: Report) -> list[dict[str, Any]]:
    rules = []
    for status, (short, full) in _RULE_TEXT.items():
        rules.append(
            {
                "id": rule_id(report.policy_id, status),
                "name": f"Residency{status.value.capitalize()}",
                "shortDescription": {"text": short},
                "fullDescription": {"text": f"{full} Policy: {report.policy_id}."},
                "defaultConfiguration": {"level": _LEVEL[status]},
                "properties": {
                    "tags": ["data-residency", "sovereignty", report.policy_id],
                    "security-severity": _SEVERITY[status],
                },
            }
        )
    return rules


def _result(f: Finding, rule_index: dict[Status, int], policy_id: str) -> dict[str, Any]:
    r = f.resource
    where = r.location.zone or r.location.region or "no location"
    result: dict[str, Any] = {
        "ruleId": rule_id(policy_id, f.status),
        "ruleIndex": rule_index[f.status],
        "level": _LEVEL[f.status],
        "message": {"text": " ".join(f.reasons) or f"{r.label} in {where}"},
        "locations": [
            {
                "logicalLocations": [
                    {
                        "name": r.name,
                        "fullyQualifiedName": r.id,
                        "kind": "resource",
                    }
                ],
                "message": {"text": f"{r.provider.value} {r.account} {where}"},
            }
        ],
        "partialFingerprints": {"cloudauditFindingId/v1": f.id},
        "properties": {
            "provider": r.provider.value,
            "account": r.account,
            "service": r.service,
            "resourceType": r.type,
            "region": r.location.region,
            "countries": list(countries_of(f)),
            "jurisdictions": list(f.jurisdictions),
        },
    }
    if f.status is Status.EXEMPT:
        result["suppressions"] = [
            {"kind": "external", "justification": f.exemption or "exempted by policy"}
        ]
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    """Build the SARIF log as a JSON-ready dict."""
    rules = _rules(report)
    rule_index = {status: i for i, status in enumerate(_RULE_TEXT)}
    results = [
        _result(f, rule_index, report.policy_id)
        for f in sorted_findings(report)
        if f.status is not Status.COMPLIANT
    ]
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"not audited: {g.scope}: {g.code}: {g.message}"},
            "descriptor": {"id": "coverage-gap"},
            "properties": {"scope": g.scope, "code": g.code, "provider": g.provider},
        }
        for g in report.coverage.gaps
    ]
    invocation = {
        "executionSuccessful": True,
        "startTimeUtc": report.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "endTimeUtc": report.finished_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "toolExecutionNotifications": notifications,
    }
    driver = {
        "name": "cloudaudit",
        "version": report.tool_version,
        "semanticVersion": report.tool_version,
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"cloudaudit/{report.policy_id}/"},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "policyId": report.policy_id,
            "policyVersion": report.policy_version,
            "summary": report.summary.model_dump(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report) -> str:
    """Return the report as a SARIF 2.1.0 JSON document."""
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
