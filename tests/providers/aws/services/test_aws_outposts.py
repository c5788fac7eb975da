"""Resources on an AWS Outpost stand on the customer's premises: unknown unless mapped."""

from __future__ import annotations

from cloudaudit.models import LocationKind, Status
from cloudaudit.policies import evaluate_resources, load_policy, policy_from_mapping
from cloudaudit.providers.aws.services import ec2

OUTPOST = "arn:aws:outposts:eu-central-1:123456789012:outpost/op-0ab12c3d4e5f67890"


def test_instance_and_volume_on_an_outpost_are_on_premises(aws):
    # DescribeInstances / DescribeVolumes (botocore ec2 model, shapes Instance and Volume):
    # OutpostArn is set for a resource launched on an Outpost.
    instance = {
        "InstanceId": "i-0outpost000000001",
        "Placement": {"AvailabilityZone": "eu-central-1a", "Tenancy": "default"},
        "OutpostArn": OUTPOST,
        "State": {"Code": 16, "Name": "running"},
    }
    volume = {
        "VolumeId": "vol-0outpost00000001",
        "AvailabilityZone": "eu-central-1a",
        "OutpostArn": OUTPOST,
        "Size": 100,
        "State": "in-use",
    }
    ctx = aws.ctx("eu-central-1")
    vm = ec2.instance_to_resource(ctx, instance)
    disk = ec2.volume_to_resource(ctx, volume)
    for res in (vm, disk):
        assert (res.location.site, res.location.kind) == (OUTPOST, LocationKind.UNKNOWN)
        assert res.location.region == "eu-central-1"

    findings = list(evaluate_resources([vm, disk], load_policy("eu-gdpr")))
    assert {f.status for f in findings} == {Status.UNKNOWN}  # never the parent's Germany
    assert all("customer premises" in " ".join(f.reasons) for f in findings)

    mapped = policy_from_mapping(
        {"id": "p", "allowed": ["eea"], "premises": {"op-0ab12c3d4e5f67890": "AT"}}
    )
    findings = list(evaluate_resources([vm, disk], mapped))
    assert {f.status for f in findings} == {Status.COMPLIANT}
    assert "Austria (AT)" in " ".join(findings[0].reasons)

    in_region = ec2.instance_to_resource(ctx, {**instance, "OutpostArn": None})
    assert in_region.location.site is None and in_region.location.zone == "eu-central-1a"
