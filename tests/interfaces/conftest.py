"""Fixtures: one real audit of the demo estate (plus hostile names) through cloudaudit.audit."""

from __future__ import annotations

import pytest
from iface_estate import demo_report

from cloudaudit.report import Report


@pytest.fixture(scope="session")
def report() -> Report:
    """The demo audit, with hostile resources added: violations, unknowns, exempt and gaps."""
    return demo_report()
