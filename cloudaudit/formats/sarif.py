"""SARIF 2.1.0, as GitHub code scanning accepts and shows it.

Each non-compliant finding is a result: ``violation`` is an ``error``, ``unknown`` a
``warning`` (could not tell is never a pass) and ``exempt`` a ``note`` with an external
suppression carrying the exemption. Compliant resources are not results.

Code scanning shows a result only when it has a file location, and cloud resources have none,
so every result carries a documented *pseudo-path* (:func:`artifact_uri`)::

    cloud/<provider>/<account>/<region>/<service>/<type>/<name>

with each segment percent-encoded, plus the resource as a logical location (its ARN or
resource id). The finding id is the ``primaryLocationLineHash`` partial fingerprint, the key
code scanning uses to match a result with an alert across runs, so the same resource under the
same policy keeps its alert. Coverage gaps are results too (rule ``<policy>/coverage-gap``,
path ``cloud/<provider>/<account>/<region>/<service>``) as well as tool execution
notifications, and ``executionSuccessful`` is false when any scope was not audited. When the
audit read guardrails, each guardrail finding is a result under ``<policy>/guardrail/<kind>``
(path ``cloud/<provider>/<account or scope>/guardrail/<kind>/<target>``).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from typing import Any, TextIO
from urllib.parse import quote

from cloudaudit._guardrail_model import GuardrailFinding, GuardrailFindingKind
from cloudaudit.formats._stream import rendered, write_json_document
from cloudaudit.models import CoverageGap, Finding, Resource, Status
from cloudaudit.report import STATUS_ORDER, Report, countries_of

__all__ = [
    "GAP_RULE",
    "SARIF_SCHEMA",
    "artifact_uri",
    "gap_uri",
    "guardrail_rule_id",
    "render_sarif",
    "sarif_log",
    "write_sarif",
]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
GAP_RULE = "coverage-gap"
FINGERPRINT_KEY = "primaryLocationLineHash"
_LEVEL = {Status.VIOLATION: "error", Status.UNKNOWN: "warning", Status.EXEMPT: "note"}
_SEVERITY = {Status.VIOLATION: "8.0", Status.UNKNOWN: "5.0", Status.EXEMPT: "1.0"}
_GAP_SEVERITY = "5.0"
_RULE_TEXT = {
    Status.VIOLATION: (
        "Data in a restricted place",
        "The resource, a copy of its data, or the operator of its region falls under a "
        "jurisdiction the policy does not allow.",
        "Move the resource (or remove the copy) to a region the policy allows, or record an "
        "exemption with a reason and an expiry date in the policy file.",
    ),
    Status.UNKNOWN: (
        "Data location could not be established",
        "The resource's location is unmapped, multi-region or otherwise unknown; it is not "
        "counted as compliant.",
        "Pin the resource to a single region, or check that the region is in the catalog "
        "(`cloudaudit locate <provider> <region>`).",
    ),
    Status.EXEMPT: (
        "Restricted place covered by an exemption",
        "The resource would violate the policy but an exemption in the policy covers it.",
        "Review the exemption before it expires.",
    ),
}
_GAP_TEXT = (
    "Scope not audited",
    "cloudaudit could not look at this scope (an API error, denied access, a disabled region "
    "or a service that could not be read). Nothing in it was judged, so it is not compliant.",
    "Grant the read-only permissions the provider documents, enable the region, or fix the "
    "error named in the message; then audit again.",
)


def rule_id(policy_id: str, status: Status | str) -> str:
    """The SARIF rule id for a policy and a verdict, e.g. ``eea-only/violation``."""
    return f"{policy_id}/{status if isinstance(status, str) else status.value}"


def _segments(*parts: str | None) -> str:
    return "/".join(quote(p or "-", safe="") for p in ("cloud", *parts))


def artifact_uri(resource: Resource) -> str:
    """The pseudo-path of a resource, ``cloud/<provider>/<account>/<region>/<service>/...``.

    The path goes on with ``<type>/<name>``. Segments are percent-encoded; a missing region
    is the location kind (``global``, ``unknown``) and any other missing segment is ``-``.
    """
    loc = resource.location
    region = loc.region or loc.zone or loc.kind.value
    return _segments(
        resource.provider.value,
        resource.account,
        region,
        resource.service,
        resource.type,
        resource.name or resource.id,
    )


def gap_uri(gap: CoverageGap) -> str:
    """The pseudo-path of a coverage gap: ``cloud/<provider>/<account>/<region>/<service>``."""
    return _segments(gap.provider, gap.account, gap.region, gap.service)


def _rule(rid: str, name: str, text: tuple[str, str, str], level: str, sev: str, pol: str) -> Any:
    short, full, fix = text
    return {
        "id": rid,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": f"{full} Policy: {pol}."},
        "help": {
            "text": f"{full} {fix}",
            "markdown": f"**{short}** (policy `{pol}`)\n\n{full}\n\n**Fix:** {fix}",
        },
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": ["security", "data-residency", "sovereignty", pol],
            "precision": "high",
            "problem.severity": "error" if level == "error" else "warning",
            "security-severity": sev,
        },
    }


def _rules(policy_id: str) -> list[dict[str, Any]]:
    rules = [
        _rule(
            rule_id(policy_id, status),
            f"Residency{status.value.capitalize()}",
            text,
            _LEVEL[status],
            _SEVERITY[status],
            policy_id,
        )
        for status, text in _RULE_TEXT.items()
    ]
    gap_id = rule_id(policy_id, GAP_RULE)
    rules.append(_rule(gap_id, "CoverageGap", _GAP_TEXT, "warning", _GAP_SEVERITY, policy_id))
    return rules


def _location(uri: str, fqn: str, name: str, kind: str, text: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": 1},
        },
        "logicalLocations": [{"name": name, "fullyQualifiedName": fqn, "kind": kind}],
        "message": {"text": text},
    }


def _result(f: Finding, rule_index: dict[str, int], policy_id: str) -> dict[str, Any]:
    r = f.resource
    where = r.location.zone or r.location.region or "no location"
    rid = rule_id(policy_id, f.status)
    result: dict[str, Any] = {
        "ruleId": rid,
        "ruleIndex": rule_index[rid],
        "level": _LEVEL[f.status],
        "message": {"text": " ".join(f.reasons) or f"{r.label} in {where}"},
        "locations": [
            _location(
                artifact_uri(r),
                r.id,
                r.name,
                "resource",
                f"{r.provider.value} {r.account} {where}",
            )
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f"{f.id}:1", "cloudauditFindingId/v1": f.id},
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


def _gap_id(policy_id: str, g: CoverageGap) -> str:
    raw = f"{policy_id}\x00gap\x00{g.provider}\x00{g.scope}\x00{g.code}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _gap_result(g: CoverageGap, rule_index: dict[str, int], policy_id: str) -> dict[str, Any]:
    rid = rule_id(policy_id, GAP_RULE)
    return {
        "ruleId": rid,
        "ruleIndex": rule_index[rid],
        "level": "warning",
        "message": {"text": f"Not audited: {g.scope}: {g.code}: {g.message}"},
        "locations": [_location(gap_uri(g), g.scope, g.scope, "scope", f"{g.provider} {g.code}")],
        "partialFingerprints": {FINGERPRINT_KEY: f"{_gap_id(policy_id, g)}:1"},
        "properties": {"provider": g.provider, "scope": g.scope, "code": g.code},
    }


_GUARDRAIL_RULES: dict[GuardrailFindingKind, tuple[str, tuple[str, str, str], str, str]] = {
    GuardrailFindingKind.PERMITS_RESTRICTED: (
        "GuardrailPermitsRestricted",
        (
            "Guardrail permits a restricted location",
            "A declared location guardrail (SCP, RCP, Azure Policy, GCP org policy) lets "
            "resources be created in a location the policy restricts.",
            "Remove the restricted locations from the guardrail's allowed list.",
        ),
        "error",
        "7.0",
    ),
    GuardrailFindingKind.RESOURCE_OUTSIDE: (
        "GuardrailResourceOutside",
        (
            "Resource outside its guardrail",
            "A resource exists where the guardrail that covers it does not allow resources: it "
            "was created before the guardrail, by an exempted principal or action, or while "
            "the guardrail only audited.",
            "Move or remove the resource, or record why the guardrail does not apply to it.",
        ),
        "error",
        "6.0",
    ),
    GuardrailFindingKind.NO_GUARDRAIL: (
        "GuardrailMissing",
        (
            "Scope without a location guardrail",
            "Nothing declared stops resources of this account, subscription or project from "
            "being created in any location.",
            "Attach a region-deny SCP, assign Allowed locations, or set gcp.resourceLocations.",
        ),
        "warning",
        "4.0",
    ),
}


def guardrail_rule_id(policy_id: str, kind: GuardrailFindingKind) -> str:
    """The SARIF rule id of a guardrail finding kind: ``<policy>/guardrail/<kind>``."""
    return rule_id(policy_id, f"guardrail/{kind.value}")


def _guardrail_result(f: GuardrailFinding, rule_index: dict[str, int], pol: str) -> Any:
    rid = guardrail_rule_id(pol, f.kind)
    target = f.resource_id or f.scope
    name = target.rstrip("/").rsplit("/", 1)[-1] or target
    uri = _segments(f.provider, f.account or f.scope, "guardrail", f.kind.value, name)
    kind = "resource" if f.resource_id else "scope"
    return {
        "ruleId": rid,
        "ruleIndex": rule_index[rid],
        "level": _GUARDRAIL_RULES[f.kind][2],
        "message": {"text": " ".join(f.reasons)},
        "locations": [_location(uri, target, name, kind, f"{f.provider} {f.scope}")],
        "partialFingerprints": {
            FINGERPRINT_KEY: f"{f.id}:1",
            "cloudauditGuardrailFindingId/v1": f.id,
        },
        "properties": {
            "provider": f.provider,
            "account": f.account,
            "guardrail": f.guardrail,
            "locations": list(f.locations),
            "jurisdictions": list(f.jurisdictions),
        },
    }


def _guardrail_rules(report: Report) -> list[Any]:
    """The guardrail rules (only when the report read guardrails)."""
    if report.guardrails is None:
        return []
    pol = report.policy_id
    return [
        _rule(guardrail_rule_id(pol, kind), name, text, level, sev, pol)
        for kind, (name, text, level, sev) in _GUARDRAIL_RULES.items()
    ]


def _results(report: Report, rule_index: dict[str, int]) -> Iterator[dict[str, Any]]:
    """The results one at a time: findings worst first, coverage gaps, guardrail findings.

    The findings come in the order of :func:`~cloudaudit.report.sorted_findings`.
    Only the sort keys of the findings that are results are held (status rank, provider,
    resource id, position); each finding is then read again by its position, so the findings
    are never all held at once, even when the report's findings are built as they are read.
    """
    pol, findings = report.policy_id, report.findings
    keys = [
        (STATUS_ORDER[f.status], f.resource.provider.value, f.resource.id, i)
        for i, f in enumerate(findings)
        if f.status is not Status.COMPLIANT
    ]
    keys.sort()  # the position breaks ties as the stable sort of sorted_findings does
    order = array("q", [k[3] for k in keys])
    del keys
    for i in order:
        yield _result(findings[i], rule_index, pol)
    for g in report.coverage.gaps:
        yield _gap_result(g, rule_index, pol)
    if report.guardrails is not None:
        for gf in report.guardrails.findings:
            yield _guardrail_result(gf, rule_index, pol)


def _shell(report: Report) -> tuple[dict[str, Any], dict[str, int]]:
    """The SARIF log with an empty ``results`` list, and the index of each rule."""
    rules = _rules(report.policy_id) + _guardrail_rules(report)
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"not audited: {g.scope}: {g.code}: {g.message}"},
            "descriptor": {"id": GAP_RULE},
            "properties": {"scope": g.scope, "code": g.code, "provider": g.provider},
        }
        for g in report.coverage.gaps
    ]
    invocation = {
        "executionSuccessful": report.coverage.complete,
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
        "results": [],
        "properties": {
            "policyId": report.policy_id,
            "policyVersion": report.policy_version,
            "summary": report.summary.model_dump(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, rule_index


def sarif_log(report: Report) -> dict[str, Any]:
    """Build the SARIF log as a JSON-ready dict."""
    log, rule_index = _shell(report)
    log["runs"][0]["results"] = list(_results(report, rule_index))
    return log


def write_sarif(report: Report, stream: TextIO) -> None:
    """Write :func:`render_sarif`'s text a batch of results at a time, never the whole text."""
    log, rule_index = _shell(report)
    write_json_document(stream, log, "results", _results(report, rule_index))


def render_sarif(report: Report) -> str:
    """Return the report as a SARIF 2.1.0 JSON document (the text :func:`write_sarif` writes)."""
    return rendered(write_sarif, report)
