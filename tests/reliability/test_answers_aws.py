"""AWS: malformed answers are gaps, failed detail calls touch one axis of one resource.

Real boto3 clients over real HTTP to moto, behind the fault layer. The estate lives in its own
region (eu-central-1) and buckets, all compliant, so it does not disturb the fault matrix's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import boto3
import pytest
from answer_cases import FaultCase, check_case, html
from faultkit import Fault, FaultLayer
from matrix_checks import Timed
from test_faults_aws import aws_error, server, signed  # noqa: F401 - the module's server fixture
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.models import LocationKind, Status
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.report import Report

pytestmark = pytest.mark.http

REGION = "eu-central-1"
BUCKETS = ("answers-a", "answers-b", "answers-c")


def op(service: str, operation: str) -> Callable[[Request], bool]:
    def match(req: Request) -> bool:
        s, region, o = signed(req)
        return s == service and region in (REGION, "us-east-1") and o == operation

    return match


def bucket_call(bucket: str, query: str) -> Callable[[Request], bool]:
    def match(req: Request) -> bool:
        return req.path.strip("/") == bucket and query in req.args

    return match


def _efs_replications(req: Request) -> bool:
    return req.path.endswith("/file-systems/replication-configurations")


def _no_replications(_req: Request) -> Response:
    return Response(b'{"Replications": []}', 200, content_type="application/json")


def xml_ok(_req: Request) -> Response:
    """A 200 answer that is well-formed XML but no S3 answer (``<Ok/>``, as a proxy might)."""
    return Response(b'<?xml version="1.0"?><Ok/>', 200, content_type="application/xml")


def replication_without_rules(_req: Request) -> Response:
    """A ``<ReplicationConfiguration>`` without the ``Rule`` AWS requires (S3 API Reference)."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Role>arn:aws:iam::123456789012:role/replication</Role></ReplicationConfiguration>"
    )
    return Response(body, 200, content_type="application/xml")


def backup_denied(_req: Request) -> Response:
    """AWS Backup's REST-JSON error (``x-amzn-ErrorType`` and ``__type``, as botocore reads)."""
    body = json.dumps({"__type": "AccessDeniedException", "Message": "injected fault"})
    headers = {"x-amzn-ErrorType": "AccessDeniedException"}
    return Response(body, 403, headers=headers, content_type="application/json")


def _backup_plan(req: Request) -> bool:
    """``GetBackupPlan``: ``GET /backup/plans/{id}/``."""
    parts = req.path.strip("/").split("/")
    return (
        signed(req)[0] == "backup"
        and req.method == "GET"
        and parts[:2] == ["backup", "plans"]
        and len(parts) == 3
    )


def _backup_plans(req: Request) -> bool:
    return (
        signed(req)[0] == "backup"
        and req.method == "GET"
        and req.path.rstrip("/") == "/backup/plans"
    )


def empty_object(_req: Request, _body: bytes) -> bytes:
    return b"{}"


def json_string(_req: Request, _body: bytes) -> bytes:
    """Valid JSON that is not an object (botocore's own parser fails on it)."""
    return b'"TableNames"'


@pytest.fixture
def aws(
    server: tuple[str, FaultLayer],  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FaultLayer]:
    url, layer = server
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(var, value)
    from botocore.retries import adaptive, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, **kw: None)
    layer.reset()
    # moto lacks DescribeReplicationConfigurations: answer it in the documented shape
    # (EFS API reference, DescribeReplicationConfigurations: {"Replications": [...]})
    layer.add(Fault(_efs_replications, "respond", _no_replications))
    _plant()
    yield layer
    layer.reset()


def _plant() -> None:
    """Plant the estate (again, if another test reset moto in this worker)."""
    s3 = boto3.client("s3", region_name="us-east-1")
    if BUCKETS[0] in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return
    for name in BUCKETS:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("kms", region_name=REGION).create_key(Description="orders key")
    boto3.client("sqs", region_name=REGION).create_queue(QueueName="orders-queue")
    boto3.client("efs", region_name=REGION).create_file_system(CreationToken="orders-fs")
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="orders-vault")
    rule = {"RuleName": "daily", "TargetBackupVaultName": "orders-vault"}
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [rule]})
    boto3.client("ecr", region_name=REGION).create_repository(repositoryName="orders-repo")
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="orders-secret", SecretString=json.dumps({"k": "v"})
    )


SERVICES = ("s3", "dynamodb", "kms", "sqs", "efs", "ecr", "secretsmanager", "backup")


def run(services: tuple[str, ...] = SERVICES) -> Report:
    provider = AwsProvider(
        session=boto3.Session(region_name="us-east-1"),
        regions=[REGION],
        services=services,
        max_attempts=2,
        connect_timeout=2.0,
        read_timeout=2.0,
    )
    return audit(provider, "us-foreign-adversaries", max_workers=8)


# (fault id, service audited, fault, what the report must show)
CASES: list[FaultCase] = [
    FaultCase("html-200-list", "dynamodb", Fault(op("dynamodb", "ListTables"), "respond", html)),
    FaultCase(
        "missing-list",
        "dynamodb",
        Fault(op("dynamodb", "ListTables"), "rewrite", rewrite=empty_object),
    ),
    FaultCase(
        "missing-list",
        "kms",
        Fault(op("kms", "ListKeys"), "rewrite", rewrite=json_string),
    ),
    FaultCase("truncated-list", "kms", Fault(op("kms", "ListKeys"), "malformed")),
    FaultCase("html-200-list", "sqs", Fault(op("sqs", "ListQueues"), "respond", html)),
    FaultCase(
        "html-200-list",
        "efs",
        Fault(op("elasticfilesystem", "GET /2015-02-01/file-systems"), "respond", html),
    ),
    FaultCase(
        "html-200-detail",
        "ecr",
        Fault(op("ecr", "DescribeRegistry"), "respond", html),
        detail=("ecr:DescribeRegistry", "orders-repo", "MalformedResponse"),
    ),
    FaultCase(
        "denied-detail",
        "dynamodb",
        Fault(op("dynamodb", "DescribeTable"), "respond", aws_error("AccessDeniedException", 400)),
        detail=("dynamodb:DescribeTable", "orders", "AccessDeniedException"),
    ),
    FaultCase(
        "denied-detail",
        "kms",
        Fault(op("kms", "DescribeKey"), "respond", aws_error("AccessDeniedException", 400)),
        detail=("kms:DescribeKey", "", "AccessDeniedException"),
    ),
    FaultCase(
        "denied-detail",
        "secretsmanager",
        Fault(
            op("secretsmanager", "DescribeSecret"),
            "respond",
            aws_error("AccessDeniedException", 400),
        ),
        detail=("secretsmanager:DescribeSecret", "orders-secret", "AccessDeniedException"),
    ),
    FaultCase(
        "reset-detail",
        "s3",
        Fault(bucket_call("answers-b", "location"), "reset"),
        detail=("s3:GetBucketLocation", "answers-b", "EndpointConnectionError"),
        axis="location",
    ),
    FaultCase(
        "denied-detail",
        "s3",
        Fault(bucket_call("answers-b", "replication"), "respond", aws_error("AccessDenied", 403)),
        detail=("s3:GetReplicationConfiguration", "answers-b", "AccessDenied"),
    ),
    FaultCase(
        "other-document-detail",
        "s3",
        Fault(bucket_call("answers-b", "location"), "respond", xml_ok),
        detail=("s3:GetBucketLocation", "answers-b", "MalformedResponse"),
        axis="location",
    ),
    FaultCase(
        "other-document-detail",
        "s3",
        Fault(bucket_call("answers-b", "replication"), "respond", xml_ok),
        detail=("s3:GetReplicationConfiguration", "answers-b", "MalformedResponse"),
    ),
    FaultCase(
        "other-document-detail",
        "s3",
        Fault(bucket_call("answers-c", "replication"), "respond", replication_without_rules),
        detail=("s3:GetReplicationConfiguration", "answers-c", "MalformedResponse"),
    ),
    FaultCase(
        "denied-detail",
        "backup",
        Fault(_backup_plans, "respond", backup_denied),
        detail=("backup:ListBackupPlans", "orders-vault", "AccessDeniedException"),
    ),
    FaultCase(
        "denied-detail",
        "backup",
        Fault(_backup_plan, "respond", backup_denied),
        detail=("backup:GetBackupPlan", "orders-vault", "AccessDeniedException"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}-{c.fault_id}")
def test_answer_fault(case: FaultCase, aws: FaultLayer) -> None:
    baseline = run((case.service,))
    assert not baseline.coverage.gaps, baseline.coverage.gaps
    ours = [f for f in baseline.findings if f.resource.location.region == REGION]
    assert ours and all(f.status is Status.COMPLIANT for f in ours)
    aws.add(case.fault)
    with Timed() as t:
        report = run((case.service,))
    check_case(case, baseline, report, t.seconds)


def test_one_bucket_failure_touches_that_bucket_only(aws: FaultLayer) -> None:
    aws.add(Fault(bucket_call("answers-b", "location"), "reset"))
    report = run(("s3",))
    status = {f.resource.name: f for f in report.findings if f.resource.name in BUCKETS}
    assert set(status) == set(BUCKETS)
    assert status["answers-a"].status is Status.COMPLIANT
    assert status["answers-c"].status is Status.COMPLIANT
    b = status["answers-b"]
    assert b.status is Status.UNKNOWN
    assert b.resource.location.kind is LocationKind.UNKNOWN
    assert (
        "s3:GetBucketLocation on bucket answers-b failed: EndpointConnectionError" in (b.reasons[0])
    )
    # the replication configuration is read in the bucket's region: unread too, and said so
    # (it used to be a copy with the location's own note, dropped as the same place)
    (copy,) = b.resource.data_locations
    assert copy.kind is LocationKind.UNKNOWN and copy.via == "aws.s3.replication"
    assert copy.note is not None
    assert copy.note.startswith("s3:GetReplicationConfiguration on bucket answers-b failed: ")
    assert "bucket's region is unknown" in copy.note
    assert "catalog" not in " ".join(b.reasons)
    (gap,) = report.coverage.gaps
    assert gap.target == "bucket answers-b" and gap.code == "EndpointConnectionError"
