"""``cloudaudit replay`` and ``cloudaudit verify``: evidence bundles, offline."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from cloudaudit.cli._common import (
    EXIT_FAIL,
    EXIT_OK,
    as_of_option,
    complete_policy,
    config_errors,
    fail_on_option,
    quiet_option,
    run_and_emit,
)
from cloudaudit.cli._outputs import NonEmptyPath, format_option, output_option

__all__ = ["replay_command", "verify_command"]

_BUNDLE = click.argument("bundle", type=NonEmptyPath(exists=True, file_okay=False, path_type=Path))


@click.command("replay")
@_BUNDLE
@click.option(
    "--policy",
    default=None,
    shell_complete=complete_policy,
    help="Judge under this policy instead of the bundle's own.",
)
@as_of_option
@format_option()
@output_option()
@fail_on_option()
@quiet_option
@config_errors
def replay_command(
    bundle: Path,
    policy: str | None,
    as_of: datetime | None,
    fmt: str,
    output: Path | None,
    fail_on: tuple[str, ...],
    quiet: bool,
) -> None:
    """Re-derive the report from an evidence BUNDLE, offline (no cloud call).

    By default the result equals the original audit's (its policy, as of its date); with
    --policy or --as-of it answers "what would this audit have said under these rules?".
    The bundle is verified first: one that does not match its manifest (see `verify`) is
    refused with exit code 2. Otherwise, exit codes as for `audit`.
    """
    from cloudaudit.evidence import replay

    day = as_of.date() if as_of is not None else None
    run_and_emit(
        lambda: replay(bundle, policy, as_of=day), fmt, output, fail_on=fail_on, quiet=quiet
    )


@click.command("verify")
@_BUNDLE
@config_errors
def verify_command(bundle: Path) -> None:
    """Check an evidence BUNDLE against its manifest (hashes of every file and record).

    Prints the manifest's SHA-256 (keep it with the audit's records: a bundle whose manifest
    was rewritten no longer matches it). Exits 0 when intact, 1 when anything differs.
    """
    import hashlib

    from cloudaudit.evidence import verify_bundle

    problems = verify_bundle(bundle)
    digest = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    for p in problems:
        click.echo(f"FAIL {p}")
    click.echo(f"{'intact' if not problems else 'TAMPERED'}: {bundle} (manifest sha256 {digest})")
    sys.exit(EXIT_FAIL if problems else EXIT_OK)
