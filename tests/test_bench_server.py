"""The benchmarks' moto server remembers moto's choice of backend without changing it.

``benchmarks/_motoserver.routed`` keeps moto's dispatcher's answer per kind of request (the
stock dispatcher takes one process-wide lock per request). Requests signed by real boto3
clients (captured before they are sent) for every operation the AWS benchmarks make must get
the backend moto's own dispatcher picks, the second request of a kind must not reach moto's
dispatcher again, and ``BENCH_STOCK_DISPATCH`` must leave the dispatcher untouched.
"""

from __future__ import annotations

import importlib
import io
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

from botocore.awsrequest import AWSResponse, HTTPHeaders  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

ROLE = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
# (service, region, operation, parameters): what benchmarks/aws.py and org.py call.
CALLS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("sts", "us-east-1", "get_caller_identity", {}),
    ("sts", "us-east-1", "assume_role", {"RoleArn": ROLE, "RoleSessionName": "bench"}),
    ("ec2", "us-east-1", "describe_regions", {"AllRegions": True}),
    ("ec2", "eu-west-1", "describe_instances", {}),
    ("ec2", "ap-south-1", "describe_snapshots", {"OwnerIds": ["self"]}),
    ("ec2", "ap-south-1", "list_snapshots_in_recycle_bin", {}),
    ("rds", "eu-west-1", "describe_db_instances", {}),
    ("rds", "eu-west-1", "describe_db_cluster_snapshots", {}),
    ("rds", "eu-west-1", "describe_db_instance_automated_backups", {}),
    ("dynamodb", "eu-west-1", "list_tables", {}),
    ("dynamodb", "eu-west-1", "list_backups", {"BackupType": "ALL"}),
    ("dynamodb", "eu-west-1", "describe_table", {"TableName": "t"}),
    ("s3", "us-east-1", "list_buckets", {}),
    ("s3", "eu-west-1", "get_bucket_location", {"Bucket": "b"}),
    ("s3", "eu-west-1", "get_bucket_replication", {"Bucket": "b"}),
    ("config", "us-east-1", "describe_configuration_aggregators", {}),
    ("config", "us-east-1", "describe_configuration_recorders", {}),
    ("organizations", "us-east-1", "list_accounts", {}),
]


def _motoserver(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("_motoserver", None)
    return importlib.import_module("_motoserver")


def _environ(service: str, region: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ of one request a real boto3 client signs (captured, not sent)."""
    from werkzeug.test import EnvironBuilder

    session = boto3.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=region
    )
    client = session.client(service, endpoint_url="http://127.0.0.1:5000")
    sent: list[Any] = []

    def capture(request: Any, **_: object) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, HTTPHeaders(), io.BytesIO(b""))

    client.meta.events.register("before-send", capture)
    with pytest.raises(AttributeError):  # the captured request's stand-in answer has no body
        getattr(client, operation)(**params)
    (request,) = sent
    url = urlsplit(request.url)
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    builder = EnvironBuilder(
        path=url.path or "/",
        query_string=url.query,
        method=request.method,
        headers=dict(request.headers.items()),
        data=body,
        base_url=f"{url.scheme}://{url.netloc}",
    )
    return builder.get_environ()


def test_routed_dispatch_picks_moto_s_backend_and_asks_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BENCH_STOCK_DISPATCH", raising=False)
    server = _motoserver(monkeypatch)
    stock = DomainDispatcherApplication(lambda service: service)  # type: ignore[arg-type, return-value]
    inner = DomainDispatcherApplication(lambda service: service)  # type: ignore[arg-type, return-value]
    asked: list[str] = []
    moto_route = inner.get_application

    def counting(environ: dict[str, Any]) -> Any:
        asked.append(environ["PATH_INFO"])
        return moto_route(environ)

    inner.get_application = counting  # type: ignore[method-assign]
    routed = server.routed(inner)
    expected = {
        "sts": "sts",
        "ec2": "ec2",
        "rds": "rds",
        "dynamodb": "dynamodb",
        "s3": "s3",
        "config": "config",
        "organizations": "organizations",
    }
    for service, region, operation, params in CALLS:
        environ = _environ(service, region, operation, params)
        picked: Any = stock.get_application(dict(environ))
        assert picked == expected[service], (service, operation, picked)
        before = len(asked)
        assert routed.get_application(dict(environ)) == picked, (service, operation)
        assert routed.get_application(dict(environ)) == picked, (service, operation)
        assert len(asked) - before <= 1, f"{service}:{operation} asked moto's dispatcher twice"
    # one question per kind of request, fewer than the requests (the lock is skipped)
    assert 0 < len(asked) < 2 * len(CALLS)


def test_stock_dispatch_leaves_moto_s_dispatcher(monkeypatch: pytest.MonkeyPatch) -> None:
    server = _motoserver(monkeypatch)
    monkeypatch.setenv(server.STOCK_DISPATCH, "1")
    dispatcher = DomainDispatcherApplication(lambda service: service)  # type: ignore[arg-type, return-value]
    assert server.routed(dispatcher) is dispatcher
    assert "get_application" not in vars(dispatcher)
