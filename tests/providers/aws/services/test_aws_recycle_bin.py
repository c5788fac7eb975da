"""Snapshots and AMIs kept in the EC2 Recycle Bin are data in their region: listed, judged.

``DescribeSnapshots`` and ``DescribeImages`` leave out what a retention rule keeps after a
delete; ``ListSnapshotsInRecycleBin`` and ``ListImagesInRecycleBin`` list it (moto does not
serve them: ``tests/moto_recycle_bin.py`` answers in EC2's documented shape). A Hong Kong
snapshot kept for two weeks after its volume and every other resource there were deleted
is a violation of a policy that forbids Hong Kong; a refused Recycle Bin listing is a gap of
its own, and what the other listings read is kept.
"""

from __future__ import annotations

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT
from moto.core import set_initial_no_auth_action_count
from moto_recycle_bin import recycle_image, recycle_snapshot

from cloudaudit import Report, audit
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws.services import ec2

pytestmark = pytest.mark.usefixtures("recycle_bin")

BIN_SNAPSHOTS, BIN_IMAGES = ec2.COLLECTORS[4], ec2.COLLECTORS[5]


def test_the_collectors_are_the_recycle_bin_listings() -> None:
    assert (BIN_SNAPSHOTS.name, BIN_IMAGES.name) == ("recycle-bin-snapshots", "recycle-bin-images")


def test_recycled_snapshots_and_images_are_listed_in_their_region(aws):  # type: ignore[no-untyped-def]
    recycle_snapshot(ACCOUNT, "ap-east-1", "snap-01234567890abcdef")
    recycle_image(ACCOUNT, "ap-east-1", "ami-01234567890abcdef")
    snaps = aws.run(BIN_SNAPSHOTS, "ap-east-1")
    images = aws.run(BIN_IMAGES, "ap-east-1")
    (snap,) = snaps.values()
    assert snap.type == "snapshot" and snap.location.region == "ap-east-1"
    assert snap.id == "arn:aws:ec2:ap-east-1::snapshot/snap-01234567890abcdef"
    assert snap.name == "snap-01234567890abcdef (in the Recycle Bin until 2026-12-04)"
    (image,) = images.values()
    assert image.id == "arn:aws:ec2:ap-east-1::image/ami-01234567890abcdef"
    assert image.name == "AMI_01 (in the Recycle Bin until 2026-11-21)"
    assert aws.run(BIN_SNAPSHOTS, "eu-west-1") == {} and aws.run(BIN_IMAGES, "eu-west-1") == {}


def test_every_page_of_the_bin_is_read(aws):  # type: ignore[no-untyped-def]
    for i in range(1_205):  # more than one page of 1,000
        recycle_snapshot(ACCOUNT, "eu-west-1", f"snap-{i:017x}")
    assert len(aws.run(BIN_SNAPSHOTS, "eu-west-1")) == 1_205


def _provider(session: boto3.Session) -> AwsProvider:
    return AwsProvider(session, regions=["us-east-1", "ap-east-1"], services=["ec2"])


def test_a_snapshot_kept_in_hong_kong_violates(aws):  # type: ignore[no-untyped-def]
    recycle_snapshot(ACCOUNT, "ap-east-1", "snap-01234567890abcdef")
    report = audit(_provider(aws.session), "us-foreign-adversaries")
    (bad,) = report.violations
    assert bad.resource.name.startswith("snap-01234567890abcdef (in the Recycle Bin")
    assert report.complete


def test_a_refused_bin_listing_is_a_gap_and_the_rest_is_kept(aws):  # type: ignore[no-untyped-def]
    @set_initial_no_auth_action_count(4)  # the volume and the auditor: moto's IAM then judges
    def scenario() -> Report:
        aws.client("ec2", "ap-east-1").create_volume(Size=8, AvailabilityZone="ap-east-1a")
        allowed = ["sts:GetCallerIdentity", "ec2:Describe*", "ec2:ListImagesInRecycleBin"]
        auditor = aws.as_user("auditor", allowed)
        return audit(_provider(auditor.session), "us-foreign-adversaries")

    recycle_snapshot(ACCOUNT, "ap-east-1", "snap-01234567890abcdef")
    report = scenario()
    assert [f.resource.type for f in report.violations] == ["volume"]  # still read
    gaps = report.coverage.gaps
    assert sorted(g.region or "" for g in gaps) == ["ap-east-1", "us-east-1"]
    assert all(g.service == "ec2" and "ListSnapshotsInRecycleBin" in g.message for g in gaps)
    assert not report.complete
