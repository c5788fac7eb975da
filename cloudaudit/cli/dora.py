"""``cloudaudit dora-roi`` and ``cloudaudit dora-diff``: the DORA register's location fields."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cloudaudit._filemode import existing_folder
from cloudaudit.cli._common import EXIT_CONFIG, EXIT_FAIL, EXIT_OK, config_errors, write_atomic
from cloudaudit.cli._files import OutputError
from cloudaudit.cli._outputs import NonEmptyPath
from cloudaudit.report import Report

__all__ = ["dora_diff_command", "dora_roi_command", "read_report"]

_MAPPING = click.option(
    "--mapping",
    required=True,
    type=NonEmptyPath(dir_okay=False, path_type=Path),
    help="YAML file joining arrangements to accounts and services (see docs/dora.md).",
)


def read_report(path: Path) -> Report:
    """Read a cloudaudit JSON report, or exit 2 with one line saying what is wrong."""
    from pydantic import ValidationError

    try:
        return Report.from_json(path.read_bytes())
    except (ValidationError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0]
        click.echo(f"error: {path} is not a cloudaudit JSON report ({first})", err=True)
        sys.exit(EXIT_CONFIG)


@click.command("dora-roi")
@click.argument("report", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@_MAPPING
@click.option(
    "--output-dir",
    required=True,
    type=NonEmptyPath(file_okay=False, path_type=Path),
    help="Folder for b_02.02.csv, b_05.01.csv and unresolved.csv (created if missing).",
)
@config_errors
def dora_roi_command(report: Path, mapping: Path, output_dir: Path) -> None:
    """Write the DORA register's location data points (B_02.02, B_05.01) from REPORT.json.

    Exits 0, or 1 when some resources or copies could not be placed (see unresolved.csv).
    """
    from cloudaudit.dora import load_mapping, roi_tables

    _check_folder(output_dir)
    m = load_mapping(mapping)
    tables = roi_tables(read_report(report), m)
    files = tables.files()
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(output_dir, exc.strerror or str(exc)) from None
    for name, text in files.items():
        write_atomic(output_dir / name, text)
    rows = len(tables.b_02_02)
    click.echo(
        f"wrote {rows} B_02.02 row(s), {len(tables.b_05_01)} B_05.01 row(s) and "
        f"{len(tables.unresolved)} unresolved item(s) to {output_dir}",
        err=True,
    )
    sys.exit(EXIT_FAIL if tables.unresolved else EXIT_OK)


def _unwritable(folder: Path, why: str) -> OutputError:
    return OutputError(
        f"cannot write the register tables to {folder}: {why} (choose another folder)"
    )


def _check_folder(folder: Path) -> None:
    """Refuse now (exit 2) a folder the tables cannot be written to; create nothing."""
    try:
        existing = existing_folder(folder)
        if not existing.is_dir():
            raise _unwritable(folder, f"{existing} is not a folder")
    except OSError as exc:  # the name cannot even be looked up (too long, a loop of links)
        raise _unwritable(folder, exc.strerror or str(exc)) from None
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _unwritable(folder, f"{existing} is not writable")


@click.command("dora-diff")
@click.argument("register", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@click.argument("report", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@_MAPPING
@config_errors
def dora_diff_command(register: Path, report: Path, mapping: Path) -> None:
    """Compare a register's B_02.02 table (REGISTER.csv) with where REPORT.json found data.

    Lists countries where data was found but the register does not declare them (+),
    declared countries with nothing in them (-) and what could not be placed (?). Exits 1
    when the register misses something or something could not be placed, 0 otherwise.
    """
    from cloudaudit.dora import load_mapping, parse_register, register_diff

    m = load_mapping(mapping)
    try:
        text = register.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"error: cannot read {register}: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    d = register_diff(parse_register(text, str(register)), read_report(report), m)
    for line in d.lines():
        click.echo(line)
    sys.exit(EXIT_OK if d.clean else EXIT_FAIL)
