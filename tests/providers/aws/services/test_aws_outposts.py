"""Resources on an AWS Outpost stand on the customer's premises: unknown unless mapped."""

from __future__ import annotations

from cloudaudit.models import LocationKind, Status
from cloudaudit.policies import evaluate_resources, load_policy, policy_from_mapping
from cloudaudit.providers.aws.services import ec2, elasticache, rds

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


def test_an_ami_whose_snapshots_are_on_an_outpost_is_on_premises(aws):
    # DescribeImages (botocore ec2 model, shape Image): an AMI of an Outpost keeps its EBS
    # snapshots there, named by BlockDeviceMappings[].Ebs.OutpostArn
    image = {
        "ImageId": "ami-0outpost00000001",
        "Name": "golden",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-1", "OutpostArn": OUTPOST}}
        ],
    }
    res = ec2.image_to_resource(aws.ctx("eu-central-1"), image)
    assert (res.location.site, res.location.kind) == (OUTPOST, LocationKind.UNKNOWN)
    plain = {**image, "BlockDeviceMappings": [{"Ebs": {"SnapshotId": "snap-2"}}]}
    assert ec2.image_to_resource(aws.ctx("eu-central-1"), plain).location.site is None


def test_elasticache_and_rds_on_an_outpost_are_on_premises(aws):
    # ElastiCache on Outposts: CacheCluster.PreferredOutpostArn (or a node's
    # CustomerOutpostArn); RDS on Outposts: the instance's subnet group holds Outpost subnets
    # (DBSubnetGroup.Subnets[].SubnetOutpost.Arn). Shapes from botocore's elasticache and rds
    # models.
    ctx = aws.ctx("eu-central-1")
    cache = elasticache.to_resource(
        {"CacheClusterId": "edge-cache", "PreferredOutpostArn": OUTPOST}, ctx
    )
    node = elasticache.to_resource(
        {"CacheClusterId": "edge-node", "CacheNodes": [{"CustomerOutpostArn": OUTPOST}]}, ctx
    )
    subnet = {"SubnetIdentifier": "subnet-1", "SubnetOutpost": {"Arn": OUTPOST}}
    db = rds.to_instance(
        {
            "DBInstanceIdentifier": "edge-db",
            "AvailabilityZone": "eu-central-1a",
            "DBSubnetGroup": {"DBSubnetGroupName": "outpost", "Subnets": [subnet]},
        },
        ctx,
    )
    for res in (cache, node, db):
        assert (res.location.site, res.location.kind) == (OUTPOST, LocationKind.UNKNOWN)
    in_region = {"SubnetIdentifier": "subnet-2", "SubnetOutpost": {}}
    plain = rds.to_instance(
        {"DBInstanceIdentifier": "db", "DBSubnetGroup": {"Subnets": [in_region]}}, ctx
    )
    assert plain.location.site is None
