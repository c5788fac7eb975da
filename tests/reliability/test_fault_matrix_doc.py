"""docs/reliability.md shows the fault matrix the tests run."""

from fault_matrix import FAULTS, MATRIX, doc_path, doc_table, render_table


def test_doc_table_matches_the_test_data() -> None:
    assert doc_table(doc_path().read_text()) == render_table(), (
        "docs/reliability.md is stale: run python tests/reliability/fault_matrix.py"
    )


def test_every_cloud_covers_every_fault() -> None:
    for cloud, cells in MATRIX.items():
        assert set(cells) == set(FAULTS), f"{cloud} misses {set(FAULTS) - set(cells)}"
