"""Run the Lambda handler's body with its S3 in moto (in process), for the face tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from cloudaudit.providers import Provider

Factory = Callable[[Any, Any], Provider]


def run_lambda(
    monkeypatch: pytest.MonkeyPatch, event: dict[str, Any], factory: Factory | None = None
) -> tuple[dict[str, Any], bytes]:
    """Run the handler's body; return its summary and the report it stored."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from cloudaudit import aws_lambda

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    kwargs: dict[str, Any] = {} if factory is None else {"factory": factory}
    with moto.mock_aws():
        session = boto3.Session(region_name="us-east-1")
        s3 = session.client("s3")
        s3.create_bucket(Bucket="reports")
        event = {"bucket": "reports", "policy": "eea-only", **event}
        summary = aws_lambda.run(event, lambda: 600_000, session=session, **kwargs)
        stored = s3.get_object(Bucket="reports", Key=summary["keys"]["report"])["Body"].read()
    return summary, stored
