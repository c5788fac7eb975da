"""The server side of ``org.py``: a moto server with many accounts and an organization aggregator.

Runs in the benchmark's child process (moto's backends live there). :func:`serve` wraps moto's
WSGI app in a middleware that adds a fixed latency to every request, counts requests by
operation (``_motoserver.operation``) and answers the two AWS Config operations moto lacks,
``DescribeConfigurationAggregatorSourcesStatus`` and ``SelectAggregateResourceConfig``, from
moto's own backends, so that both paths read one and the same estate. Shapes follow botocore's
``config`` service model (2014-11-12): ``AggregatedSourceStatus`` (``SourceId``,
``SourceType`` ``ORGANIZATION``, ``AwsRegion``, ``LastUpdateStatus``) and
``SelectAggregateResourceConfigResponse`` (``Results``: each row a JSON string of the selected
configuration-item fields, at most 100 a page, ``NextToken``); S3 replication is
``supplementaryConfiguration.BucketReplicationConfiguration`` (AWS Config's AWS::S3::Bucket
item), DynamoDB replicas ``configuration.replicas`` (AWS::DynamoDB::Table).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from _motoserver import operation, routed

REGIONS = ("eu-west-1", "us-east-1", "ap-northeast-1")
PAGE = 100
_TYPE = re.compile(r"resourceType = '([^']+)'")
_REGIONS = re.compile(r"awsRegion IN \(([^)]*)\)")


def seed(accounts: Sequence[str], kinds: Sequence[str]) -> int:
    """Per account and region: one bucket, volume or table per kind, and a Config recorder."""
    from moto.config.models import config_backends
    from moto.dynamodb.models import dynamodb_backends
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    n = 0
    for account in accounts:
        for region in REGIONS:
            if "s3" in kinds:
                s3_backends[account]["aws"].create_bucket(f"b-{account}-{region}", region)
            if "ec2" in kinds:
                ec2_backends[account][region].create_volume(size=8, zone_name=f"{region}a")
            if "dynamodb" in kinds:
                dynamodb_backends[account][region].create_table(
                    f"t-{region}",
                    schema=[{"AttributeName": "k", "KeyType": "HASH"}],
                    throughput=None,
                    attr=[{"AttributeName": "k", "AttributeType": "S"}],
                    global_indexes=None,
                    indexes=None,
                    streams=None,
                    billing_mode="PAY_PER_REQUEST",
                    sse_specification=None,
                    tags=[],
                    deletion_protection_enabled=False,
                    warm_throughput=None,
                )
            n += len(kinds)
            config = config_backends[account][region]
            config.put_configuration_recorder(
                {
                    "name": "default",
                    "roleARN": f"arn:aws:iam::{account}:role/config",
                    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
                }
            )
            config.put_delivery_channel({"name": "default", "s3BucketName": "logs"})
            config.start_configuration_recorder("default")
    return n


def _accounts() -> list[str]:
    from moto.config.models import config_backends

    return sorted(config_backends.keys())


def items(rtype: str, regions: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every account's configuration items of ``rtype`` in ``regions``, from moto."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    for account in _accounts():
        if rtype == "AWS::S3::Bucket":
            for b in s3_backends[account]["aws"].buckets.values():
                if b.region_name in regions:
                    yield _item(account, b.region_name, rtype, b.name, f"arn:aws:s3:::{b.name}")
            continue
        for region in regions:
            if rtype == "AWS::EC2::Volume":
                for v in ec2_backends[account][region].volumes.values():
                    arn = f"arn:aws:ec2:{region}:{account}:volume/{v.id}"
                    yield _item(account, region, rtype, v.id, arn, v.zone.name if v.zone else "")
            elif rtype == "AWS::DynamoDB::Table":
                for t in dynamodb_backends[account][region].tables.values():
                    row = _item(account, region, rtype, t.name, t.table_arn)
                    row["configuration"] = {"tableName": t.name, "replicas": []}
                    yield row


def _item(
    account: str, region: str, rtype: str, rid: str, arn: str, zone: str = ""
) -> dict[str, Any]:
    supplementary = {"BucketVersioningConfiguration": {"status": "Off"}}
    return {
        "accountId": account,
        "awsRegion": region,
        "resourceType": rtype,
        "resourceId": rid,
        "resourceName": rid,
        "arn": arn,
        "availabilityZone": zone or "Not Applicable",
        "configuration": {},
        "supplementaryConfiguration": supplementary if rtype == "AWS::S3::Bucket" else {},
        "tags": {},
    }


def select(body: dict[str, Any]) -> dict[str, Any]:
    """One page of ``SelectAggregateResourceConfig``."""
    query = body["Expression"]
    rtype = _TYPE.search(query).group(1)  # type: ignore[union-attr]
    wanted = _REGIONS.search(query)
    regions = [r.strip(" '") for r in wanted.group(1).split(",")] if wanted else list(REGIONS)
    rows = [json.dumps(i) for i in items(rtype, regions)]
    start = int(body.get("NextToken") or 0)
    answer: dict[str, Any] = {"Results": rows[start : start + PAGE], "QueryInfo": {}}
    if start + PAGE < len(rows):
        answer["NextToken"] = str(start + PAGE)
    return answer


def status(_body: dict[str, Any]) -> dict[str, Any]:
    """``DescribeConfigurationAggregatorSourcesStatus``: the organization, every region."""
    rows = [
        {
            "SourceId": "o-bench",
            "SourceType": "ORGANIZATION",
            "AwsRegion": r,
            "LastUpdateStatus": "SUCCEEDED",
            "LastUpdateTime": 1764633600.0,
        }
        for r in REGIONS
    ]
    return {"AggregatedSourceStatusList": rows}


ANSWERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "DescribeConfigurationAggregatorSourcesStatus": status,
    "SelectAggregateResourceConfig": select,
}


def serve() -> None:
    """Run moto behind the latency, counting and Config middleware; print the port."""
    import logging

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_app = routed(DomainDispatcherApplication(create_backend_app))
    state = {"latency": 0.0}
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            req = Request(environ)
            answer: Any = {}
            if path == "/__bench/latency":
                state["latency"] = float(req.args["ms"]) / 1000
            elif path == "/__bench/reset":
                with lock:
                    answer = {"count": sum(counts.values()), "by_operation": dict(counts)}
                    counts.clear()
            elif path == "/__bench/seed":
                accounts = req.args["accounts"].split(",")
                answer = {"seeded": seed(accounts, req.args["kinds"].split(","))}
            return Response(json.dumps(answer), content_type="application/json")(
                environ, start_response
            )
        op = operation(environ)
        with lock:
            counts[op] += 1
        if state["latency"]:
            time.sleep(state["latency"])
        name = op.split(":", 1)[1]
        if name in ANSWERS:
            body = json.loads(Request(environ).get_data() or b"{}")
            payload = json.dumps(ANSWERS[name](body))
            ctype = "application/x-amz-json-1.1"
            return Response(payload, content_type=ctype)(environ, start_response)
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
