"""Fixtures: a fake GCP organization served over HTTP and providers pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gcp_fake import FakeGcp
from google.auth.credentials import AnonymousCredentials

from cloudaudit.providers.gcp import GcpProvider, default_retry


def build_estate(fake: FakeGcp) -> FakeGcp:
    """The done-when organization: HK bucket, ASIA bucket, US-stored snapshot of an EU disk."""
    eu = fake.add_folder("42")
    nested = fake.add_folder("43", parent=eu)
    fake.add_project("eu-data", 1001, parent=nested)
    fake.add_project("apac-data", 1002)
    fake.add_project("retired", 1003, state="DELETE_REQUESTED")
    fake.add_bucket("apac-data", "hk-bucket", "asia-east2")
    fake.add_bucket("apac-data", "asia-multi", "ASIA", "multi-region")
    fake.add_bucket("eu-data", "eu-dual", "EU", "dual-region", ["EUROPE-WEST1", "EUROPE-WEST4"])
    fake.add_bucket("eu-data", "eur4-bucket", "EUR4", "dual-region")
    fake.add_zonal("eu-data", "disks", "europe-west3-a", "fra-disk")
    fake.add_zonal("eu-data", "instances", "europe-west3-b", "fra-vm")
    fake.add_stored("eu-data", "snapshots", "fra-snap-us", ["us"], "europe-west3-a")
    return fake


@pytest.fixture
def fake() -> Iterator[FakeGcp]:
    with build_estate(FakeGcp()).serve() as served:
        yield served


@pytest.fixture
def provider() -> Callable[..., GcpProvider]:
    def make(fake: FakeGcp, **kwargs: Any) -> GcpProvider:
        if not any(k in kwargs for k in ("organization", "folders", "projects")):
            kwargs["organization"] = "123"
        kwargs.setdefault("retry", default_retry(initial=0.0, maximum=0.0, timeout=2.0))
        return GcpProvider(
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": fake.url},
            **kwargs,
        )

    return make
