"""``cloudaudit guardrails REPORT``: the guardrails section of a report, alone.

Audits read the declared location guardrails with ``--guardrails`` (``cloudaudit audit aws
--organization --role R --guardrails``, ``audit azure --guardrails``, ``audit gcp
--guardrails``); this command shows what they found, without the per-resource findings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from cloudaudit.cli._common import EXIT_CONFIG, EXIT_FAIL, EXIT_OK, write_atomic
from cloudaudit.cli._outputs import NonEmptyPath

__all__ = ["guardrails_command", "guardrails_option"]

F = TypeVar("F", bound=Callable[..., object])


def guardrails_option(func: F) -> F:
    """The ``--guardrails`` flag of the audit commands (passed on as ``guardrails``)."""
    return click.option(
        "--guardrails",
        is_flag=True,
        default=False,
        help=(
            "Also read the declared location guardrails (SCPs/RCPs, Azure Policy allowed "
            "locations, GCP resourceLocations) and compare them with the policy and the "
            "resources (needs the extra read permissions in the provider docs)."
        ),
    )(func)


@click.command("guardrails")
@click.argument("report_path", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("markdown", "json")),
    default="markdown",
    show_default=True,
    help="markdown for people, json (the section as in the report) for machines.",
)
@click.option(
    "--output",
    type=NonEmptyPath(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE (atomically) instead of stdout.",
)
def guardrails_command(report_path: Path, fmt: str, output: Path | None) -> None:
    """Show the guardrail findings of report REPORT.json, alone.

    Three findings, per scope: a guardrail permits a location the policy restricts; a
    resource exists outside what its guardrail allows; a scope has no guardrail. Exits 1
    when there is any, 0 when there is none, 2 when the file is not a report or the audit
    did not read guardrails (run it with --guardrails).
    """
    from pydantic import ValidationError

    from cloudaudit.report import Report

    try:
        report = Report.from_json(report_path.read_bytes())
    except (ValidationError, OSError) as exc:
        click.echo(f"error: {report_path} is not a cloudaudit JSON report: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    section = report.guardrails
    if section is None:
        click.echo(
            f"error: {report_path} has no guardrails section; audit with --guardrails", err=True
        )
        sys.exit(EXIT_CONFIG)
    if fmt == "json":
        text = json.dumps(section.model_dump(mode="json"), indent=2) + "\n"
    else:
        from cloudaudit.formats._guardrails import guardrail_markdown

        text = "\n".join(guardrail_markdown(report)) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
    sys.exit(EXIT_FAIL if section.findings else EXIT_OK)
