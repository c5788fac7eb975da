"""``cloudaudit replay`` and ``cloudaudit verify``: evidence bundles, offline."""

from __future__ import annotations

import re
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


def _sha256_hex(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise click.BadParameter(
            f"{value!r} is not a SHA-256 (64 hexadecimal digits). Fix: give the digest the "
            "audit printed when it wrote the bundle (`evidence: DIR, manifest sha256 ...`)."
        )
    return value


_EXPECT = click.option(
    "--expect-sha256",
    "expect",
    metavar="HEX",
    default=None,
    callback=_sha256_hex,
    help="The manifest's SHA-256 kept from the audit (it prints it when it writes the "
    "bundle): a bundle whose manifest was rewritten then fails too.",
)


@click.command("replay")
@_BUNDLE
@click.option(
    "--policy",
    default=None,
    shell_complete=complete_policy,
    help="Judge under this policy instead of the bundle's own.",
)
@as_of_option
@_EXPECT
@format_option()
@output_option()
@fail_on_option()
@quiet_option
@config_errors
def replay_command(
    bundle: Path,
    policy: str | None,
    as_of: datetime | None,
    expect: str | None,
    fmt: str,
    output: Path | None,
    fail_on: tuple[str, ...],
    quiet: bool,
) -> None:
    """Re-derive the report from an evidence BUNDLE, offline (no cloud call).

    By default the result equals the original audit's (its policy, as of its date); with
    --policy or --as-of it answers "what would this audit have said under these rules?".
    The bundle is verified first: one that does not match its manifest (see `verify`), or
    whose manifest is not the --expect-sha256 digest, is refused with exit code 2.
    Otherwise, exit codes as for `audit`.
    """
    from cloudaudit.evidence import replay

    day = as_of.date() if as_of is not None else None
    run_and_emit(
        lambda: replay(bundle, policy, as_of=day, expect_sha256=expect),
        fmt,
        output,
        fail_on=fail_on,
        quiet=quiet,
    )


@click.command("verify")
@_BUNDLE
@_EXPECT
@config_errors
def verify_command(bundle: Path, expect: str | None) -> None:
    """Check an evidence BUNDLE against its manifest (hashes of every file and record).

    Prints the manifest's SHA-256. Without --expect-sha256, a bundle edited together with its
    manifest still checks as intact: keep the digest the audit printed with its records and
    pass it here. Exits 0 when intact, 1 when anything differs, 2 on a bad argument.
    """
    from cloudaudit.evidence import manifest_sha256, verify_bundle

    problems = verify_bundle(bundle, expect_sha256=expect)
    digest = manifest_sha256(bundle)
    for p in problems:
        click.echo(f"FAIL {p}")
    click.echo(f"{'intact' if not problems else 'TAMPERED'}: {bundle} (manifest sha256 {digest})")
    sys.exit(EXIT_FAIL if problems else EXIT_OK)
