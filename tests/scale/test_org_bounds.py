"""``audit aws --organization`` with the per-call knobs: they reach every member account's clients.

Every request signed for eu-west-1 is held unanswered by the gate (a silent region in every
member account). With ``--read-timeout 0.5 --max-attempts 2`` each member account's units
become ``Timeout`` gaps within seconds; with the defaults (5 attempts of 20 s) one such call
alone would take 100 s, so the upper bound below fails if the knobs do not reach the member
accounts' clients. Wall time is an upper bound only (to catch hangs).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from click.testing import CliRunner

from cloudaudit.cli import main
from tests.scale.conftest import ROLE, Org


def test_knobs_bound_a_silent_region_in_every_member_account(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(2)
    org.gate.held_regions.add("eu-west-1")
    args = ["audit", "aws", "--organization", "--role", ROLE, "--exclude-management-account"]
    args += ["--regions", "eu-west-1", "--services", "ec2", "--format", "json", "--quiet"]
    # the knobs and bound of tests/reliability/bound_cases.py (the docs/reliability.md table)
    args += ["--connect-timeout", "1", "--read-timeout", "0.5", "--max-attempts", "2"]
    started = time.monotonic()
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        org.gate.reset()
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed
    gaps = json.loads(result.stdout)["coverage"]["gaps"]
    timeouts = {g["account"] for g in gaps if g["code"] == "Timeout"}
    assert timeouts == set(org.members), gaps
