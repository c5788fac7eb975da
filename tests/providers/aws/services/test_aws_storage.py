from __future__ import annotations

import json

import boto3

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws._base import AwsContext
from cloudaudit.providers.aws.services import efs, fsx, glacier

(EFS,) = efs.COLLECTORS
FSX, FSX_BACKUPS = fsx.COLLECTORS
(GLACIER,) = glacier.COLLECTORS


REPLICATIONS = "/file-systems/replication-configurations"


def _efs_run(region: str) -> dict[str, object]:
    """Run the EFS collector against the moto server (AWS_ENDPOINT_URL) in ``region``."""
    session = boto3.Session()
    clients: dict[tuple[str, str], object] = {}

    def client(service: str, where: str = region) -> object:
        if (service, where) not in clients:
            clients[(service, where)] = session.client(service, region_name=where)
        return clients[(service, where)]

    ctx = AwsContext(
        account="123456789012", partition="aws", region=region, client=client, client_in=client
    )
    return {r.name: r for r in EFS.run(ctx)}


# moto does not implement DescribeReplicationConfigurations: the moto server's middleware
# answers it with bodies of the documented shape, and the real client parses them over HTTP.
def test_efs_regional_and_one_zone(aws_http):
    aws_http.answer(REPLICATIONS, lambda region: (200, {"Replications": []}))
    us = boto3.client("efs", region_name="us-east-1")
    eu = boto3.client("efs", region_name="eu-west-1")
    us.create_file_system(CreationToken="shared", Tags=[{"Key": "Name", "Value": "shared"}])
    us.create_file_system(
        CreationToken="zonal",
        AvailabilityZoneName="us-east-1c",
        Tags=[{"Key": "Name", "Value": "zonal"}],
    )
    eu.create_file_system(CreationToken="eu", Tags=[{"Key": "Name", "Value": "eu-home"}])

    in_us = _efs_run("us-east-1")
    in_eu = _efs_run("eu-west-1")

    shared, zonal = in_us["shared"], in_us["zonal"]
    assert shared.location.kind is LocationKind.REGION
    assert shared.id.startswith("arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-")
    assert (zonal.location.region, zonal.location.zone) == ("us-east-1", "us-east-1c")
    assert zonal.tags == {"Name": "zonal"}
    home = in_eu["eu-home"]
    assert home.location.region == "eu-west-1"
    assert home.id.startswith("arn:aws:elasticfilesystem:eu-west-1:")
    assert shared.data_locations == ()
    assert ("elasticfilesystem", "us-east-1", f"GET /2015-02-01{REPLICATIONS}?") in aws_http.log


def test_efs_replication_destinations_are_copies(aws_http):
    ids: dict[str, str] = {}

    def answer(region: str) -> tuple[int, object]:
        if region != "us-east-1":
            return 200, {"Replications": []}
        source = {
            "SourceFileSystemId": ids["src"],
            "SourceFileSystemRegion": "us-east-1",
            "SourceFileSystemArn": f"arn:aws:elasticfilesystem:us-east-1:1:fs/{ids['src']}",
            "OriginalSourceFileSystemArn": "arn:aws:elasticfilesystem:us-east-1:1:fs/x",
            "CreationTime": 1700000000,
            "Destinations": [
                {"Status": "ENABLED", "FileSystemId": "fs-0dest", "Region": "ap-east-1"}
            ],
        }
        return 200, {"Replications": [source]}

    aws_http.answer(REPLICATIONS, answer)
    us = boto3.client("efs", region_name="us-east-1")
    ids["src"] = us.create_file_system(CreationToken="src", Tags=[{"Key": "Name", "Value": "src"}])[
        "FileSystemId"
    ]
    us.create_file_system(CreationToken="other", Tags=[{"Key": "Name", "Value": "other"}])
    found = _efs_run("us-east-1")
    assert [c.region for c in found["src"].data_locations] == ["ap-east-1"]
    assert found["other"].data_locations == ()


def test_efs_replication_read_failure_is_an_unknown_copy_not_a_lost_file_system(aws_http):
    aws_http.answer(
        REPLICATIONS,
        lambda region: (403, {"__type": "AccessDeniedException", "message": "denied"}),
    )
    boto3.client("efs", region_name="us-east-1").create_file_system(CreationToken="x")
    (fs,) = _efs_run("us-east-1").values()
    (copy,) = fs.data_locations
    assert copy.kind is LocationKind.UNKNOWN
    assert copy.note == (
        "elasticfilesystem:DescribeReplicationConfigurations on region us-east-1 failed: "
        "AccessDeniedException"
    )


def test_replication_map_is_pure():
    reps = [
        {
            "SourceFileSystemId": "fs-1",
            "Destinations": [{"Region": "eu-west-1"}, {"Region": "eu-west-1"}],
        },
        {"SourceFileSystemId": "fs-1", "Destinations": [{"Region": "ap-east-1"}]},
        {"Destinations": [{"Region": "us-east-1"}]},
    ]
    assert efs.replication_map(reps) == {"fs-1": ["eu-west-1", "ap-east-1"]}


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


def test_fsx_multi_az_is_regional_and_unknown_subnet_is_an_unknown_location(aws):
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
    # a subnet the answer left out: the zone (and the place) is unknown, the file system kept
    res = fsx.to_resource(raw, aws.ctx("eu-west-1"), {})
    assert res.location.kind is LocationKind.UNKNOWN
    assert res.location.note == (
        "ec2:DescribeSubnets on subnet subnet-0aaaaaaaaaaaaaaaa failed: NotReturned"
    )


def test_fsx_backup_copies_are_backups_in_their_region(aws):
    subnet = _subnet(aws, "ap-east-1", "ap-east-1a")
    hk = aws.client("fsx", "ap-east-1")
    fs_id = hk.create_file_system(
        FileSystemType="LUSTRE", StorageCapacity=1200, SubnetIds=[subnet]
    )["FileSystem"]["FileSystemId"]
    hk.create_backup(FileSystemId=fs_id, Tags=[{"Key": "Name", "Value": "nightly"}])
    found = aws.run(FSX_BACKUPS, "ap-east-1")
    assert found["nightly"].location.region == "ap-east-1"
    assert found["nightly"].type == "backup"
    # A copy made by CopyBackup is listed in its destination region; botocore's fsx model
    # (service-2.json, shape Backup) gives SourceBackupId / SourceBackupRegion for it.
    copied = {
        "BackupId": "backup-0fedcba9876543210",
        "Lifecycle": "AVAILABLE",
        "Type": "USER_INITIATED",
        "ResourceARN": "arn:aws:fsx:ap-east-1:123456789012:backup/backup-0fedcba9876543210",
        "SourceBackupId": "backup-0123456789abcdef0",
        "SourceBackupRegion": "eu-west-1",
        "CreationTime": "2026-11-30T02:00:00Z",
        "FileSystem": {"FileSystemId": "fs-0123456789abcdef0", "FileSystemType": "LUSTRE"},
    }
    res = fsx.backup_to_resource(copied, aws.ctx("ap-east-1"))
    assert (res.location.region, res.id) == ("ap-east-1", copied["ResourceARN"])


def test_glacier_vaults(aws):
    aws.client("glacier", "us-east-1").create_vault(vaultName="archive")
    aws.client("glacier", "eu-west-1").create_vault(vaultName="archive")

    for region in ("us-east-1", "eu-west-1"):
        vault = aws.run(GLACIER, region)["archive"]
        assert vault.id == f"arn:aws:glacier:{region}:123456789012:vaults/archive"
        assert vault.location.region == region


def test_a_replication_destination_holds_the_data_of_its_source_region():
    # DescribeReplicationConfigurations as the EFS API Reference documents it: the destination
    # file system (in ap-east-1) is a copy of fs-1, whose region also holds the data.
    reps = [
        {
            "SourceFileSystemId": "fs-1",
            "SourceFileSystemRegion": "eu-west-1",
            "Destinations": [{"Region": "ap-east-1", "FileSystemId": "fs-2", "Status": "ENABLED"}],
        }
    ]
    assert efs.replication_map(reps) == {"fs-1": ["ap-east-1"], "fs-2": ["eu-west-1"]}
