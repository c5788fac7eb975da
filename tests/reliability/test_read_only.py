"""The suite-wide read-only recorder sees cloudaudit's calls to every cloud, refuses a write."""

from typing import Any

import pytest
from readonly_proof import (
    ALIBABA_CALLS,
    alibaba_not_allowed,
    azure_action,
    azure_not_allowed,
    gcp_not_allowed,
    gcp_permission,
    not_allowed,
)

from cloudaudit import audit


def test_recorder_sees_the_calls_of_the_fault_matrix(aws_read_only_proof: Any) -> None:
    import boto3
    from moto import mock_aws

    from cloudaudit.providers.aws import AwsProvider
    from cloudaudit.providers.aws.services import s3

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(
            Bucket="seeded-bucket"
        )  # test seeding
        session = boto3.Session(region_name="us-east-1")
        audit(
            AwsProvider(session=session, regions=["us-east-1"], collectors=s3.COLLECTORS),
            "eea-only",
        )
    assert ("s3", "ListBuckets") in aws_read_only_proof
    assert ("s3", "CreateBucket") not in aws_read_only_proof  # seeding is not cloudaudit's


def test_a_write_or_an_unlisted_read_is_refused() -> None:
    assert not_allowed({("s3", "ListBuckets")}) == []
    assert not_allowed({("s3", "PutBucketPolicy")}) == ["s3:PutBucketPolicy"]
    assert not_allowed({("ec2", "DescribeSecurityGroups")}) == ["ec2:DescribeSecurityGroups"]


def test_gcp_requests_are_recorded_and_mapped_to_listed_permissions() -> None:
    pytest.importorskip("google.cloud.asset_v1")
    from gcp_fake import REQUESTS, FakeGcp
    from google.auth.credentials import AnonymousCredentials

    from cloudaudit.providers.gcp import GcpProvider, default_retry

    fake = FakeGcp()
    fake.add_project("ro-proof", 4242)
    fake.add_bucket("ro-proof", "ro-bucket", "europe-west1")
    fake.asset_disabled.add("projects/ro-proof")  # the fallback path is recorded too
    with fake.serve():
        provider = GcpProvider(
            credentials=AnonymousCredentials(),
            projects=["ro-proof"],
            client_options={"api_endpoint": fake.url},
            retry=default_retry(initial=0.0, maximum=0.0, timeout=1.0),
        )
        audit(provider, "eea-only")
    seen = {gcp_permission(m, p) for m, p in REQUESTS if "ro-proof" in p}
    assert {
        "resourcemanager.projects.get",
        "cloudasset.assets.searchAllResources",
        "compute.instances.list",
    } <= seen
    assert ("GET", "/storage/v1/b") in REQUESTS
    assert gcp_not_allowed({("GET", "/v3/projects/ro-proof")}) == []
    assert gcp_not_allowed({("DELETE", "/v3/projects/ro-proof")})
    assert gcp_not_allowed({("POST", "/storage/v1/b")})
    assert gcp_not_allowed({("GET", "/v1/projects/x:exportAssets")})


def test_azure_actions_are_mapped_and_writes_refused() -> None:
    sql = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/db"
    assert azure_action("GET", "/subscriptions") == "Microsoft.Resources/subscriptions/read"
    assert azure_action("GET", "/subscriptions/s/locations") == (
        "Microsoft.Resources/subscriptions/locations/read"
    )
    assert azure_action("GET", f"{sql}/failoverGroups") == (
        "Microsoft.Sql/servers/failoverGroups/read"
    )
    assert azure_not_allowed({("GET", f"{sql}/replicationLinks")}) == []
    assert azure_not_allowed({("PUT", sql)}) == ["Microsoft.Sql/servers/write"]
    assert azure_not_allowed({("GET", f"{sql}/firewallRules")}) == [
        "Microsoft.Sql/servers/firewallRules/read"
    ]


def test_azure_requests_are_recorded(tmp_path: Any) -> None:
    pytest.importorskip("azure.mgmt.resource")
    from azure_fake import REQUESTS, FakeARM, Tenant

    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    sub = "99999999-0000-0000-0000-000000000009"
    tenant = Tenant(subscriptions=[{"id": f"/subscriptions/{sub}", "subscriptionId": sub}])
    with FakeARM(tenant, tmp_path) as fake:
        provider = AzureProvider(
            StaticTokenCredential("t"),
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            retry_total=0,
        )
        audit(provider, "eea-only")
    assert ("GET", "/subscriptions") in REQUESTS
    assert ("POST", "/providers/Microsoft.ResourceGraph/resources") in REQUESTS
    assert azure_not_allowed(REQUESTS) == []


def test_alibaba_calls_are_recorded_and_unlisted_ones_refused() -> None:
    pytest.importorskip("alibabacloud_ecs20140526")
    from alibaba_fake import KEY_ID, SECRET, FakeAlibaba, Server

    from cloudaudit.providers.alibaba import AlibabaProvider

    fake = FakeAlibaba(regions=["cn-hangzhou"])
    with Server(fake) as srv:
        audit(
            AlibabaProvider(KEY_ID, SECRET, regions=["cn-hangzhou"], endpoint=srv.url), "eea-only"
        )
    assert {("ecs", "DescribeInstances"), ("oss", "ListBuckets")} <= ALIBABA_CALLS
    assert alibaba_not_allowed({("ecs", "DescribeInstances"), ("sts", "GetCallerIdentity")}) == []
    assert alibaba_not_allowed({("ecs", "DeleteInstance")}) == ["ecs:DeleteInstance"]
    assert alibaba_not_allowed({("ecs", "DescribeSecurityGroups")}) == [
        "ecs:DescribeSecurityGroups"
    ]
