"""Run the Lambda handler's body with its S3 in moto (in process), for the face tests."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest

from cloudaudit.providers import Provider

Factory = Callable[[Any, Any], Provider]


class At:
    """A boto3 session whose clients all use one endpoint, whatever the environment says.

    ``At(session)`` keeps AWS's own endpoints (moto answers them in process); ``At(session,
    url)`` sends every call to ``url`` (an AWS fake over HTTP).
    """

    def __init__(self, session: Any, url: str | None = None) -> None:
        self._session = session
        self._url = url

    def client(self, service: str, **kwargs: Any) -> Any:
        """A client of ``service`` at the chosen endpoint."""
        host = "s3.amazonaws.com" if service == "s3" else f"{service}.us-east-1.amazonaws.com"
        kwargs.setdefault("endpoint_url", self._url or f"https://{host}")
        return self._session.client(service, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def run_lambda(
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, Any],
    factory: Factory | None = None,
    aws_endpoint: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Run the handler's body; return its summary and the report it stored.

    ``aws_endpoint``: an AWS fake over HTTP the audited providers call (:class:`At`); moto
    lets those requests through, and answers the Lambda's own S3 in process.
    """
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
    through = [re.escape(aws_endpoint) + "/.*"] if aws_endpoint else []
    kwargs: dict[str, Any] = {} if factory is None else {"factory": factory}
    config = {"core": {"passthrough": {"urls": through}}}
    with moto.mock_aws(config=config):  # type: ignore[arg-type]
        session = At(boto3.Session(region_name="us-east-1"))
        s3 = session.client("s3")
        s3.create_bucket(Bucket="reports")
        event = {"bucket": "reports", "policy": "eea-only", **event}
        summary = aws_lambda.run(event, lambda: 600_000, session=session, **kwargs)
        stored = s3.get_object(Bucket="reports", Key=summary["keys"]["report"])["Body"].read()
    return summary, stored
