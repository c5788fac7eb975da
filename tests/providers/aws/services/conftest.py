"""In-process moto fixtures for the AWS service collectors.

One boto3 Session per test, clients cached per (service, region) like the provider does, and
an :class:`AwsContext` whose ``client`` and ``client_in`` hand out those clients. ``aws.run``
runs a collector and checks that every API operation it made is listed in its ``actions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector

ACCOUNT = DEFAULT_ACCOUNT_ID
REGIONS = ("us-east-1", "eu-west-1", "ap-east-1", "ap-southeast-2")
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
_UNSET = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# One attempt: an error surfaces at once instead of after retries with backoff.
_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1})


class Aws:
    """A moto account reached through one injected boto3 Session."""

    def __init__(self, session: boto3.Session) -> None:
        self.session = session
        self._clients: dict[tuple[str, str], Any] = {}
        self.recording: list[str] | None = None
        session.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        if self.recording is not None:
            self.recording.append(f"{model.service_model.signing_name}:{model.name}")

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """The cached client of ``service`` in ``region`` (for seeding and for collectors)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region, config=_CONFIG)
        return self._clients[key]

    def as_user(self, user: str, actions: list[str]) -> Aws:
        """Create IAM ``user`` allowed only ``actions``; return an account seen through it.

        Takes three API requests (to count for ``set_initial_no_auth_action_count``).
        """
        iam = self.client("iam")
        iam.create_user(UserName=user)
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
        iam.put_user_policy(UserName=user, PolicyName="audit", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return Aws(
            boto3.Session(
                aws_access_key_id=key["AccessKeyId"],
                aws_secret_access_key=key["SecretAccessKey"],
            )
        )

    def ctx(self, region: str, partition: str = "aws") -> AwsContext:
        """An :class:`AwsContext` for ``region`` backed by the cached clients."""
        return AwsContext(
            account=ACCOUNT,
            partition=partition,
            region=region,
            client=lambda service: self.client(service, region),
            regions=REGIONS,
            client_in=self.client,
        )

    def run(self, collector: Collector, region: str) -> dict[str, Resource]:
        """Run ``collector`` in ``region``; return its resources by name.

        Fails the test when the collector calls an operation missing from its ``actions``.
        """
        self.recording = []
        try:
            resources = collector.run(self.ctx(region))
        finally:
            calls, self.recording = self.recording, None
        undeclared = sorted(set(calls) - set(collector.actions))
        assert not undeclared, f"{collector.service}/{collector.name} calls {undeclared}"
        by_name = {r.name: r for r in resources}
        assert len(by_name) == len(resources), "duplicate resource names"
        return by_name

    @staticmethod
    def copies(res: Resource) -> set[str | None]:
        """The regions holding copies of ``res``."""
        return {loc.region for loc in res.data_locations}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """A fresh in-process moto account and one boto3 Session for the whole test."""
    for name, value in _ENV.items():
        monkeypatch.setenv(name, value)
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield Aws(boto3.Session())
