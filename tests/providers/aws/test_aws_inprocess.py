"""In-process moto (mock_aws) tests of the S3 and EC2 collectors and the core's parts."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore import parsers
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from cloudaudit.catalog import locate
from cloudaudit.errors import ConfigurationError
from cloudaudit.models import LocationKind
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws._base import AwsContext
from cloudaudit.providers.aws._clients import ClientCache, make_config
from cloudaudit.providers.aws._errors import RegionRefused, classify
from cloudaudit.providers.aws._partitions import home_region, partition_of
from cloudaudit.providers.aws.services import ec2, s3
from tests.providers.aws.estate import create_buckets, replicate

ACCOUNT = "123456789012"


def ctx_for(session: boto3.Session, region: str, partition: str = "aws") -> AwsContext:
    cache = ClientCache(session, make_config(4))
    return AwsContext(
        ACCOUNT, partition, region, cache.for_region(region), (region,), client_in=cache.get
    )


def test_bucket_region_normalises_legacy_values() -> None:
    assert s3.bucket_region(None) == "us-east-1"
    assert s3.bucket_region("") == "us-east-1"
    assert s3.bucket_region("EU") == "eu-west-1"
    assert s3.bucket_region("ap-east-1") == "ap-east-1"


def test_replication_destinations_reads_every_rule() -> None:
    config = {
        "Role": "arn:aws:iam::123456789012:role/r",
        "Rules": [
            {"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::hk-copy"}},
            {"Status": "Disabled", "Destination": {"Bucket": "arn:aws:s3:::old-copy"}},
            {"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::hk-copy"}},
        ],
    }
    assert s3.replication_destinations(config) == ["hk-copy", "old-copy"]
    assert s3.replication_destinations(None) == []


# The documented ListBuckets response shape (S3 API reference, 2024+), with BucketRegion.
# moto never returns BucketRegion, so this path is tested by parsing this XML with botocore's
# own rest-xml parser and running the collector on the parsed page against moto.
LIST_BUCKETS_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Buckets>
    <Bucket><Name>hk-data</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate>
      <BucketRegion>ap-east-1</BucketRegion></Bucket>
    <Bucket><Name>eu-data</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate>
      <BucketRegion>eu-west-1</BucketRegion></Bucket>
  </Buckets>
  <Owner><ID>abc</ID></Owner>
  <ContinuationToken>next-page</ContinuationToken>
</ListAllMyBucketsResult>"""


def test_bucket_region_from_documented_list_buckets_shape(
    aws: None, recorded_session: boto3.Session
) -> None:
    model = recorded_session.client("s3").meta.service_model.operation_model("ListBuckets")
    page = parsers.create_parser("rest-xml").parse(
        {"body": LIST_BUCKETS_XML, "headers": {}, "status_code": 200}, model.output_shape
    )
    assert page["ContinuationToken"] == "next-page"
    seed = boto3.client("s3", region_name="us-east-1")
    for b in page["Buckets"]:
        seed.create_bucket(
            Bucket=b["Name"], CreateBucketConfiguration={"LocationConstraint": b["BucketRegion"]}
        )
    calls: list[str] = []
    recorded_session.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    signed_in: list[str] = []
    recorded_session.events.register(
        "before-call.s3.GetBucketReplication",
        lambda request_signer, **_: signed_in.append(request_signer.region_name),
    )
    ctx = ctx_for(recorded_session, "us-east-1")
    facts = [s3._facts(ctx, b) for b in page["Buckets"]]
    assert [(f.name, f.region) for f in facts] == [
        ("hk-data", "ap-east-1"),
        ("eu-data", "eu-west-1"),
    ]
    assert "GetBucketLocation" not in calls  # BucketRegion was used
    assert calls.count("GetBucketReplication") == 2
    # each bucket's replication is read in the bucket's own region (ctx.client_in)
    assert signed_in == ["ap-east-1", "eu-west-1"]


def test_client_in_is_the_shared_client_of_any_region() -> None:
    ctx = ctx_for(boto3.Session(region_name="us-east-1"), "us-east-1")
    hk = ctx.client_in("s3", "ap-east-1")
    assert hk.meta.region_name == "ap-east-1"
    assert ctx.client_in("s3", "ap-east-1") is hk  # cached, shared
    assert ctx.client_in("s3", "us-east-1") is ctx.client("s3")


def test_hand_built_context_client_in_falls_back_to_its_one_client() -> None:
    made: list[str] = []
    ctx = AwsContext(ACCOUNT, "aws", "eu-west-1", lambda s: made.append(s) or s)
    assert ctx.client_in("s3", "ap-east-1") == "s3"
    assert made == ["s3"]
    assert ctx.map(str.upper, ["a", "b"]) == ["A", "B"]  # the default map: one by one


def test_list_buckets_with_location_and_replication(
    aws: None, recorded_session: boto3.Session
) -> None:
    seed = boto3.client("s3", region_name="us-east-1")
    create_buckets(seed, {"plain-us": None, "hk-dest": "ap-east-1", "src-us": None})
    replicate(seed, "src-us", "hk-dest", ACCOUNT)
    got = {r.name: r for r in s3.list_buckets(ctx_for(recorded_session, "us-east-1"))}
    assert set(got) == {"plain-us", "hk-dest", "src-us"}
    assert got["plain-us"].location.region == "us-east-1"
    assert got["plain-us"].data_locations == ()
    assert got["hk-dest"].location.region == "ap-east-1"
    assert [loc.region for loc in got["src-us"].data_locations] == ["ap-east-1"]
    assert got["src-us"].id == "arn:aws:s3:::src-us"


def test_replica_in_unreadable_bucket_is_an_unknown_copy(
    aws: None, recorded_session: boto3.Session
) -> None:
    seed = boto3.client("s3", region_name="us-east-1")
    seed.create_bucket(Bucket="src-us")
    replicate(seed, "src-us", "gone-elsewhere", ACCOUNT)
    (res,) = s3.list_buckets(ctx_for(recorded_session, "us-east-1"))
    assert [loc.kind for loc in res.data_locations] == [LocationKind.UNKNOWN]
    assert res.data_locations[0].region is None


def test_to_resource_uses_the_partition_in_arns() -> None:
    ctx = AwsContext(ACCOUNT, "aws-cn", "cn-north-1", lambda s: None)
    res = s3.to_resource(ctx, s3.BucketFacts("cn-bucket", "cn-northwest-1", (None,)))
    assert res.id == "arn:aws-cn:s3:::cn-bucket"
    assert res.location.region == "cn-northwest-1"
    assert res.data_locations[-1].kind is LocationKind.UNKNOWN
    unknown = s3.to_resource(ctx, s3.BucketFacts("lost", None, (None,)))
    assert unknown.location.kind is LocationKind.UNKNOWN and unknown.location.region is None


def test_ec2_collectors_list_instances_volumes_snapshots_images(
    aws: None, recorded_session: boto3.Session
) -> None:
    seed = boto3.client("ec2", region_name="us-east-1")
    image = seed.register_image(Name="golden", RootDeviceName="/dev/sda1")["ImageId"]
    run = seed.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        Placement={"AvailabilityZone": "us-east-1b"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )
    instance_id = run["Instances"][0]["InstanceId"]
    vol = seed.create_volume(AvailabilityZone="us-east-1c", Size=8)["VolumeId"]
    snap = seed.create_snapshot(VolumeId=vol)["SnapshotId"]
    hk = boto3.client("ec2", region_name="ap-east-1")
    copy = hk.copy_snapshot(SourceSnapshotId=snap, SourceRegion="us-east-1")["SnapshotId"]

    us = ctx_for(recorded_session, "us-east-1")
    instances = ec2.list_instances(us)
    web = next(r for r in instances if r.id.endswith(instance_id))
    assert (web.name, web.location.zone, web.location.kind) == (
        "web",
        "us-east-1b",
        LocationKind.ZONE,
    )
    assert web.id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance_id}"
    vols = {r.name: r for r in ec2.list_volumes(us)}
    assert vols[vol].location.zone == "us-east-1c"
    assert snap in [r.name for r in ec2.list_snapshots(us)]  # (the AMI adds its own snapshot)
    (golden,) = ec2.list_images(us)
    assert (golden.name, golden.id) == ("golden", f"arn:aws:ec2:us-east-1::image/{image}")

    hk_snaps = ec2.list_snapshots(ctx_for(recorded_session, "ap-east-1"))
    assert [(r.name, r.location.region) for r in hk_snaps] == [(copy, "ap-east-1")]


def test_local_zone_instance_resolves_through_the_catalog() -> None:
    ctx = AwsContext(ACCOUNT, "aws", "us-east-1", lambda s: None)
    raw: dict[str, Any] = {
        "InstanceId": "i-0123456789abcdef0",
        "Placement": {"AvailabilityZone": "us-east-1-bue-1a"},
    }
    res = ec2.instance_to_resource(ctx, raw)
    assert res.location.zone == "us-east-1-bue-1a"
    assert locate("aws", res.location.region, res.location.zone).country == "AR"


def test_partitions_and_home_regions() -> None:
    assert partition_of("cn-northwest-1") == "aws-cn"
    assert partition_of("us-gov-east-1") == "aws-us-gov"
    assert partition_of("eusc-de-east-1") == "aws-eusc"
    assert partition_of("ap-east-1") == "aws"
    assert [home_region(p) for p in ("aws", "aws-cn", "aws-us-gov", "aws-eusc")] == [
        "us-east-1",
        "cn-north-1",
        "us-gov-west-1",
        "eusc-de-east-1",
    ]


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeVolumes")


def test_classifier_maps_botocore_errors() -> None:
    assert classify(_client_error("AccessDenied", "explicit deny in an SCP")) == (
        "AccessDenied",
        "explicit deny in an SCP",
    )
    assert classify(ConnectTimeoutError(endpoint_url="https://ec2.x"))[0] == "Timeout"  # type: ignore[index]
    assert classify(ReadTimeoutError(endpoint_url="https://ec2.x"))[0] == "Timeout"  # type: ignore[index]
    assert (
        classify(EndpointConnectionError(endpoint_url="https://ec2.x"))[0]
        == "EndpointConnectionError"
    )  # type: ignore[index]
    assert classify(NoCredentialsError())[0] == "NoCredentials"  # type: ignore[index]
    assert classify(RegionRefused("me-south-1", "OptInRequired", "nope"))[0] == "OptInRequired"  # type: ignore[index]
    assert classify(ValueError("not botocore")) is None


def test_an_unparsable_answer_is_one_readable_line() -> None:
    """botocore puts the body on a second line as a bytes literal: "...may succeed:\\nb'<html>"."""
    from botocore.parsers import ResponseParserError

    body = b"<html><head><title>502 Bad Gateway</title></head>\n<body>proxy</body></html>"
    exc = ResponseParserError(
        "Unable to parse response (syntax error: line 1, column 0), invalid XML received. "
        f"Further retries may succeed:\n{body!r}"
    )
    code, message = classify(exc)  # type: ignore[misc]
    assert code == "MalformedResponse"
    assert message == (
        "the answer could not be parsed: Unable to parse response (syntax error: line 1, "
        "column 0), invalid XML received; it began: <html><head><title>502 Bad Gateway"
        "</title></head> <body>proxy</body></html>"
    )


def test_unknown_service_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown AWS service"):
        AwsProvider(session=boto3.Session(region_name="us-east-1"), services=["s4"])


def test_client_cache_builds_each_client_once() -> None:
    cache = ClientCache(boto3.Session(region_name="us-east-1"), make_config(8))
    a = cache.get("ec2", "eu-west-1")
    assert cache.get("ec2", "eu-west-1") is a
    assert cache.get("ec2", "eu-west-2") is not a
    assert cache.built() == 2
    assert a.meta.config.max_pool_connections == 10
    assert a.meta.config.retries["mode"] == "adaptive"
    assert (a.meta.config.connect_timeout, a.meta.config.read_timeout) == (5, 20)


def test_packaged_iam_policy_lists_every_collector_action() -> None:
    from cloudaudit.providers.aws._iam import load_policy_document, policy_document
    from cloudaudit.providers.aws.services import all_collectors

    assert load_policy_document() == policy_document(all_collectors())
    actions = load_policy_document()["Statement"][0]["Action"]
    verbs = ("List", "Describe", "Get", "Head", "Search", "SelectAggregateResourceConfig")
    assert all(a.split(":", 1)[1].startswith(verbs) for a in actions), actions


def test_docs_show_the_packaged_iam_policy() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    policy = (root / "cloudaudit/providers/aws/iam_policy.json").read_text().strip()
    assert policy in (root / "docs/providers/aws.md").read_text()
