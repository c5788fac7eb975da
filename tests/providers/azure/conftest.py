"""Fixtures: the fake Azure tenant served over HTTPS, and providers pointed at it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from azure_fake import FakeARM
from azure_tenant import build_tenant

from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeARM]:
    with FakeARM(build_tenant(), tmp_path, page_size=2) as server:
        yield server


@pytest.fixture
def make_provider(fake: FakeARM) -> Any:
    def make(**kwargs: Any) -> AzureProvider:
        kwargs.setdefault("credential", StaticTokenCredential("fake-token"))
        kwargs.setdefault("retry_total", 2)
        kwargs.setdefault("retry_backoff_factor", 0)
        return AzureProvider(arm_endpoint=fake.url, connection_verify=fake.ca_file, **kwargs)

    return make
