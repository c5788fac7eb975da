"""A path the system cannot even look up is bad input, in every command and every path option.

A name longer than the file system allows (``ENAMETOOLONG``, 255 bytes on Linux) makes
``Path.exists()`` and ``Path.is_dir()`` raise instead of answering; a command that checks
its ``--output``, ``--evidence`` or input path that way must still end with exit 2 and one
line naming the path, never a traceback, and write nothing. Found by the CLI fuzz test
(``--output`` of 300 characters); every path parameter of every command is tried here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from tests.interfaces.test_dora import MAPPING

LONG = "x" * 300


def _commands(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(click.Context(cmd)):
            sub = cmd.get_command(click.Context(cmd), name)
            assert sub is not None
            yield from _commands(sub, (*path, name))
    elif any(isinstance(p.type, click.Path) for p in cmd.params):
        yield path


# Each command with valid values for what it needs (arguments, options); every path
# parameter is then made too long in turn.
VALID: dict[tuple[str, ...], tuple[list[str], list[str]]] = {
    ("demo",): ([], []),
    ("audit", "inventory"): (["inv.json"], []),
    ("audit", "aws"): ([], []),
    ("audit", "gcp"): ([], ["--project", "p"]),
    ("audit", "azure"): ([], ["--subscription", "00000000-0000-0000-0000-000000000000"]),
    ("audit", "alibaba"): ([], []),
    ("render",): (["report.json"], []),
    ("replay",): (["bundle"], []),
    ("verify",): (["bundle"], []),
    ("diff",): (["report.json", "report.json"], []),
    ("guardrails",): (["report.json"], []),
    ("dora-roi",): (["report.json"], ["--mapping", "dora.yaml", "--output-dir", "roi"]),
    ("dora-diff",): (["roi/b_02.02.csv", "report.json"], ["--mapping", "dora.yaml"]),
}


def _cases() -> Iterator[tuple[tuple[str, ...], str, list[str]]]:
    for command in _commands(main):
        positionals, options = VALID[command]  # a new command with a path: add it above
        cmd: click.Command = main
        for name in command:
            found = cmd.get_command(click.Context(cmd), name)  # type: ignore[attr-defined]
            assert found is not None
            cmd = found
        arguments = [q for q in cmd.params if isinstance(q, click.Argument)]
        for p in cmd.params:
            if not isinstance(p.type, click.Path):
                continue
            if isinstance(p, click.Argument):
                args = list(positionals)
                args[arguments.index(p)] = LONG
                yield command, str(p.name), [*args, *options]
                continue
            opt = p.opts[0]
            kept = [o for i, o in enumerate(options) if opt not in options[max(0, i - 1) : i + 1]]
            yield command, opt, [*positionals, *kept, opt, LONG]
            if p.name in ("output", "output_dir"):
                yield command, f"{opt} in a folder", [*positionals, *kept, opt, f"{LONG}/r.out"]


CASES = list(_cases())


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    runner = CliRunner()
    with contextlib.chdir(root):
        (root / "inv.json").write_text("[]")
        (root / "dora.yaml").write_text(MAPPING)
        res = runner.invoke(main, ["demo", "--format", "json", "--output", "report.json"])
        assert res.exit_code in (0, 1), res.output
        res = runner.invoke(main, ["audit", "inventory", "inv.json", "--evidence", "bundle"])
        assert (root / "bundle" / "manifest.json").is_file(), res.output
        positionals, options = VALID[("dora-roi",)]
        res = runner.invoke(main, ["dora-roi", *positionals, *options])
        assert (root / "roi").is_dir(), res.output
    return root


def test_every_path_parameter_is_tried() -> None:
    tried = {(c, what) for c, what, _ in CASES}
    assert {(("audit", "aws"), "--evidence"), (("render",), "--output-dir")} <= tried
    assert {(("audit", "inventory"), "sources"), (("dora-diff",), "report")} <= tried
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("command", "what", "args"), CASES, ids=[f"{' '.join(c)} {w}" for c, w, _ in CASES]
)
def test_a_name_too_long_is_a_clear_error(
    command: tuple[str, ...],
    what: str,
    args: list[str],
    inputs: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(inputs)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    before = sorted(str(p) for p in inputs.rglob("*"))
    result = CliRunner().invoke(main, [*command, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: uncaught {result.exception!r}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 2, (result.exit_code, result.output[-400:])
    assert "xxxxxxxxxx" in result.output  # the message names the path
    assert sorted(str(p) for p in inputs.rglob("*")) == before  # nothing half-written


@pytest.mark.parametrize(
    "args",
    [
        ["dora-roi", "report.json", "--mapping", "dora.yaml", "--output-dir", "report.json/roi"],
        ["dora-roi", "report.json", "--mapping", "dora.yaml", "--output-dir", "report.json"],
        ["audit", "inventory", "inv.json", "--evidence", "report.json/bundle"],
        ["audit", "alibaba", "--evidence", "report.json/bundle"],
        ["audit", "aws", "--evidence", "bundle"],  # a bundle already there
    ],
    ids=["roi under a file", "roi is a file", "bundle under a file", "before keys", "taken"],
)
def test_a_folder_that_cannot_be_made_is_refused_before_anything(
    args: list[str], inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(inputs)
    before = sorted(str(p) for p in inputs.rglob("*"))
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert "report.json" in result.output or "bundle" in result.output
    assert "credentials" not in result.output  # the folder is refused before anything else
    assert sorted(str(p) for p in inputs.rglob("*")) == before


@pytest.mark.parametrize("option", ["--output", "--evidence"])
def test_the_longest_name_the_system_allows_is_used(
    option: str, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """250 characters: allowed, though its temporary sibling (``.NAME.xxxxxxxx.partial``)
    would not be with the whole name in it."""
    monkeypatch.chdir(tmp_path)
    name = "r" * 250
    args = ["audit", "inventory", str(inputs / "inv.json"), option, name]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code in (0, 1, 3), result.output
    assert (tmp_path / name).exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary sibling left
