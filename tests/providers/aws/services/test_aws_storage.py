from __future__ import annotations

import json

import pytest

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws.services import efs, fsx, glacier

(EFS,) = efs.COLLECTORS
(FSX,) = fsx.COLLECTORS
(GLACIER,) = glacier.COLLECTORS


def test_efs_regional_and_one_zone(aws):
    us, eu = aws.client("efs", "us-east-1"), aws.client("efs", "eu-west-1")
    us.create_file_system(CreationToken="shared", Tags=[{"Key": "Name", "Value": "shared"}])
    us.create_file_system(
        CreationToken="zonal",
        AvailabilityZoneName="us-east-1c",
        Tags=[{"Key": "Name", "Value": "zonal"}],
    )
    eu.create_file_system(CreationToken="eu", Tags=[{"Key": "Name", "Value": "eu-home"}])

    in_us = aws.run(EFS, "us-east-1")
    in_eu = aws.run(EFS, "eu-west-1")

    shared, zonal = in_us["shared"], in_us["zonal"]
    assert shared.location.kind is LocationKind.REGION
    assert shared.id.startswith("arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-")
    assert (zonal.location.region, zonal.location.zone) == ("us-east-1", "us-east-1c")
    assert zonal.tags == {"Name": "zonal"}
    home = in_eu["eu-home"]
    assert home.location.region == "eu-west-1"
    assert home.id.startswith("arn:aws:elasticfilesystem:eu-west-1:")


def _subnet(aws, region, zone):
    ec2 = aws.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=zone)["Subnet"][
        "SubnetId"
    ]


def test_fsx_single_subnet_file_systems_carry_their_zone(aws):
    for region, zone in (("us-east-1", "us-east-1d"), ("ap-southeast-2", "ap-southeast-2b")):
        subnet = _subnet(aws, region, zone)
        aws.client("fsx", region).create_file_system(
            FileSystemType="LUSTRE",
            StorageCapacity=1200,
            SubnetIds=[subnet],
            Tags=[{"Key": "Name", "Value": f"scratch-{region}"}],
        )

    for region, zone in (("us-east-1", "us-east-1d"), ("ap-southeast-2", "ap-southeast-2b")):
        found = aws.run(FSX, region)
        res = found[f"scratch-{region}"]
        assert (res.location.region, res.location.zone) == (region, zone)
        assert res.id.startswith(f"arn:aws:fsx:{region}:123456789012:file-system/fs-")


def test_fsx_multi_az_is_regional_and_unknown_subnet_raises(aws):
    raw = json.loads(
        """{
        "FileSystemId": "fs-0123456789abcdef0",
        "FileSystemType": "WINDOWS",
        "ResourceARN": "arn:aws:fsx:eu-west-1:123456789012:file-system/fs-0123456789abcdef0",
        "SubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        "WindowsConfiguration": {"DeploymentType": "MULTI_AZ_1",
                                 "PreferredSubnetId": "subnet-0aaaaaaaaaaaaaaaa"}
    }"""
    )
    res = fsx.to_resource(raw, aws.ctx("eu-west-1"), {})
    assert res.location.kind is LocationKind.REGION
    assert res.name == "fs-0123456789abcdef0"
    raw["SubnetIds"] = ["subnet-0aaaaaaaaaaaaaaaa"]
    with pytest.raises(LookupError, match="subnet-0aaaaaaaaaaaaaaaa"):
        fsx.to_resource(raw, aws.ctx("eu-west-1"), {})


def test_glacier_vaults(aws):
    aws.client("glacier", "us-east-1").create_vault(vaultName="archive")
    aws.client("glacier", "eu-west-1").create_vault(vaultName="archive")

    for region in ("us-east-1", "eu-west-1"):
        vault = aws.run(GLACIER, region)["archive"]
        assert vault.id == f"arn:aws:glacier:{region}:123456789012:vaults/archive"
        assert vault.location.region == region
