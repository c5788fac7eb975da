"""--as-of: legal lists and exemptions judged as they stood on a date."""

from __future__ import annotations

from datetime import date

import pytest

import cloudaudit
from cloudaudit.models import Status
from cloudaudit.policies import load_lists
from cloudaudit.testing import FakeProvider, make_resource


def _status(region: str, policy: str, on: date | None, provider: str = "aws") -> Status:
    report = cloudaudit.audit([FakeProvider([make_resource(provider, region)])], policy, today=on)
    return report.findings[0].status


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 12, 31), Status.VIOLATION),
        (date(2026, 1, 28), Status.COMPLIANT),
        (None, Status.COMPLIANT),
    ],
)
def test_brazil_adequacy_counts_from_its_decision(on: date | None, expected: Status) -> None:
    assert _status("sa-east-1", "eu-gdpr", on) is expected


def test_a_member_removed_from_a_list_counts_only_before_its_end() -> None:
    ofac = load_lists()["us-ofac-embargoed"]
    syria = next(m for m in ofac.members if m.short == "Syria")
    assert syria.until == date(2025, 7, 1)
    assert syria in ofac.members_on(date(2025, 6, 30))
    assert syria not in ofac.members_on(date(2025, 7, 1))
    today = cloudaudit.load_policy("ofac-embargoed").rules
    assert "SY" not in today.countries


def test_a_list_not_yet_in_force_restricts_nothing() -> None:
    dsp = load_lists()["us-dsp-countries-of-concern"]
    assert dsp.members_on(date(2025, 4, 7)) == ()
    assert dsp.members_on(date(2025, 4, 8))
    assert _status("ap-east-1", "us-data-security-program", date(2025, 4, 7)) is Status.COMPLIANT
    assert _status("ap-east-1", "us-data-security-program", date(2025, 4, 8)) is Status.VIOLATION
