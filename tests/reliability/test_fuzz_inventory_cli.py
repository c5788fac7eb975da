"""Fuzzing inventory files and CLI arguments: typed errors naming file/field/fix, exit code 2.

Never a traceback for the user, never code execution (formula-like cells are data), and huge
or deeply nested inputs are refused quickly.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit.cli import main
from cloudaudit.inventory import InventoryError, parse_csv, parse_json

FIELDS = ["provider", "id", "name", "region", "zone", "service", "type", "account", "copies"]
FIELDS += ["tags", "location", "kind", "__class__", "data_locations", ""]
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=15),
    st.sampled_from(["aws", "gcp", "eu-west-1", "=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1"]),
)
docs = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)
    ),
    max_leaves=25,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(docs)
def test_json_inventory_gives_resources_or_a_typed_error(doc: object) -> None:
    try:
        resources = parse_json(json.dumps(doc), "inv.json")
    except InventoryError as exc:
        assert "inv.json" in str(exc)
        assert exc.problems  # (field, problem, fix)
    else:
        assert all(r.id for r in resources)


cell = st.one_of(st.text(max_size=12), st.sampled_from(["=1+1", "@cmd", "+x", "-y", '"', "\x00"]))


@SETTINGS
@given(st.lists(st.lists(cell, min_size=1, max_size=8), max_size=6), st.booleans())
def test_csv_inventory_gives_resources_or_a_typed_error(
    rows: list[list[str]], header: bool
) -> None:
    lines = [",".join(FIELDS[:6])] if header else []
    lines += [",".join(r) for r in rows]
    try:
        resources = parse_csv("\n".join(lines), "inv.csv")
    except InventoryError as exc:
        assert "inv.csv" in str(exc)
    else:
        assert all(r.id for r in resources)


def test_deeply_nested_and_huge_json_are_refused() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    for text in (nested, json.dumps([{"provider": "aws", "id": "x"}] * 2)[:-1] + "," * 10):
        try:
            parse_json(text, "big.json")
        except InventoryError as exc:
            assert "big.json" in str(exc)


args = st.lists(
    st.one_of(
        st.sampled_from(
            ["--format", "--policy", "--output", "-o", "--zone", "json", "csv", "nope", "aws"]
        ),
        st.sampled_from(["--fail-on", "never", "eu-gdpr", "--help", "x" * 300, "--", "'; rm"]),
        st.text(max_size=10),
    ),
    max_size=5,
)
COMMANDS = [
    ["audit", "inventory"],
    ["demo"],
    ["locate"],
    ["policies", "show"],
    ["diff"],
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(COMMANDS), args, docs)
def test_cli_never_shows_a_traceback(command: list[str], extra: list[str], doc: object) -> None:
    runner = CliRunner()
    # Random arguments may include "--output NAME": run in a scratch directory, never the repo.
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        inv, old = Path(tmp, "inv.json"), Path(tmp, "old.json")
        inv.write_text(json.dumps(doc))
        old.write_text(json.dumps(doc))
        files = {"audit": [str(inv)], "diff": [str(old), str(inv)]}.get(command[0], [])
        result = runner.invoke(main, [*command, *files, *extra])
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{command + extra}: uncaught {result.exception!r}")
    # 3: an inventory export whose every record was set aside audited nothing
    assert result.exit_code in (0, 1, 2, 3), (command, extra, result.exit_code, result.output)
