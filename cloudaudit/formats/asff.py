"""AWS Security Finding Format (ASFF), for Security Hub's ``BatchImportFindings``.

One finding per resource judged, compliant ones included, so that a violation that is fixed is
*updated* to ``PASSED`` rather than left open; one more finding per coverage gap (compliance
``NOT_AVAILABLE``: could not look is never a pass). The finding ``Id`` is stable
(``cloudaudit/<policy>/<finding id>``, and ``cloudaudit/<policy>/gap/<hash>`` for a gap), so
importing the next run's findings updates the same Security Hub findings instead of adding
duplicates. When the audit read guardrails, each guardrail finding is one more finding
(compliance ``FAILED``), ``cloudaudit/<policy>/guardrail/<hash>`` where the hash is of its kind,
scope, guardrail id and resource (:attr:`GuardrailFinding.id`), so a rerun updates it too.

Security Hub accepts findings for the default product of the importing account:
``ProductArn`` is ``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``.
The account and region are the ``account`` and ``region`` arguments of :func:`asff_findings`;
:func:`render_asff` (and ``--format asff``) take them from ``CLOUDAUDIT_ASFF_ACCOUNT`` and
``AWS_REGION`` / ``AWS_DEFAULT_REGION`` when set, else the only AWS account of the report (or
``000000000000``) and ``us-east-1``. A finding's ``AwsAccountId`` is the resource's own AWS
account; resources of other clouds belong to the importing account, and their cloud, account
and location are in ``Resources[0].Details.Other``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from typing import Any, TextIO

from cloudaudit._guardrail_model import GuardrailFinding, GuardrailFindingKind
from cloudaudit.formats._stream import rendered, write_json_array
from cloudaudit.models import CoverageGap, Finding, ProviderId, Status
from cloudaudit.report import Report, countries_of

__all__ = ["SCHEMA_VERSION", "asff_findings", "product_arn", "render_asff", "write_asff"]

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/Data Residency"
NO_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"^\d{12}$")
_COMPLIANCE = {
    Status.VIOLATION: "FAILED",
    Status.UNKNOWN: "WARNING",
    Status.EXEMPT: "WARNING",
    Status.COMPLIANT: "PASSED",
}
_SEVERITY = {
    Status.VIOLATION: "HIGH",
    Status.UNKNOWN: "MEDIUM",
    Status.EXEMPT: "LOW",
    Status.COMPLIANT: "INFORMATIONAL",
}
# Security Hub resource types for the AWS resources cloudaudit reports ("Other" for the rest)
_AWS_TYPES = {
    ("s3", "bucket"): "AwsS3Bucket",
    ("ec2", "instance"): "AwsEc2Instance",
    ("ec2", "volume"): "AwsEc2Volume",
    ("rds", "db-instance"): "AwsRdsDbInstance",
    ("rds", "db-cluster"): "AwsRdsDbCluster",
    ("rds", "db-snapshot"): "AwsRdsDbSnapshot",
    ("rds", "db-cluster-snapshot"): "AwsRdsDbClusterSnapshot",
    ("dynamodb", "table"): "AwsDynamoDbTable",
    ("kms", "key"): "AwsKmsKey",
    ("lambda", "function"): "AwsLambdaFunction",
    ("sns", "topic"): "AwsSnsTopic",
    ("sqs", "queue"): "AwsSqsQueue",
    ("secretsmanager", "secret"): "AwsSecretsManagerSecret",
    ("ecr", "repository"): "AwsEcrRepository",
    ("eks", "cluster"): "AwsEksCluster",
    ("ecs", "cluster"): "AwsEcsCluster",
    ("redshift", "cluster"): "AwsRedshiftCluster",
    ("kinesis", "stream"): "AwsKinesisStream",
    ("opensearch", "domain"): "AwsOpenSearchServiceDomain",
}
_TEXT_MAX = {"Title": 256, "Description": 1024, "Recommendation": 512, "Field": 2048}


def product_arn(account: str, region: str, partition: str = "aws") -> str:
    """The ARN of the importing account's default Security Hub product."""
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _timestamp(report: Report) -> str:
    return report.started_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _base(report: Report, fid: str, account: str, region: str) -> dict[str, Any]:
    at = _timestamp(report)
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": fid,
        "ProductArn": product_arn(account, region, _partition(region)),
        "ProductName": "cloudaudit",
        "CompanyName": "cloudaudit",
        "Region": region,
        "GeneratorId": f"cloudaudit/{report.policy_id}",
        "AwsAccountId": account,
        "Types": [FINDING_TYPE],
        "FirstObservedAt": at,
        "LastObservedAt": at,
        "CreatedAt": at,
        "UpdatedAt": at,
        "RecordState": "ACTIVE",
    }


def _resource(f: Finding, account: str, region: str) -> dict[str, Any]:
    r = f.resource
    is_aws = r.provider is ProviderId.AWS
    other = {
        "cloud": r.provider.value,
        "account": r.account,
        "service": r.service,
        "type": r.type,
        "name": r.name,
        "location": str(r.location),
        "countries": ";".join(countries_of(f)),
        "jurisdictions": ";".join(f.jurisdictions),
    }
    own_region = r.location.region if is_aws and r.location.region else region
    return {
        "Type": _AWS_TYPES.get((r.service, r.type), "Other") if is_aws else "Other",
        "Id": r.id,
        "Partition": _partition(own_region),
        "Region": own_region,
        "Details": {"Other": {k: _cut(v, _TEXT_MAX["Field"]) for k, v in other.items() if v}},
    }


def _finding(report: Report, f: Finding, account: str, region: str) -> dict[str, Any]:
    r = f.resource
    own = r.account if r.provider is ProviderId.AWS and _ACCOUNT.match(r.account) else account
    out = _base(report, f"cloudaudit/{report.policy_id}/{f.id}", own, region)
    reasons = " ".join(f.reasons) or f"{r.label} is {f.status.value}"
    out |= {
        "Severity": {"Label": _SEVERITY[f.status], "Original": f.status.value},
        "Title": _cut(f"{f.status.value}: {r.label} ({report.policy_id})", _TEXT_MAX["Title"]),
        "Description": _cut(reasons, _TEXT_MAX["Description"]),
        "Compliance": {
            "Status": _COMPLIANCE[f.status],
            "RelatedRequirements": [f"cloudaudit policy {report.policy_id}"],
        },
        "ProductFields": {
            "cloudaudit/policy": f"{report.policy_id}@{report.policy_version}",
            "cloudaudit/status": f.status.value,
            "cloudaudit/finding_id": f.id,
            "cloudaudit/provider": r.provider.value,
        },
        "Resources": [_resource(f, account, region)],
    }
    if f.status is Status.VIOLATION:
        fix = "Move the resource or its copies to a place the policy allows, or exempt it."
        out["Remediation"] = {"Recommendation": {"Text": fix}}
    if f.exemption:
        out["ProductFields"]["cloudaudit/exemption"] = _cut(f.exemption, _TEXT_MAX["Field"])
    return out


def _gap(report: Report, g: CoverageGap, account: str, region: str) -> dict[str, Any]:
    digest = hashlib.sha256(f"{g.provider}\x00{g.scope}\x00{g.code}".encode()).hexdigest()[:20]
    out = _base(report, f"cloudaudit/{report.policy_id}/gap/{digest}", account, region)
    out |= {
        "Severity": {"Label": "MEDIUM", "Original": "gap"},
        "Title": _cut(f"{report.policy_id}: not audited: {g.scope}", _TEXT_MAX["Title"]),
        "Description": _cut(f"{g.code}: {g.message}", _TEXT_MAX["Description"]),
        "Compliance": {"Status": "NOT_AVAILABLE"},
        "ProductFields": {
            "cloudaudit/policy": f"{report.policy_id}@{report.policy_version}",
            "cloudaudit/status": "gap",
            "cloudaudit/code": _cut(g.code, _TEXT_MAX["Field"]),
        },
        "Resources": [
            {
                "Type": "Other",
                "Id": g.scope,
                "Partition": _partition(region),
                "Region": region,
                "Details": {"Other": {"cloud": g.provider, "scope": g.scope, "code": g.code}},
            }
        ],
    }
    return out


_GUARDRAIL_SEVERITY = {
    GuardrailFindingKind.PERMITS_RESTRICTED: "HIGH",
    GuardrailFindingKind.RESOURCE_OUTSIDE: "HIGH",
    GuardrailFindingKind.NO_GUARDRAIL: "MEDIUM",
}


def _guardrail(report: Report, f: GuardrailFinding, account: str, region: str) -> dict[str, Any]:
    own = f.account if f.provider == "aws" and f.account and _ACCOUNT.match(f.account) else account
    out = _base(report, f"cloudaudit/{report.policy_id}/guardrail/{f.id}", own, region)
    kind = f.kind.value.replace("_", " ")
    target = f.resource_id or f.scope
    other = {
        "cloud": f.provider,
        "scope": f.scope,
        "account": f.account or "",
        "guardrail": f.guardrail_label or f.guardrail or "",
        "locations": ";".join(f.locations),
        "jurisdictions": ";".join(f.jurisdictions),
    }
    out |= {
        "Severity": {"Label": _GUARDRAIL_SEVERITY[f.kind], "Original": f.kind.value},
        "Title": _cut(f"guardrail {kind}: {target} ({report.policy_id})", _TEXT_MAX["Title"]),
        "Description": _cut(" ".join(f.reasons) or kind, _TEXT_MAX["Description"]),
        "Compliance": {
            "Status": "FAILED",
            "RelatedRequirements": [f"cloudaudit policy {report.policy_id}"],
        },
        "ProductFields": {
            "cloudaudit/policy": f"{report.policy_id}@{report.policy_version}",
            "cloudaudit/status": f"guardrail/{f.kind.value}",
            "cloudaudit/finding_id": f.id,
            "cloudaudit/provider": f.provider,
        },
        "Resources": [
            {
                "Type": "Other",
                "Id": target,
                "Partition": _partition(region),
                "Region": region,
                "Details": {
                    "Other": {k: _cut(v, _TEXT_MAX["Field"]) for k, v in other.items() if v}
                },
            }
        ],
    }
    return out


def _default_account(report: Report) -> str:
    env = os.environ.get("CLOUDAUDIT_ASFF_ACCOUNT", "")
    if _ACCOUNT.match(env):
        return env
    accounts = sorted(
        {
            f.resource.account
            for f in report.findings
            if f.resource.provider is ProviderId.AWS and _ACCOUNT.match(f.resource.account)
        }
    )
    return accounts[0] if len(accounts) == 1 else NO_ACCOUNT


def asff_findings(
    report: Report, *, account: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """The report as ASFF findings: per finding, per coverage gap, per guardrail finding.

    Args:
        report: The audit's report.
        account: The importing AWS account (the Security Hub account); see the module docs.
        region: The Security Hub region the findings are imported into.
    """
    return list(_items(report, *_target(report, account, region)))


def _target(
    report: Report, account: str | None = None, region: str | None = None
) -> tuple[str, str]:
    """The importing account and region: given, else from the environment or the findings."""
    acct = account or _default_account(report)
    reg = (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION
    )
    return acct, reg


def _items(report: Report, acct: str, reg: str) -> Iterator[dict[str, Any]]:
    """The ASFF findings one at a time: findings, coverage gaps, guardrail findings."""
    for f in report.findings:
        yield _finding(report, f, acct, reg)
    for g in report.coverage.gaps:
        yield _gap(report, g, acct, reg)
    if report.guardrails is not None:
        for gf in report.guardrails.findings:
            yield _guardrail(report, gf, acct, reg)


def write_asff(report: Report, stream: TextIO) -> None:
    """Write :func:`render_asff`'s text a batch of findings at a time, never the whole text.

    Without ``CLOUDAUDIT_ASFF_ACCOUNT`` the importing account is found by a first pass over
    the findings (which keeps only their distinct AWS accounts).
    """
    acct, reg = _target(report)
    write_json_array(stream, _items(report, acct, reg))
    stream.write("\n")


def render_asff(report: Report) -> str:
    """Return the ASFF findings as a JSON array (``aws securityhub batch-import-findings``)."""
    return rendered(write_asff, report)
