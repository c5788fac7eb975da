"""A single-valued option given twice is a usage error (exit 2), never "the last one wins".

Before, ``cloudaudit demo --format sarif --output r.sarif --format html --output r.html`` wrote
only the HTML page and said nothing about the SARIF file it was asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.cli._once import repeated


def _commands(group: click.Group, ctx: click.Context, path: tuple[str, ...]) -> Iterator[Any]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        if isinstance(command, click.Group):
            sub = click.Context(command, info_name=name, parent=ctx)
            yield from _commands(command, sub, (*path, name))
        else:
            yield (*path, name), command


def _every_command() -> list[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(main, info_name="cloudaudit")
    return list(_commands(main, ctx, ()))


def test_format_given_twice_writes_nothing(tmp_path: Path) -> None:
    sarif, html = tmp_path / "r.sarif", tmp_path / "r.html"
    args = ["demo", "--format", "sarif", "-o", str(sarif), "--format", "html", "-o", str(html)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "--format given 2 times ('sarif', 'html')" in result.output
    assert "comma-separated, with --output-dir DIR" in result.output
    assert "demo [OPTIONS]" in result.output  # the command's usage, not the group's
    assert not sarif.exists() and not html.exists()
    assert '"findings"' not in result.output  # no report on stdout either


def test_output_given_twice_in_any_spelling(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    result = CliRunner().invoke(
        main, ["demo", "--format", "json", f"--output={a}", "--output-dir", str(b)]
    )
    assert result.exit_code == 2
    assert f"--output given 2 times ('{a}', '{b}')" in result.output
    assert not a.exists() and not b.exists()


def test_repeatable_options_and_values_that_look_like_options_are_left_alone() -> None:
    aws = dict(_every_command())[("audit", "aws")]
    assert repeated(aws, ["--regions", "eu-west-1", "--regions", "us-east-1"]) is None
    assert repeated(aws, ["--session-name", "--format", "--format", "json"]) is None
    assert repeated(aws, ["--format", "json", "--", "--format", "csv"]) is None
    assert repeated(aws, ["--format", "json", "--format", "csv", "--help"]) is None
    assert repeated(aws, ["-oa", "--format=json", "--output-dir", "b"]) == ("--output", ["a", "b"])
    assert repeated(aws, ["--format", "json", "--format=csv"]) == ("--format", ["json", "csv"])


def test_several_formats_in_one_option_still_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--format", "json,sarif", "--output-dir", str(tmp_path), "--quiet"]
    )
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "report.json").exists() and (tmp_path / "report.sarif").exists()


@pytest.mark.parametrize(
    ("path", "command"), _every_command(), ids=[" ".join(p) for p, _ in _every_command()]
)
def test_every_command_refuses_a_single_valued_option_twice(
    path: tuple[str, ...], command: click.Command
) -> None:
    """Class-wide: each single-valued option of each command (audits included), given twice."""
    single = [
        p
        for p in command.params
        if isinstance(p, click.Option) and not (p.is_flag or p.count or p.multiple)
    ]
    for option in single:
        name = next((o for o in option.opts if o.startswith("--")), option.opts[0])
        result = CliRunner().invoke(main, [*path, option.opts[-1], "x", name, "y"])
        assert result.exit_code == 2, (path, name, result.output)
        assert f"{name} given 2 times ('x', 'y')" in result.output, (path, name, result.output)
