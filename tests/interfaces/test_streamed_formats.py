"""Formats written in pieces: the same text as ``render``, never the whole text at once.

``write_report`` writes JSON, JSON Lines, CSV (both dialects), SARIF, OCSF and ASFF a batch
of findings at a time. Each must be ``render``'s text character for character, on an empty
report, on a report with every status, an exemption, copies with their mechanisms, coverage
gaps and guardrail findings, and on a bulk evaluation larger than one batch; and the pieces
must really be pieces: the largest single write and the memory allocated while writing stay
far below the whole text.
"""

from __future__ import annotations

import io
import tracemalloc

import pytest
from iface_estate import hostile_provider, large_estate

from cloudaudit import audit, evaluate
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.formats import _stream, render, write_report
from cloudaudit.models import Status
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

STREAMED = ("json", "jsonl", "csv", "csv-excel", "sarif", "ocsf", "asff")


def _full_report() -> Report:
    """Every status, an exemption, copies with a mechanism, gaps and guardrail findings."""
    copies = FakeProvider(
        [
            make_resource(
                "aws",
                "eu-west-1",
                name="replicated",
                copies=("ap-east-1", "us-east-1"),
                via="aws.s3.replication",
                id="arn:aws:s3:::replicated",
            ),
        ],
        name="aws-copies",
    )
    return audit([*demo_providers(), hostile_provider(), copies], demo_policy())


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {
        "empty": evaluate((), demo_policy()),
        "full": _full_report(),
        "bulk": evaluate(large_estate(2_500), demo_policy()),  # more than one batch of 1024
    }


def test_the_full_report_has_what_the_formats_carry(reports: dict[str, Report]) -> None:
    full = reports["full"]
    assert {f.status for f in full.findings} == set(Status)
    assert any(f.exemption for f in full.findings)
    assert any(loc.via for f in full.findings for loc in f.resource.data_locations)
    assert full.coverage.gaps and full.guardrails is not None and full.guardrails.findings
    assert len(reports["bulk"].findings) > _stream.BATCH and not reports["empty"].findings


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("name", ["empty", "full", "bulk"])
def test_the_streamed_text_is_the_rendered_text(
    reports: dict[str, Report], name: str, fmt: str
) -> None:
    report = reports[name]
    out = io.StringIO()
    write_report(report, fmt, out)
    assert out.getvalue() == render(report, fmt)


@pytest.mark.parametrize("fmt", STREAMED)
def test_batches_of_any_size_give_the_same_text(
    reports: dict[str, Report], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = reports["full"]
    whole = render(full, fmt)
    for size in (1, 2, 7):
        monkeypatch.setattr(_stream, "BATCH", size)  # several batches, the last one short
        out = io.StringIO()
        write_report(full, fmt, out)
        assert out.getvalue() == whole, size


class _Recorder:
    """A text stream that keeps only the number of characters and the largest write."""

    def __init__(self) -> None:
        self.total = 0
        self.largest = 0

    def write(self, text: str) -> int:
        self.total += len(text)
        self.largest = max(self.largest, len(text))
        return len(text)


@pytest.mark.parametrize("fmt", STREAMED)
def test_the_pieces_are_pieces(
    reports: dict[str, Report], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,500 findings of a bulk evaluation in batches of 20: no write and no allocation near
    the whole text (rendering it to one string first allocates at least all of it)."""
    bulk = reports["bulk"]
    whole = len(render(bulk, fmt))
    monkeypatch.setattr(_stream, "BATCH", 20)
    sink = _Recorder()
    tracemalloc.start()
    try:
        write_report(bulk, fmt, sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.total == whole > 1_000_000
    assert sink.largest < whole / 20, f"largest write {sink.largest:,} of {whole:,}"
    assert peak < whole / 3, f"peak {peak:,} bytes for {whole:,} characters"
