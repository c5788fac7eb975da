"""Options and plumbing shared by the audit commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from cloudaudit.errors import CloudAuditError
from cloudaudit.models import Report
from cloudaudit.policies import Policy, load_policy

__all__ = [
    "EXIT_CONFIG",
    "EXIT_OK",
    "EXIT_VIOLATIONS",
    "audit_options",
    "emit_report",
    "parse_options",
    "resolve_policy",
    "run_and_emit",
]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CONFIG = 2
FORMATS = ("table", "json")

F = TypeVar("F", bound=Callable[..., Any])


def audit_options(func: F) -> F:
    """Add --policy, --option, --format, --output and --max-workers to an audit command."""
    options = [
        click.option(
            "--policy",
            "policy",
            default="us-foreign-adversaries",
            show_default=True,
            help="Built-in policy name or path to a YAML/JSON policy file.",
        ),
        click.option(
            "--option",
            "policy_options",
            multiple=True,
            metavar="NAME=true|false",
            help="Set a policy option, e.g. --option us_dpf=true (repeatable).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="Output format.",
        ),
        click.option(
            "--output",
            "output",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Write the report to FILE instead of stdout.",
        ),
        click.option(
            "--max-workers",
            type=click.IntRange(1, 256),
            default=16,
            show_default=True,
            help="Most API units in flight at once.",
        ),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def parse_options(values: Sequence[str]) -> dict[str, bool]:
    """Parse ``NAME=true|false`` pairs."""
    out: dict[str, bool] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        val = raw.strip().lower()
        if not sep or not name or val not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
            raise click.BadParameter(
                f"{item!r}: write NAME=true or NAME=false", param_hint="--option"
            )
        out[name.strip()] = val in ("true", "yes", "1", "on")
    return out


def resolve_policy(name: str, option_values: Sequence[str]) -> Policy:
    """Load a policy for the CLI (errors propagate as ConfigurationError)."""
    return load_policy(name, options=parse_options(option_values) or None)


def emit_report(report: Report, fmt: str, output: Path | None) -> None:
    """Write the report in ``fmt`` to ``output`` (atomically) or stdout."""
    if fmt == "json":
        text = report.to_json() + "\n"
    else:
        from cloudaudit.cli._render import render_table

        text = render_table(report, color=output is None and sys.stdout.isatty())
    if output is None:
        click.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"report written to {output}", err=True)


def exit_code(report: Report) -> int:
    """0 when nothing violates, 1 when something does."""
    return EXIT_VIOLATIONS if report.summary.violation else EXIT_OK


def run_and_emit(make_report: Callable[[], Report], fmt: str, output: Path | None) -> None:
    """Run an audit, print it, and exit with the documented code."""
    report = make_report()
    emit_report(report, fmt, output)
    sys.exit(exit_code(report))


def config_errors(func: F) -> F:
    """Turn cloudaudit configuration errors into a clean message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CloudAuditError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)

    return wrapper  # type: ignore[return-value]
