"""The AWS Config aggregator operations moto lacks, answered from moto's own backends.

moto implements aggregators and recorders but not ``DescribeConfigurationAggregatorSourcesStatus``
nor ``SelectAggregateResourceConfig``; the moto server's middleware serves them here, built from
the resources moto holds, so that the direct and the aggregated path see one and the same
estate over real HTTP. Shapes follow the AWS Config API reference:

* ``DescribeConfigurationAggregatorSourcesStatus``: ``AggregatedSourceStatusList`` of
  ``{SourceId, SourceType, AwsRegion, LastUpdateStatus, LastUpdateTime}``
  (docs.aws.amazon.com/config/latest/APIReference/API_AggregatedSourceStatus.html);
* ``SelectAggregateResourceConfig``: ``Results`` (each row a JSON string of the selected
  fields), ``QueryInfo.SelectFields`` and ``NextToken``
  (docs.aws.amazon.com/config/latest/APIReference/API_SelectAggregateResourceConfig.html);
  rows carry configuration-item fields (``accountId``, ``awsRegion``, ``resourceType``,
  ``resourceId``, ``resourceName``, ``arn``, ``availabilityZone``, ``configuration``,
  ``supplementaryConfiguration``, ``tags``) as in the item schema
  (docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html); S3's
  replication is ``supplementaryConfiguration.BucketReplicationConfiguration`` with
  ``rules[].destinationConfig.bucketARN`` (AWS Config resource schema for AWS::S3::Bucket).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from tests.providers.aws.conftest import FaultMiddleware

_TYPE = re.compile(r"resourceType = '([^']+)'")
_ACCOUNT = re.compile(r"accountId = '(\d+)'")
_REGIONS = re.compile(r"awsRegion IN \(([^)]*)\)")
PAGE = 2  # small pages, so that paging is exercised


def install(faults: FaultMiddleware, succeeded: Iterable[str], failed: Iterable[str] = ()) -> None:
    """Serve the two operations; ``succeeded`` / ``failed`` regions give the source status."""
    ok, bad = list(succeeded), list(failed)

    def status(_region: str, body: Any) -> tuple[int, Any]:
        from moto.core import DEFAULT_ACCOUNT_ID

        rows = [
            {
                "SourceId": DEFAULT_ACCOUNT_ID,
                "SourceType": "ACCOUNT",
                "AwsRegion": r,
                "LastUpdateStatus": "SUCCEEDED" if r in ok else "FAILED",
                "LastUpdateTime": 1764633600.0,
            }
            for r in [*ok, *bad]
        ]
        return 200, {"AggregatedSourceStatusList": rows}

    faults.answer_operation("DescribeConfigurationAggregatorSourcesStatus", status)
    faults.answer_operation("SelectAggregateResourceConfig", lambda _r, body: select(body))


def select(body: Any) -> tuple[int, Any]:
    """Answer ``SelectAggregateResourceConfig`` for one account, or every account of moto."""
    query = body["Expression"]
    rtype = _TYPE.search(query).group(1)  # type: ignore[union-attr]
    one = _ACCOUNT.search(query)
    wanted = _REGIONS.search(query)
    regions = [r.strip(" '") for r in wanted.group(1).split(",")] if wanted else None
    accounts = [one.group(1)] if one else _accounts()
    rows = [json.dumps(i) for a in accounts for i in items(rtype, a, regions)]
    start = int(body.get("NextToken") or 0)
    answer: dict[str, Any] = {
        "Results": rows[start : start + PAGE],
        "QueryInfo": {"SelectFields": [{"Name": n} for n in ("resourceId", "arn")]},
    }
    if start + PAGE < len(rows):
        answer["NextToken"] = str(start + PAGE)
    return 200, answer


def _accounts() -> list[str]:
    """Every account moto holds resources for (an organization aggregator's sources)."""
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    return sorted({*s3_backends.keys(), *ec2_backends.keys()})


def items(rtype: str, account: str, regions: list[str] | None) -> Iterator[dict[str, Any]]:
    """Configuration items of ``rtype`` for ``account`` from moto's backends."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    if rtype == "AWS::S3::Bucket":
        for bucket in s3_backends[account]["aws"].buckets.values():
            if regions is None or bucket.region_name in regions:
                yield _bucket(account, bucket)
        return
    for region in regions or []:
        if rtype == "AWS::EC2::Instance":
            ec2 = ec2_backends[account][region]
            for reservation in ec2.reservations.values():
                for inst in reservation.instances:
                    zone = inst.placement.zone
                    yield _item(account, region, rtype, inst.id, f"instance/{inst.id}", zone)
        elif rtype == "AWS::EC2::Volume":
            for vol in ec2_backends[account][region].volumes.values():
                zone = vol.zone.name if vol.zone else None
                yield _item(account, region, rtype, vol.id, f"volume/{vol.id}", zone)
        elif rtype == "AWS::DynamoDB::Table":
            for table in dynamodb_backends[account][region].tables.values():
                row = _item(account, region, rtype, table.name, f"table/{table.name}", None)
                row["arn"] = table.table_arn
                row["configuration"] = {"tableName": table.name, "replicas": []}
                yield row


def _item(
    account: str, region: str, rtype: str, rid: str, suffix: str, zone: str | None
) -> dict[str, Any]:
    service = rtype.split("::")[1].lower()
    return {
        "accountId": account,
        "awsRegion": region,
        "resourceType": rtype,
        "resourceId": rid,
        "resourceName": rid,
        "arn": f"arn:aws:{service}:{region}:{account}:{suffix}",
        "availabilityZone": zone or "Not Applicable",
        "configuration": {},
        "supplementaryConfiguration": {},
        "tags": {},
    }


def _bucket(account: str, bucket: Any) -> dict[str, Any]:
    rules = []
    for rule in (getattr(bucket, "replication", None) or {}).get("Rule", []):
        dest = rule.get("Destination", {}).get("Bucket", "")
        rules.append({"id": rule.get("ID"), "destinationConfig": {"bucketARN": dest}})
    supplementary: dict[str, Any] = {"BucketVersioningConfiguration": {"status": "Enabled"}}
    if rules:
        supplementary["BucketReplicationConfiguration"] = {"roleARN": "arn", "rules": rules}
    return {
        "accountId": account,
        "awsRegion": bucket.region_name,
        "resourceType": "AWS::S3::Bucket",
        "resourceId": bucket.name,
        "resourceName": bucket.name,
        "arn": f"arn:aws:s3:::{bucket.name}",
        "availabilityZone": "Regional",
        "configuration": {"name": bucket.name},
        "supplementaryConfiguration": supplementary,
        "tags": {},
    }
