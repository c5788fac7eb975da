"""Answer and detail-call faults as data, the checks every cloud shares, and the doc table.

Each cloud's ``test_answers_<cloud>.py`` lists :class:`FaultCase` values in ``CASES`` and runs
them through the fault layer with :func:`check_case`. ``docs/reliability.md`` holds the table
:func:`render_table` makes from those lists (``python tests/reliability/answer_cases.py``
rewrites it; ``test_fault_matrix_doc.py`` fails when it is stale).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fault_matrix import BOUND_SECONDS
from faultkit import Fault, FaultLayer
from matrix_checks import Timed
from werkzeug.wrappers import Request, Response

from cloudaudit.models import Finding, LocationKind, Resource, Status
from cloudaudit.report import Report

CLASSES: dict[str, tuple[str, str]] = {
    "html-200-list": (
        "a list call answers 200 with an HTML page",
        "`MalformedResponse` gap for the scope; the scope is not recorded as audited; nothing "
        "in it is reported compliant",
    ),
    "truncated-list": (
        "a list call answers 200 with its body cut short",
        "`MalformedResponse` gap for the scope; not audited; nothing in it compliant",
    ),
    "missing-list": (
        "a list call answers 200 with a document that lacks the list (or an item's field) the "
        "collector relies on",
        "`MalformedResponse` gap for the scope (an empty list is an answer, a missing one is "
        "not); not audited",
    ),
    "html-200-detail": (
        "a detail (secondary) call answers 200 with an HTML page",
        "every listed resource reported; the one concerned `unknown` on that axis, with a "
        "reason naming the call and `MalformedResponse`; a gap whose target names it",
    ),
    "other-document-detail": (
        "a detail (secondary) call answers 200 with a well-formed document that is not its "
        "answer (another root element, or its own root without the fields AWS requires)",
        "every listed resource reported; the one concerned `unknown` on that axis, with a "
        "reason naming the call and `MalformedResponse`; a gap whose target names it",
    ),
    "denied-detail": (
        "a detail (secondary) call is denied",
        "every listed resource reported; the one concerned `unknown` on that axis, with a "
        "reason naming the call and the error code; a gap whose target names it",
    ),
    "reset-detail": (
        "the connection of one resource's detail call is reset",
        "that resource alone `unknown` (reason: the call and the error); every other resource "
        "keeps its verdict; a gap whose target names it",
    ),
}
"""Fault class: (what happens, what the report shows)."""

CLOUDS = ("aws", "gcp", "azure", "alibaba")
HTML = b"<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>"


def html(_req: Request) -> Response:
    """A 200 answer with an HTML page (a proxy's sign-in page), whatever was asked."""
    return Response(HTML, 200, content_type="text/html")


def rerun(
    layer: FaultLayer, fault: Fault, run: Callable[[], Report]
) -> tuple[Report, Report, float]:
    """Audit without faults (the baseline), then with ``fault``; return both and the time."""
    layer.reset()
    baseline = run()
    layer.add(fault)
    try:
        with Timed() as t:
            report = run()
    finally:
        layer.reset()
    return baseline, report, t.seconds


@dataclass(frozen=True)
class FaultCase:
    """One fault on one service of one cloud.

    Attributes:
        fault_id: A key of :data:`CLASSES`.
        service: The service the audit covers (the gap's ``service`` for list faults).
        fault: What the fault layer does.
        detail: For detail calls: (call, resource name or ``""`` for any, error code).
        axis: The axis a failed detail call makes unknown (``copy`` or ``location``).
        in_scope: For list faults, the baseline resources the faulted scope lists (default:
            those of ``service``).
    """

    fault_id: str
    service: str
    fault: Fault
    detail: tuple[str, str, str] | None = None
    axis: str = "copy"
    in_scope: Callable[[Resource], bool] | None = None

    @property
    def label(self) -> str:
        """``dynamodb`` or ``ecr:DescribeRegistry`` for the doc table."""
        return self.detail[0] if self.detail else self.service


def check_case(case: FaultCase, baseline: Report, report: Report, seconds: float = 0.0) -> None:
    """Assert what the report must show for ``case`` (see :data:`CLASSES`)."""
    assert case.fault_id in CLASSES, case.fault_id
    assert seconds < BOUND_SECONDS, f"audit took {seconds:.1f} s"
    assert case.fault.acted, "the fault never acted: the test would prove nothing"
    gaps = report.coverage.gaps
    if case.detail is None:
        hits = [g for g in gaps if g.code == "MalformedResponse" and g.target is None]
        assert hits, [(g.scope, g.code, g.message) for g in gaps]
        in_scope = case.in_scope or (lambda r: r.service == case.service)
        scoped = {f.resource.id for f in baseline.findings if in_scope(f.resource)}
        assert scoped, "the fault's scope lists nothing: the test would prove nothing"
        compliant = {f.resource.id for f in report.findings if f.status is Status.COMPLIANT}
        assert not scoped & compliant, "a resource of a malformed scope is reported compliant"
        audited = {a.scope for a in report.coverage.audited if a.resources}
        assert not audited & {g.scope for g in hits}, "a malformed scope counted as audited"
        return
    call, name, code = case.detail
    before = {f.resource.id: f for f in baseline.findings}
    after = {f.resource.id: f for f in report.findings}
    assert set(after) == set(before), "a listed resource was dropped"
    assert Counter(f.resource.id for f in report.findings).most_common(1)[0][1] == 1
    hit = [f for f in after.values() if _concerned(f, name, call, code, case.axis)]
    assert hit, [(f.resource.name, f.status, f.reasons) for f in after.values()]
    for f in hit:
        assert f.status is Status.UNKNOWN, (f.resource.name, f.reasons)
        assert any(call in r and code in r for r in f.reasons), f.reasons
        assert not any("region catalog" in r for r in f.reasons), f.reasons
    for rid, f in after.items():
        if f not in hit:
            assert f.status is before[rid].status, (f.resource.name, f.reasons)
    targets = [g for g in gaps if g.target and g.code == code and call in g.message]
    assert targets, [(g.scope, g.code, g.target, g.message) for g in gaps]


def _concerned(f: Finding, name: str, call: str, code: str, axis: str) -> bool:
    if name and name not in f.resource.name:
        return False
    r = f.resource
    locations = (r.location,) if axis == "location" else r.data_locations
    return any(
        loc.kind is LocationKind.UNKNOWN and call in (loc.note or "") and code in (loc.note or "")
        for loc in locations
    )


# ---------------------------------------------------------------------------- the doc table
BEGIN = "<!-- answer-faults:begin -->"
END = "<!-- answer-faults:end -->"


def cases() -> dict[str, list[FaultCase]]:
    """Every cloud's ``CASES`` (imports the test modules)."""
    return {c: list(importlib.import_module(f"test_answers_{c}").CASES) for c in CLOUDS}


def render_table(by_cloud: dict[str, list[FaultCase]]) -> str:
    """One row per fault class: what the report shows, the bound, and where it is tested."""
    head = "| fault | what the report shows | bound | " + " | ".join(CLOUDS) + " |"
    rows = [head, "|---|---|---|" + "---|" * len(CLOUDS)]
    for fault_id, (what, shows) in CLASSES.items():
        cells = []
        for cloud in CLOUDS:
            labels = sorted({c.label for c in by_cloud.get(cloud, []) if c.fault_id == fault_id})
            cells.append(", ".join(f"`{x}`" for x in labels) or "n/a")
        bound = f"< {BOUND_SECONDS:.0f} s"
        rows.append(f"| **{fault_id}**: {what} | {shows} | {bound} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def doc_path() -> Path:
    """``docs/reliability.md`` of this checkout."""
    return Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def doc_table(text: str) -> str:
    """The generated part of the doc (between the markers)."""
    m = re.search(re.escape(BEGIN) + r"\n(.*)\n" + re.escape(END), text, re.S)
    return m.group(1) if m else ""


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # the folders conftest.py puts on the path: this one, and the providers' fakes
    sys.path[:0] = [str(here), *(str(here.parent / "providers" / c) for c in CLOUDS[1:])]
    sys.path.insert(0, str(here.parents[1]))  # ``tests.`` imports of the provider fakes
    table = render_table(cases())
    path = doc_path()
    text = path.read_text()
    block = f"{BEGIN}\n{table}\n{END}"
    text = re.sub(re.escape(BEGIN) + r".*" + re.escape(END), lambda _m: block, text, flags=re.S)
    path.write_text(text)
    sys.stdout.write(table + "\n")
