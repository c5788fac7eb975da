from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alibaba_fake import KEY_ID, SECRET, Bucket, FakeAlibaba, Server

pytest.importorskip("alibabacloud_ecs20140526")
pytest.importorskip("alibabacloud_oss_v2")


def seed(fake: FakeAlibaba) -> FakeAlibaba:
    """An account with resources in Hangzhou, Virginia and Frankfurt, and one replicated bucket."""
    fake.regions = ["cn-hangzhou", "us-east-1", "eu-central-1"]
    for i in range(23):
        fake.add(
            "DescribeInstances",
            "cn-hangzhou",
            {
                "InstanceId": f"i-hz{i:03d}",
                "InstanceName": f"web-{i}",
                "RegionId": "cn-hangzhou",
                "ZoneId": "cn-hangzhou-h",
                "Tags": {"Tag": [{"TagKey": "team", "TagValue": "web"}]},
            },
        )
    fake.add(
        "DescribeInstances",
        "us-east-1",
        {"InstanceId": "i-va1", "RegionId": "us-east-1", "ZoneId": "us-east-1a"},
    )
    for i in range(9):
        fake.add(
            "DescribeDisks",
            "us-east-1",
            {
                "DiskId": f"d-va{i}",
                "DiskName": f"disk-{i}",
                "RegionId": "us-east-1",
                "ZoneId": "us-east-1b",
            },
        )
    fake.add(
        "DescribeSnapshots", "eu-central-1", {"SnapshotId": "s-fra1", "SnapshotName": "nightly"}
    )
    for i in range(16):
        fake.add("DescribeImages", "cn-hangzhou", {"ImageId": f"m-hz{i}", "ImageName": f"img-{i}"})
    for i in range(15):
        fake.add(
            "DescribeDBInstances",
            "eu-central-1",
            {
                "DBInstanceId": f"rm-fra{i}",
                "DBInstanceDescription": f"orders-{i}",
                "RegionId": "eu-central-1",
                "ZoneId": "eu-central-1a" if i else "eu-central-1-MAZ1(a,b)",
                "Engine": "MySQL",
            },
        )
    fake.cross_backup["rm-fra3"] = {"BackupEnabled": "Enable", "CrossBackupRegion": "cn-hongkong"}
    fake.buckets = [
        Bucket("va-data", "us-east-1"),
        Bucket("fra-data", "eu-central-1"),
        Bucket("fra-replicated", "eu-central-1", replicate_to=[("va-backup", "us-east-1")]),
        Bucket("va-backup", "us-east-1"),
        *(Bucket(f"hz-logs-{i:02d}", "cn-hangzhou") for i in range(8)),
    ]
    return fake


@pytest.fixture
def fake() -> FakeAlibaba:
    return seed(FakeAlibaba())


@pytest.fixture
def server(fake: FakeAlibaba) -> Iterator[Server]:
    with Server(fake) as srv:
        yield srv


@pytest.fixture
def alibaba_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Set the credential environment. The credentials SDK reads it once, at import time, so
    its module-level snapshot is updated too. ECS metadata probing is always off in tests."""
    from alibabacloud_credentials.utils import auth_util

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", None)

    def apply(key_id: str | None = None, secret: str | None = None) -> None:
        for env, attr, value in (
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "environment_access_key_id", key_id),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "environment_access_key_secret", secret),
        ):
            if value is None:
                monkeypatch.delenv(env, raising=False)
            else:
                monkeypatch.setenv(env, value)
            monkeypatch.setattr(auth_util, attr, value)

    return apply


@pytest.fixture
def creds() -> dict[str, str]:
    return {"access_key_id": KEY_ID, "access_key_secret": SECRET}
