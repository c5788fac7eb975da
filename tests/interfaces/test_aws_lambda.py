"""The Lambda handler end to end against moto: event -> audit -> S3 objects -> SNS/EventBridge."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from cloudaudit import aws_lambda  # noqa: E402
from cloudaudit._lambda_event import ProviderSpec  # noqa: E402
from cloudaudit.models import Resource  # noqa: E402
from cloudaudit.providers import Batch, Classifier, Provider, Scope, Unit, Work  # noqa: E402
from cloudaudit.report import Report  # noqa: E402
from cloudaudit.testing import FakeProvider, make_resource  # noqa: E402

REGION = "us-east-1"
BUCKET = "audit-reports"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(k, v)
    for k in ("AWS_PROFILE", "CLOUDAUDIT_BUCKET", "CLOUDAUDIT_POLICY", "CLOUDAUDIT_PROVIDERS"):
        monkeypatch.delenv(k, raising=False)
    with moto.mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("s3").create_bucket(Bucket=BUCKET)
        yield session


def _queue(session: Any, name: str) -> tuple[str, str]:
    sqs = session.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _messages(session: Any, url: str) -> list[dict[str, Any]]:
    resp = session.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in resp.get("Messages", [])]


class _Context:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def get_remaining_time_in_millis(self) -> int:
        return self.ms


def _factory(estate: Mapping[str, Sequence[Resource]]) -> aws_lambda.ProviderFactory:
    def make(spec: ProviderSpec, session: Any) -> Provider:
        return FakeProvider(estate[spec.name], name=spec.name)

    return make


def test_event_to_s3_to_sns_and_eventbridge(aws: Any) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="cloudaudit")["TopicArn"]
    sns_url, sns_q = _queue(aws, "sns-inbox")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sns_q)
    events = aws.client("events")
    events.create_event_bus(Name="audits")
    ev_url, ev_q = _queue(aws, "events-inbox")
    events.put_rule(Name="drift", EventBusName="audits", EventPattern='{"source":["cloudaudit"]}')
    events.put_targets(Rule="drift", EventBusName="audits", Targets=[{"Id": "q", "Arn": ev_q}])
    event = {
        "providers": ["aws"],
        "policy": "us-foreign-adversaries",
        "bucket": BUCKET,
        "sns_topic_arn": topic,
        "event_bus": "audits",
    }
    estate = {"aws": [make_resource("aws", "eu-west-1", name="ok")]}
    ctx = _Context(600_000)

    # first run: nothing violates, no previous report; no notification
    first = aws_lambda.run(
        event, ctx.get_remaining_time_in_millis, session=aws, factory=_factory(estate)
    )
    assert first["summary"]["violation"] == 0 and first["notified"] == []
    assert not first["stopped_early"]
    s3 = aws.client("s3")
    stored = Report.from_json(
        s3.get_object(Bucket=BUCKET, Key=first["keys"]["report"])["Body"].read()
    )
    assert stored.summary.total == 1
    assert first["keys"]["report"].startswith("cloudaudit/reports/20")
    assert _messages(aws, sns_url) == []

    # second run: a new HK bucket violates -> diff stored, SNS and EventBridge notified
    estate["aws"] = [*estate["aws"], make_resource("aws", "ap-east-1", name="hk-orders")]
    second = aws_lambda.run(
        event, ctx.get_remaining_time_in_millis, session=aws, factory=_factory(estate)
    )
    assert second["drift"]["new_violations"] == 1
    assert second["notified"] == ["sns", "events"]
    drift = json.loads(s3.get_object(Bucket=BUCKET, Key=second["keys"]["diff"])["Body"].read())
    assert [f["resource"]["name"] for f in drift["new_violations"]] == ["hk-orders"]
    latest = Report.from_json(
        s3.get_object(Bucket=BUCKET, Key="cloudaudit/latest.json")["Body"].read()
    )
    assert latest.summary.violation == 1
    (note,) = _messages(aws, sns_url)
    assert note["Subject"] == "cloudaudit us-foreign-adversaries: 1 new violation"
    text = note["Message"]  # written for a person: what is new, why, where the report is
    assert "What is new: 1 new violation." in text
    assert "aws:000000000000:s3:bucket/hk-orders (aws 000000000000, ap-east-1)" in text
    assert f"Full report: s3://{BUCKET}/{second['keys']['report']}" in text
    assert not text.lstrip().startswith("{")
    attrs = note["MessageAttributes"]  # the machine summary rides as attributes
    assert attrs["new_violations"] == {"Type": "Number", "Value": "1"}
    assert attrs["exit_code"]["Value"] == "1"
    (bus_event,) = _messages(aws, ev_url)
    assert bus_event["source"] == "cloudaudit"
    assert bus_event["detail"]["drift"]["new_violations"] == 1
    assert bus_event["detail"]["message"] == text

    # third run: unchanged -> nothing new, no notification
    third = aws_lambda.run(
        event, ctx.get_remaining_time_in_millis, session=aws, factory=_factory(estate)
    )
    assert third["drift"]["new_violations"] == 0 and third["notified"] == []


class _SlowProvider:
    """Discovery runs first; its unit waits until the audit is cancelled, then 3 units follow."""

    name = "aws"

    def classifiers(self) -> Sequence[Classifier]:
        return ()

    def secrets(self) -> Sequence[str]:
        return ()

    def collect(self, fanout: Work) -> Iterator[Batch]:
        def discover() -> list[Resource]:
            stop = time.monotonic() + 10
            while not fanout.cancelled:  # the deadline passes while this unit runs
                assert time.monotonic() < stop, "the deadline never cancelled the audit"
                time.sleep(0.05)
            return [make_resource("aws", "ap-east-1", name="seen")]

        for outcome in fanout.run([Unit(Scope("aws", "1", "us-east-1", "s3"), discover)]):
            yield Batch(
                resources=outcome.resources, audited=(outcome.audited,) if outcome.audited else ()
            )
        units = [
            Unit(Scope("aws", "1", r, "s3"), list) for r in ("eu-west-1", "eu-west-2", "sa-east-1")
        ]
        for outcome in fanout.run(units):
            yield Batch(gaps=(outcome.gap,) if outcome.gap else ())


def test_stops_before_the_deadline_and_records_what_it_did_not_reach(aws: Any) -> None:
    event = {"bucket": BUCKET, "safety_seconds": 30}
    summary = aws_lambda.run(
        event,
        _Context(31_000).get_remaining_time_in_millis,  # 1 s of audit time
        session=aws,
        factory=lambda spec, session: _SlowProvider(),
    )
    assert summary["stopped_early"] is True
    assert summary["not_reached"] == 3
    report = Report.from_json(
        aws.client("s3").get_object(Bucket=BUCKET, Key=summary["keys"]["report"])["Body"].read()
    )
    assert sorted(g.region for g in report.coverage.gaps if g.code == "Cancelled") == [
        "eu-west-1",
        "eu-west-2",
        "sa-east-1",
    ]
    assert summary["summary"]["violation"] == 1
    assert summary["notify"] is True  # new violation and new gaps


def test_policy_from_s3_and_environment(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = "id: only-ireland\nversion: '3'\nallowed: [IE]\n"
    aws.client("s3").put_object(Bucket=BUCKET, Key="policies/ie.yaml", Body=policy.encode())
    monkeypatch.setenv("CLOUDAUDIT_BUCKET", BUCKET)
    monkeypatch.setenv("CLOUDAUDIT_POLICY", f"s3://{BUCKET}/policies/ie.yaml")
    monkeypatch.setenv("CLOUDAUDIT_PROVIDERS", "aws")
    monkeypatch.setenv("CLOUDAUDIT_PREFIX", "audits")
    estate = {
        "aws": [
            make_resource("aws", "eu-west-1", name="dub"),
            make_resource("aws", "eu-central-1", name="fra"),
        ]
    }
    summary = aws_lambda.run({}, lambda: 900_000, session=aws, factory=_factory(estate))
    assert summary["policy"] == "only-ireland@3"
    assert summary["summary"]["violation"] == 1 and summary["summary"]["compliant"] == 1
    assert summary["keys"]["latest"] == "audits/latest.json"


def test_missing_bucket_is_a_configuration_error(aws: Any) -> None:
    from cloudaudit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="bucket"):
        aws_lambda.handler({"providers": ["aws"]}, _Context(60_000))


def test_handler_with_the_aws_provider_against_moto(aws: Any) -> None:
    """The real entry point, default session and the AWS provider, on an S3 bucket in moto."""
    pytest.importorskip("cloudaudit.providers.aws")
    aws.client("s3", region_name="ap-east-1").create_bucket(
        Bucket="hk-data", CreateBucketConfiguration={"LocationConstraint": "ap-east-1"}
    )
    summary = aws_lambda.handler(
        {
            "bucket": BUCKET,
            "providers": [
                {"name": "aws", "regions": ["us-east-1", "ap-east-1"], "services": ["s3"]}
            ],
        },
        _Context(600_000),
    )
    assert summary["summary"]["total"] >= 1
    names = [k for k in summary["new_violations"] if "hk-data" in k]
    assert names, summary


# --- what a person reads, what a system reads -------------------------------------------------


def test_coverage_drop_and_a_blind_provider_are_said_in_words(aws: Any) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="drops")["TopicArn"]
    url, arn = _queue(aws, "drops-inbox")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    event = {"bucket": BUCKET, "sns_topic_arn": topic, "providers": ["aws", "gcp"]}
    ok = [make_resource("aws", "eu-west-1", name="ok")]
    gcp = [make_resource("gcp", "europe-west1", name="lake")]

    def estate(gaps: list[tuple[str, str, str]], gcp_fails: bool) -> aws_lambda.ProviderFactory:
        def make(spec: ProviderSpec, session: Any) -> Provider:
            if spec.name == "gcp":
                if gcp_fails:
                    return FakeProvider(name="gcp", fail_with=PermissionError("token refused"))
                return FakeProvider(gcp, name="gcp")
            return FakeProvider(ok, gaps=gaps, name="aws")

        return make

    aws_lambda.run(event, lambda: 600_000, session=aws, factory=estate([], False))
    assert _messages(aws, url) == []
    gap = ("aws/1/me-south-1/*", "OptInRequired", "region me-south-1 is not enabled")
    summary = aws_lambda.run(event, lambda: 600_000, session=aws, factory=estate([gap], True))
    assert summary["exit_code"] == 3
    assert summary["not_audited"] == [
        "gcp: audited no scope (PermissionError at gcp/fake-account/*/*)"
    ]
    (note,) = _messages(aws, url)
    assert note["Subject"].startswith("cloudaudit us-foreign-adversaries: NOT AUDITED: gcp")
    text = note["Message"]
    assert "coverage dropped" in text
    assert "me-south-1/*/*/*: OptInRequired: region me-south-1 is not enabled" in text
    assert "Not audited at all (exit code 3" in text
    assert note["MessageAttributes"]["exit_code"]["Value"] == "3"
    assert note["MessageAttributes"]["coverage_dropped"]["Value"] == "true"


# --- bad input: typed event, policy files, stored reports ------------------------------------


@pytest.mark.parametrize(
    ("event", "named"),
    [
        ({"bucket": BUCKET, "safety_seconds": "soon"}, "safety_seconds from the event"),
        ({"bucket": BUCKET, "providers": [{"regions": ["x"]}]}, "providers.0.name"),
        ({"bucket": BUCKET, "options": {"us_dpf": "maybe"}}, "options.us_dpf"),
        ({"bucket": BUCKET, "polciy": "eu-gdpr"}, "polciy"),
        ({"bucket": ["a", "b"]}, "bucket from the event"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_an_ill_typed_event_names_the_field(aws: Any, event: Any, named: str) -> None:
    from cloudaudit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=re.escape(named)):
        aws_lambda.handler(event, _Context(60_000))


def test_an_ill_typed_environment_variable_is_named(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudaudit.errors import ConfigurationError

    monkeypatch.setenv("CLOUDAUDIT_SAFETY_SECONDS", "half a minute")
    with pytest.raises(ConfigurationError, match="environment variable CLOUDAUDIT_SAFETY_SECONDS"):
        aws_lambda.load_config({"bucket": BUCKET})
    monkeypatch.setenv("CLOUDAUDIT_PROVIDERS", '[{"name": "aws"')
    with pytest.raises(ConfigurationError, match="CLOUDAUDIT_PROVIDERS: not valid JSON"):
        aws_lambda.load_config({"bucket": BUCKET})


def test_a_scheduled_eventbridge_envelope_reads_the_environment(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_BUCKET", BUCKET)
    envelope = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",  # the shape of a Schedule event
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-12-02T05:00:00Z",
        "region": REGION,
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/daily"],
        "detail": {},
    }
    assert aws_lambda.load_config(envelope).bucket == BUCKET


@pytest.mark.parametrize(
    ("body", "problem"),
    [(None, "no such object"), (b"id: x\nname: \xff\xfe\n", "not UTF-8 text")],
)
def test_a_policy_in_s3_that_is_missing_or_not_utf8_is_named(
    aws: Any, body: bytes | None, problem: str
) -> None:
    from cloudaudit.errors import ConfigurationError

    uri = f"s3://{BUCKET}/policies/p.yaml"
    if body is not None:
        aws.client("s3").put_object(Bucket=BUCKET, Key="policies/p.yaml", Body=body)
    with pytest.raises(ConfigurationError, match=f"policy {re.escape(uri)}: {problem}"):
        aws_lambda.run(
            {"bucket": BUCKET, "policy": uri},
            lambda: 600_000,
            session=aws,
            factory=_factory({"aws": []}),
        )


def test_a_stored_previous_report_that_is_not_a_report_is_set_aside(aws: Any) -> None:
    s3 = aws.client("s3")
    s3.put_object(Bucket=BUCKET, Key="cloudaudit/latest.json", Body=b'{"hello": "world"}')
    estate = {"aws": [make_resource("aws", "ap-east-1", name="hk")]}
    summary = aws_lambda.run(
        {"bucket": BUCKET}, lambda: 600_000, session=aws, factory=_factory(estate)
    )
    (warning,) = summary["warnings"]
    assert "cloudaudit/latest.json is not a cloudaudit report" in warning
    aside = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="cloudaudit/set-aside/")["Contents"]
    ]
    assert len(aside) == 1 and aside[0].endswith("-latest.json")
    assert s3.get_object(Bucket=BUCKET, Key=aside[0])["Body"].read() == b'{"hello": "world"}'
    latest = Report.from_json(
        s3.get_object(Bucket=BUCKET, Key="cloudaudit/latest.json")["Body"].read()
    )
    assert latest.summary.violation == 1  # the new report is stored all the same
    assert summary["drift"]["new_violations"] == 1


# --- providers through the registry; Security Hub ---------------------------------------------


def test_the_default_factory_builds_any_registered_provider(aws: Any) -> None:
    from cloudaudit.errors import ConfigurationError
    from cloudaudit.providers.gcp import GcpProvider

    gcp = aws_lambda.default_factory(ProviderSpec(name="gcp", organization="123"), aws)
    assert isinstance(gcp, GcpProvider)
    with pytest.raises(ConfigurationError, match="unknown provider 'nope'"):
        aws_lambda.default_factory(ProviderSpec(name="nope"), aws)
    with pytest.raises(ConfigurationError, match="gcp does not accept"):
        aws_lambda.default_factory(ProviderSpec(name="gcp", regions=["x"]), aws)


def test_an_organization_event_chooses_its_inventory_path(aws: Any) -> None:
    """The event's ``inventory`` and ``aggregator_region`` are the CLI's two options."""
    from cloudaudit.errors import ConfigurationError
    from cloudaudit.providers.aws import AwsOrganization

    event = {
        "bucket": BUCKET,
        "providers": [
            {
                "name": "aws",
                "organization": True,
                "role_name": "CloudauditReadOnly",
                "inventory": "aggregated",
                "aggregator_region": "eu-west-1",
            }
        ],
    }
    [spec] = aws_lambda.parse_event(event).providers
    org = aws_lambda.default_factory(spec, aws)
    assert isinstance(org, AwsOrganization)
    assert (org.settings.inventory, org.settings.aggregator_home) == ("aggregated", "eu-west-1")
    bad = ProviderSpec(name="aws", organization=True, role_name="R", inventory="fast")
    with pytest.raises(ConfigurationError, match="inventory must be one of"):
        aws_lambda.default_factory(bad, aws)


def test_security_hub_sink_imports_and_updates(aws: Any) -> None:
    hub = aws.client("securityhub")
    hub.enable_security_hub()
    estate = {
        "aws": [
            make_resource("aws", "ap-east-1", name="hk", account="123456789012"),
            make_resource("aws", "eu-west-1", name="ie", account="123456789012"),
        ]
    }
    event = {"bucket": BUCKET, "security_hub": True}
    first = aws_lambda.run(event, lambda: 600_000, session=aws, factory=_factory(estate))
    assert first["security_hub"] == {"imported": 2, "failed": 0, "errors": []}
    second = aws_lambda.run(event, lambda: 600_000, session=aws, factory=_factory(estate))
    assert second["security_hub"]["imported"] == 2
    found = hub.get_findings()["Findings"]
    assert len(found) == 2  # updated, not duplicated
    assert {f["Compliance"]["Status"] for f in found} == {"FAILED", "PASSED"}


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"name": "aws", "regions": "eu-west-1"}, "regions"),
        ({"name": "aws", "max_attempts": "5"}, "max_attempts"),
        ({"name": "aws", "guardrails": "no"}, "guardrails"),
    ],
)
def test_a_provider_argument_of_the_wrong_json_type_is_refused_before_any_call(
    spec: dict[str, Any], named: str
) -> None:
    # JSON strings where a list, a number or true/false is meant used to be coerced or reach
    # the SDK, failing per scope as gaps; the provider's own signature is the contract
    from cloudaudit._lambda_event import ProviderSpec
    from cloudaudit.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        aws_lambda.default_factory(ProviderSpec(**spec), session=None)  # type: ignore[arg-type]
    message = str(info.value)
    assert f"providers: aws: {named}:" in message and "Fix:" in message
