"""The assertions every fault of the matrix must satisfy, whatever the cloud."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from fault_matrix import BOUND_SECONDS, Expect

from cloudaudit.models import CoverageGap, Resource, Status
from cloudaudit.report import Report

Covers = Callable[[CoverageGap, Resource], bool]
"""Does this gap cover the unit of work that lists this resource?"""


@dataclass
class Timed:
    """Wall time of a block (an upper bound that catches hangs, not a benchmark)."""

    started: float = 0.0
    seconds: float = 0.0

    def __enter__(self) -> Timed:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started


def check_fault(
    report: Report,
    baseline: list[Resource],
    expect: Expect,
    *,
    seconds: float,
    target_gap: Callable[[CoverageGap], bool],
    in_target: Callable[[Resource], bool],
    covers: Covers,
) -> None:
    """Assert the first four properties of the fault matrix (test_fault checks the fifth).

    1. The audit ended within the bound.
    2. The target scope is in ``coverage.gaps`` with one of the expected codes.
    3. No resource in a gapped scope (the target included) is reported compliant.
    4. Every resource outside the gapped scopes is reported exactly once.
    """
    assert seconds < BOUND_SECONDS, f"audit took {seconds:.1f} s"
    gaps = report.coverage.gaps
    hits = [g for g in gaps if target_gap(g)]
    assert hits, f"no gap for the target {expect.target}; gaps: {[(g.scope, g.code) for g in gaps]}"
    assert {g.code for g in hits} <= set(expect.codes), [(g.scope, g.code) for g in hits]
    targeted = [r for r in baseline if in_target(r)]
    assert targeted, "the fault targets no planted resource: the test would prove nothing"
    count = Counter(f.resource.id for f in report.findings)
    status = {f.resource.id: f.status for f in report.findings}
    for r in baseline:
        gapped = [g for g in gaps if covers(g, r)]
        if in_target(r):
            assert gapped, f"{r.id} is in the target scope but no gap covers it"
        if gapped:
            assert status.get(r.id) is not Status.COMPLIANT, f"{r.id} compliant despite a gap"
        else:
            assert count[r.id] == 1, f"{r.id} reported {count[r.id]} times"
    assert all(n == 1 for n in count.values()), "a resource was reported twice"


def check_baseline(report: Report, baseline: list[Resource]) -> None:
    """Without faults: no gap, every planted resource once and compliant (so the checks bite)."""
    assert not report.coverage.gaps, [(g.scope, g.code, g.message) for g in report.coverage.gaps]
    ids = Counter(f.resource.id for f in report.findings)
    assert ids == Counter(r.id for r in baseline)
    assert all(f.status is Status.COMPLIANT for f in report.findings)
