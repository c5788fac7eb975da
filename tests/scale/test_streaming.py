"""Streaming: findings leave as they are decided; memory does not grow with the estate.

Memory is measured with tracemalloc (peak of Python allocations), never with time.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from cloudaudit import audit, audit_iter
from cloudaudit.formats.jsonl import render_jsonl, write_jsonl
from cloudaudit.models import Coverage, Resource, ScopeRecord
from cloudaudit.providers import Batch, FanOut, Scope, Unit
from cloudaudit.testing import make_resource

POLICY = "us-foreign-adversaries"
REGIONS = ("eu-west-1", "us-east-1", "ap-east-1", "me-central-1")


class Synthetic:
    """Generates ``n`` resources lazily, ``chunk`` per unit (one unit = one fake account)."""

    name = "aws"

    def __init__(self, n: int, chunk: int = 200) -> None:
        self.n = n
        self.chunk = chunk

    def classifiers(self) -> Sequence[Any]:
        return ()

    def secrets(self) -> Sequence[str]:
        return ()

    def _unit(self, start: int) -> list[Resource]:
        return [
            make_resource(
                "aws",
                REGIONS[i % len(REGIONS)],
                account=f"{start:012d}",
                name=f"r{i}",
                id=f"arn:aws:s3:::bucket-{i}",
            )
            for i in range(start, min(start + self.chunk, self.n))
        ]

    def collect(self, fanout: FanOut) -> Iterator[Batch]:
        units = [
            Unit(Scope("aws", f"{s:012d}", None, "s3"), partial(self._unit, s))
            for s in range(0, self.n, self.chunk)
        ]
        for o in fanout.run(units):
            audited: tuple[ScopeRecord, ...] = (o.audited,) if o.audited else ()
            yield Batch(resources=o.resources, audited=audited)


def _peak(n: int, *, dedupe: bool) -> tuple[int, int]:
    """Peak traced bytes while streaming ``n`` resources through audit_iter, and the count."""
    gc.collect()
    tracemalloc.start()
    try:
        count = 0
        for _ in audit_iter(Synthetic(n), POLICY, max_workers=2, dedupe=dedupe):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, count


def _peaks() -> dict[str, int]:
    """Run the four measurements in a fresh interpreter: no server or cluster threads of
    other tests allocate while tracemalloc is tracing. A first, unmeasured audit pays what
    is loaded once (the catalog, the policy's tables)."""
    code = (
        "import json; from tests.scale.test_streaming import _peak; _peak(2_000, dedupe=True); "
        "print(json.dumps({f'{n}-{d}': _peak(n, dedupe=d)[0] "
        "for n, d in ((10_000, True), (60_000, True), (60_000, False), (180_000, False))}))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    peaks: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    return peaks


def test_memory_is_flat_without_dedupe_and_small_with_it() -> None:
    peaks = _peaks()
    small, big = peaks["60000-False"], peaks["180000-False"]
    # three times the resources, about the same peak: nothing per resource is kept. What is
    # in flight (up to 2 x max_workers units done and unread, the running ones, the one
    # being judged) fills up within the first ~30,000 resources (a 10,000-resource audit
    # peaks 30-60% lower, as its backlog seldom fills); past that, only each scope's coverage
    # record (about 1.2 kB a unit of 200 resources) is kept, as the report lists it.
    assert big < small * 1.3 + 1_000_000, (small, big)
    per_resource = (peaks["60000-True"] - peaks["10000-True"]) / 50_000
    # the id kept in a set, never the resource itself (a Resource and its finding are well
    # over 1 kB): the string (80 bytes for these 26 characters) and the table's share: a
    # set's 16-byte slots (Python loop) or an IdSet's 8-byte slot and reference (C loop), up
    # to four slots per id once the table has grown, and the old and new tables at once
    # while it grows (measured 170-210 bytes a resource with a set)
    assert 20 < per_resource < 300, per_resource


def test_peak_counts_the_resources() -> None:
    assert _peak(3_000, dedupe=True)[1] == 3_000


def test_audit_iter_still_judges_a_duplicate_once() -> None:
    r = make_resource("aws", "ap-east-1", id="arn:dup")

    class Twice:
        name = "aws"

        def classifiers(self) -> Sequence[Any]:
            return ()

        def secrets(self) -> Sequence[str]:
            return ()

        def collect(self, fanout: FanOut) -> Iterator[Batch]:
            yield Batch(resources=(r,))
            yield Batch(resources=(r,))

    assert len(list(audit_iter(Twice(), POLICY))) == 1
    assert len(list(audit_iter(Twice(), POLICY, dedupe=False))) == 2


def test_jsonl_lines_leave_before_the_audit_ends() -> None:
    """The second unit waits for the first line to be written: a buffering writer would
    leave it waiting (and it would then fail into a gap)."""
    first_line = threading.Event()

    class Gated:
        name = "aws"

        def classifiers(self) -> Sequence[Any]:
            return ()

        def secrets(self) -> Sequence[str]:
            return ()

        def collect(self, fanout: FanOut) -> Iterator[Batch]:
            one = [make_resource("aws", "eu-west-1", name="first", id="arn:1")]
            for o in fanout.run([Unit(Scope("aws", "1"), lambda: one)]):
                yield Batch(resources=o.resources)

            def later() -> list[Resource]:
                if not first_line.wait(timeout=10):
                    raise TimeoutError("no line was written while the audit ran")
                return [make_resource("aws", "ap-east-1", name="second", id="arn:2")]

            for o in fanout.run([Unit(Scope("aws", "2"), later)]):
                yield Batch(resources=o.resources, gaps=(o.gap,) if o.gap else ())

    class Watch(io.StringIO):
        def write(self, s: str) -> int:
            first_line.set()
            return super().write(s)

    out = Watch()
    sink: list[Coverage] = []
    summary = write_jsonl(audit_iter(Gated(), POLICY, coverage_sink=sink), out, coverage_sink=sink)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x.get("name") for x in lines[:2]] == ["first", "second"]
    assert lines[-1]["record"] == "summary" and lines[-1]["coverage"]["gaps"] == []
    assert summary.total == 2 and summary.violation == 1 and summary.gaps == 0


def test_streamed_rows_are_the_rendered_rows() -> None:
    resources = [make_resource("aws", r, name=r, id=f"arn:{r}") for r in REGIONS]

    class Fixed:
        name = "aws"

        def classifiers(self) -> Sequence[Any]:
            return ()

        def secrets(self) -> Sequence[str]:
            return ()

        def collect(self, fanout: FanOut) -> Iterator[Batch]:
            yield Batch(resources=resources)

    report = audit(Fixed(), POLICY)
    out = io.StringIO()
    write_jsonl(iter(report.findings), out, started_at=report.started_at)
    *rows, last = out.getvalue().splitlines()
    assert sorted(rows) == sorted(render_jsonl(report).splitlines()[:-1])
    # given the coverage, the stream and the rendered report are the same bytes
    full = io.StringIO()
    write_jsonl(
        iter(report.findings), full, coverage_sink=[report.coverage], started_at=report.started_at
    )
    assert full.getvalue() == render_jsonl(report)
    tail = json.loads(last)
    assert tail["total"] == 4 and tail["coverage"] is None and tail["complete"] is False


class _Counted:
    """Fifty units of one resource each, one at a time; records each unit that ran."""

    name = "aws"

    def __init__(self) -> None:
        self.ran: list[int] = []

    def classifiers(self) -> Sequence[Any]:
        return ()

    def secrets(self) -> Sequence[str]:
        return ()

    def _unit(self, i: int) -> list[Resource]:
        self.ran.append(i)
        return [make_resource("aws", "eu-west-1", name=f"b{i}", id=f"arn:b{i}")]

    def collect(self, fanout: FanOut) -> Iterator[Batch]:
        units = [Unit(Scope("aws", f"{i:012d}"), partial(self._unit, i)) for i in range(50)]
        for outcome in fanout.run(units):
            yield Batch.from_outcome(outcome)


def test_sources_and_coverage_arrive_when_the_stream_is_exhausted_not_when_closed() -> None:
    provider = _Counted()
    coverage: list[Coverage] = []
    sources: list[Any] = []
    found = list(
        audit_iter(provider, POLICY, coverage_sink=coverage, sources_sink=sources, max_workers=1)
    )
    assert len(found) == 50 and len(coverage) == 1 and len(sources) == 1
    assert "eu-west-1" in {e.region for e in sources[0].catalog}
    coverage.clear()
    sources.clear()
    it = audit_iter(_Counted(), POLICY, coverage_sink=coverage, sources_sink=sources)
    next(it)
    it.close()  # type: ignore[attr-defined]
    assert coverage == [] and sources == []  # an audit cut short has no final coverage


def test_closing_the_stream_stops_the_units_not_started() -> None:
    provider = _Counted()
    it = audit_iter(provider, POLICY, max_workers=1)
    next(it)
    it.close()  # type: ignore[attr-defined]
    ran = len(provider.ran)
    assert ran < 50
    threading.Event().wait(0.2)
    assert len(provider.ran) == ran  # nothing more started after the close
    assert list(it) == []


def test_a_provider_that_is_not_one_is_refused_when_the_stream_is_made() -> None:
    import pytest

    with pytest.raises(TypeError, match="provider"):
        audit_iter(object(), POLICY)  # type: ignore[arg-type]
