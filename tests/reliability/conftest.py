"""Make the fakes of the provider tests importable from the reliability tests."""

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_PROVIDERS = Path(__file__).resolve().parent.parent / "providers"
for _cloud in ("gcp", "azure", "alibaba"):
    _path = str(_PROVIDERS / _cloud)
    if _path not in sys.path:
        sys.path.append(_path)

from hung import HungServer  # noqa: E402 - importable once the folder is on sys.path

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture
def hung() -> Iterator[HungServer]:
    """A hung endpoint (accepts, never answers), closed after the test."""
    server = HungServer()
    try:
        yield server
    finally:
        server.close()
