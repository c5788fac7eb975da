"""docs/reliability.md shows the fault matrix the tests run."""

import answer_cases
import bound_cases
from fault_matrix import FAULTS, MATRIX, doc_path, doc_table, render_table


def test_doc_table_matches_the_test_data() -> None:
    assert doc_table(doc_path().read_text()) == render_table(), (
        "docs/reliability.md is stale: run python tests/reliability/fault_matrix.py"
    )


def test_every_cloud_covers_every_fault() -> None:
    for cloud, cells in MATRIX.items():
        assert set(cells) == set(FAULTS), f"{cloud} misses {set(FAULTS) - set(cells)}"


def test_answer_fault_table_matches_the_test_cases() -> None:
    by_cloud = answer_cases.cases()
    text = answer_cases.doc_path().read_text()
    assert answer_cases.doc_table(text) == answer_cases.render_table(by_cloud), (
        "docs/reliability.md is stale: run python tests/reliability/answer_cases.py"
    )


def test_bound_table_matches_the_test_limits() -> None:
    text = bound_cases.doc_path().read_text()
    assert bound_cases.doc_table(text) == bound_cases.render_table(), (
        "docs/reliability.md is stale: run python scripts/generate.py"
    )


def test_every_cloud_tests_a_malformed_list_answer() -> None:
    for cloud, cases in answer_cases.cases().items():
        assert {c.fault_id for c in cases} >= {"html-200-list", "truncated-list", "missing-list"}, (
            cloud
        )
