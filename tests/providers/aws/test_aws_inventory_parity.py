"""An AWS Config export judged by ``audit inventory`` gives the live audit's verdicts.

One moto server holds the buckets. The live audit reads them with the AWS provider; the
export is what AWS Config's ``BatchGetResourceConfig`` returns for the same buckets (real
boto3 over HTTP to moto's Config), saved as the CLI writes it. moto's Config records no
replication: for the bucket that replicates, the item gets the
``supplementaryConfiguration.BucketReplicationConfiguration`` that AWS Config records
(``rules[].destinationConfig.bucketARN``, as a JSON string, as the API returns it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudaudit import audit
from cloudaudit.inventory import ExportSource, plan_import
from cloudaudit.models import Status
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws.services import s3
from tests.providers.aws.estate import create_buckets, replicate

pytestmark = pytest.mark.http

POLICY = "us-foreign-adversaries"
BUCKETS = {"us-plain": None, "hk-bucket": "ap-east-1", "eu-logs": "eu-west-1", "us-source": None}


def _seed() -> None:
    client = boto3.client("s3", region_name="us-east-1")
    create_buckets(client, BUCKETS)
    replicate(client, "us-source", "hk-bucket")


def _config_export(path: Path) -> None:
    # Config is regional: each region's recorder returns the buckets of its region.
    items: list[dict[str, Any]] = []
    for region in {r or "us-east-1" for r in BUCKETS.values()}:
        config = boto3.client("config", region_name=region)
        keys = [{"resourceType": "AWS::S3::Bucket", "resourceId": name} for name in BUCKETS]
        items += config.batch_get_resource_config(resourceKeys=keys)["baseConfigurationItems"]
    answer = {"baseConfigurationItems": items, "unprocessedResourceKeys": []}
    assert {i["resourceId"] for i in items} == set(BUCKETS)
    for item in items:
        if item["resourceId"] == "us-source":
            rule = {"id": "r1", "status": "Enabled", "prefix": ""}
            rule["destinationConfig"] = {"bucketARN": "arn:aws:s3:::hk-bucket"}  # type: ignore[assignment]
            replication = {"roleARN": "arn:aws:iam::123456789012:role/replication", "rules": [rule]}
            item["supplementaryConfiguration"]["BucketReplicationConfiguration"] = json.dumps(
                replication
            )
    path.write_text(json.dumps(answer, default=str, indent=2))


def test_config_export_gives_the_live_verdicts(aws_http: Any, tmp_path: Path) -> None:
    _seed()
    provider = AwsProvider(
        regions=["us-east-1", "eu-west-1", "ap-east-1"], collectors=s3.COLLECTORS
    )
    live = {f.resource.name: f.status for f in audit(provider, POLICY).findings}
    export = tmp_path / "batch-get-resource-config.json"
    _config_export(export)
    [planned] = plan_import([export])
    assert planned.shape == "aws-config-items"
    imported = {f.resource.name: f.status for f in audit(ExportSource([planned]), POLICY).findings}
    assert imported == live
    assert live["us-source"] is Status.VIOLATION  # its replica is in Hong Kong
    assert live["us-plain"] is Status.COMPLIANT
