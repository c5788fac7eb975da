"""A bulk evaluation keeps its findings as a table; the report behaves as with a tuple."""

import copy
import io
import pickle
from collections import Counter

import pytest

from cloudaudit import Report, evaluate
from cloudaudit._evaluate import make_report
from cloudaudit._finding_table import FindingTable
from cloudaudit.demo import demo_policy, demo_resources
from cloudaudit.diff import diff
from cloudaudit.formats import FORMATS, render, write_report
from cloudaudit.formats.table import TableOptions, render_table
from cloudaudit.models import Coverage, Status
from cloudaudit.policies import Engine
from cloudaudit.report import (
    NOT_COMPLIANT,
    by_country_status,
    sorted_findings,
    status_counts,
    worst_first,
)

# Every test here runs on the compiled loops and on the Python ones (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("loops")


@pytest.fixture(scope="module")
def pair() -> tuple[Report, Report]:
    """The same audit twice: findings as a table (``evaluate``) and as a tuple."""
    resources, policy = demo_resources(), demo_policy()
    lazy = evaluate(resources, policy)
    findings = tuple(Engine(policy).findings(resources))
    eager = make_report(policy, findings, Coverage(), lazy.started_at, None, lazy.sources)
    eager = eager.model_copy(update={"finished_at": lazy.finished_at})
    return lazy, eager


def test_the_sequence_is_the_tuple(pair: tuple[Report, Report]) -> None:
    lazy, eager = pair
    table, items = lazy.findings, eager.findings
    assert isinstance(table, FindingTable) and isinstance(items, tuple)
    assert len(table) == len(items) > 3
    assert list(table) == list(items)
    assert [table[i] for i in range(-len(items), len(items))] == [*items, *items]
    assert table[1:4] == items[1:4] and table[::-2] == items[::-2]
    assert table == items and items == table and table != items[1:]
    assert table + items[:1] == (*items, items[0]) and items[:1] + table == (items[0], *items)
    assert table.count(items[0]) == 1 and table.index(items[2]) == 2
    assert repr(table) == repr(items)
    with pytest.raises(IndexError):
        table[len(items)]


def test_the_report_is_the_same_report(pair: tuple[Report, Report]) -> None:
    lazy, eager = pair
    assert lazy == eager and eager == lazy
    assert lazy.summary == eager.summary
    assert lazy.model_dump() == eager.model_dump()
    assert lazy.model_dump(mode="json") == eager.model_dump(mode="json")
    assert lazy.model_dump_json() == eager.model_dump_json()
    assert lazy.to_json() == eager.to_json()
    back = Report.model_validate_json(lazy.to_json())
    assert isinstance(back.findings, tuple) and back == lazy
    assert pickle.loads(pickle.dumps(lazy)) == eager
    assert copy.deepcopy(lazy) == eager
    assert lazy.filter(status="violation") == eager.filter(status="violation")
    assert lazy.by_provider("aws") == eager.by_provider("aws")


def test_every_format_writes_the_same(pair: tuple[Report, Report]) -> None:
    lazy, eager = pair
    for fmt in FORMATS:
        assert render(lazy, fmt) == render(eager, fmt), fmt
        out = io.StringIO()
        write_report(lazy, fmt, out)
        assert out.getvalue() == render(eager, fmt), fmt


def test_notebook_and_diff_are_the_same(pair: tuple[Report, Report]) -> None:
    pytest.importorskip("pandas")
    lazy, eager = pair
    assert lazy.to_dataframe().equals(eager.to_dataframe())
    assert diff(eager, lazy) == diff(eager, eager)
    assert diff(lazy, eager) == diff(eager, eager)


def test_counts_do_not_build_findings(pair: tuple[Report, Report]) -> None:
    lazy, eager = pair
    assert isinstance(lazy.findings, FindingTable)
    counts = lazy.findings.counts()
    assert sum(counts.values()) == len(eager.findings)
    for status, n in counts.items():
        assert n == len(eager.by_status(status))
    completed = [f.resource for f in eager.findings]
    assert list(lazy.findings.resources()) == completed


def test_a_table_needs_one_record_per_resource() -> None:
    from array import array

    with pytest.raises(ValueError, match="one record number per resource"):
        FindingTable("p", tuple(demo_resources()[:2]), array("I", [0]), ())


def test_json_is_written_in_batches_with_guardrails_and_without_findings() -> None:
    from cloudaudit.formats import _stream

    resources, policy = demo_resources(), demo_policy()
    for report in (
        evaluate(resources, policy, guardrails=()),  # a guardrails section with "findings": []
        evaluate((), policy),
        evaluate(resources * 3, policy),
    ):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_stream, "BATCH", 2)  # several batches, one of them short
            out = io.StringIO()
            write_report(report, "json", out)
        assert out.getvalue() == render(report, "json")


@pytest.mark.parametrize(
    "options",
    [
        {"include": {"findings": {0, 2}}},
        {"include": {"findings": {1: {"resource": {"name"}}}}},
        {"exclude": {"findings": {"__all__": {"evidence"}}}},
        {"exclude": {"coverage"}},
        {"include": {"policy_id"}},
        {"exclude_none": True},
        {"exclude_defaults": True},
        {"round_trip": True},
    ],
)
def test_dump_options_apply_as_to_a_tuple(
    pair: tuple[Report, Report], options: dict[str, object]
) -> None:
    lazy, eager = pair
    assert lazy.model_dump_json(**options) == eager.model_dump_json(**options)  # type: ignore[arg-type]
    assert lazy.model_dump(**options) == eager.model_dump(**options)  # type: ignore[arg-type]


def test_worst_first_is_sorted_findings_each_built_when_reached(
    pair: tuple[Report, Report],
) -> None:
    """The lazy order of a table is sorted_findings' order, status filter and ties included."""
    lazy, eager = pair
    statuses = {f.status for f in eager.findings}
    assert len(statuses) >= 3
    for keep in (None, NOT_COMPLIANT, {Status.COMPLIANT}, {Status.VIOLATION, Status.EXEMPT}, set()):
        want = [f for f in sorted_findings(eager) if keep is None or f.status in keep]
        assert list(worst_first(lazy, keep)) == want
        assert list(worst_first(eager, keep)) == want
        assert list(worst_first(lazy.findings, keep)) == want
    assert status_counts(lazy) == status_counts(eager) == Counter(f.status for f in eager.findings)
    assert by_country_status(lazy) == by_country_status(eager)  # per verdict, nothing built
    assert list(by_country_status(lazy)) == list(by_country_status(eager))


def test_a_long_table_lists_and_counts_the_same_rows(pair: tuple[Report, Report]) -> None:
    """Past ``max_rows`` the table builds only the rows it shows, and counts the rest."""
    lazy, eager = pair
    for only in (None, ("compliant",), ("violation", "unknown")):
        opts = TableOptions(max_rows=2, only=only, width=100, color=False)
        text = render_table(lazy, opts)
        assert text == render_table(eager, opts)
        assert "more findings" in text or only == ("compliant",)
