"""Options shared by the audit commands, and the names a command needs to finish.

Provider commands decorate themselves with :func:`audit_options` and finish with
:func:`~cloudaudit.cli._run.run_providers` (or :func:`~cloudaudit.cli._run.run_and_emit`),
passing on the options they received; those, the exit codes and the report writers are
re-exported here so that a command imports from one module.

Exit codes (decided in :mod:`cloudaudit.outcome`): 0 nothing to fail on, 1 a ``--fail-on``
condition is met (by default: a violation), 2 usage or configuration error, 3 a provider
audited nothing (no scope audited, or credentials refused) whatever ``--fail-on`` says.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, overload

import click
from click.shell_completion import CompletionItem

from cloudaudit.cli._outputs import (
    NonEmptyPath,
    OutputError,
    checks_output_first,
    format_option,
    output_option,
    write_atomic,
    write_streamed,
)
from cloudaudit.cli._run import (
    emit_report,
    exit_code,
    progress_wanted,
    run_and_emit,
    run_providers,
    stream_jsonl,
)
from cloudaudit.errors import CloudAuditError
from cloudaudit.formats import FORMATS
from cloudaudit.outcome import EXIT_CONFIG, EXIT_FAIL, EXIT_NOT_AUDITED, EXIT_OK
from cloudaudit.policies import Policy, load_policy
from cloudaudit.report import FAIL_ON

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAIL",
    "EXIT_NOT_AUDITED",
    "EXIT_OK",
    "EXIT_VIOLATIONS",
    "FAIL_ON",
    "FORMATS",
    "OutputError",
    "as_of_option",
    "audit_options",
    "complete_policy",
    "config_errors",
    "emit_report",
    "exit_code",
    "fail_on_option",
    "parse_options",
    "progress_wanted",
    "quiet_option",
    "resolve_policy",
    "run_and_emit",
    "run_providers",
    "stream_jsonl",
    "write_atomic",
    "write_streamed",
]

EXIT_VIOLATIONS = EXIT_FAIL

F = TypeVar("F", bound=Callable[..., Any])


def fail_on_option(default: Sequence[str] = ("violation",)) -> Callable[[F], F]:
    """The ``--fail-on`` option (repeatable), passed to the command as ``fail_on``."""
    shown = ", ".join(default) or "never"
    return click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON),
        multiple=True,
        default=tuple(default),
        help=f"Exit 1 when the report has a violation, an unknown or a coverage gap "
        f"(repeatable; 'never': no exit 1). Exit 3 when a provider audited nothing, whatever "
        f"this says. Default: {shown}.",
    )


def quiet_option(func: F) -> F:
    """The ``--quiet`` option (``quiet``): no progress bar, no status lines on stderr."""
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No progress bar and no status messages on stderr.",
    )(func)


as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge exemptions and legal lists as they stood on this date (YYYY-MM-DD).",
)
"""The ``--as-of`` option (``as_of``, a datetime or None): the date a verdict is judged by."""


def complete_policy(
    _ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from cloudaudit.policies import builtin_policy_names

    return [CompletionItem(n) for n in builtin_policy_names() if n.startswith(incomplete)]


@overload
def audit_options(func: F) -> F: ...


@overload
def audit_options(func: None = None, *, max_workers: int = 16) -> Callable[[F], F]: ...


def audit_options(func: F | None = None, *, max_workers: int = 16) -> Any:
    """Add the options every audit command shares (``@audit_options`` or with a default).

    The command receives ``policy``, ``policy_options``, ``fmt``, ``output``, ``max_workers``,
    ``evidence``, ``as_of``, ``fail_on``, ``quiet``, ``deadline`` and ``partial_on_interrupt``,
    and passes all but the first two on to :func:`~cloudaudit.cli._run.run_providers`.

    Args:
        func: The command function (when used as a bare decorator).
        max_workers: The default of --max-workers: the provider's units are I/O-bound (a few
            calls of ~100 ms each), so a provider without tight rate limits sets it higher.
    """
    if func is None:
        return functools.partial(audit_options, max_workers=max_workers)
    options = [
        click.option(
            "--policy",
            "policy",
            default="us-foreign-adversaries",
            show_default=True,
            shell_complete=complete_policy,
            help="Built-in policy name or path to a YAML/JSON policy file.",
        ),
        click.option(
            "--option",
            "policy_options",
            multiple=True,
            metavar="NAME=true|false",
            help="Set a policy option, e.g. --option us_dpf=true (repeatable).",
        ),
        format_option(),
        output_option(),
        click.option(
            "--max-workers",
            type=click.IntRange(1, 256),
            default=max_workers,
            show_default=True,
            help="Most API units in flight at once.",
        ),
        click.option(
            "--evidence",
            "evidence",
            type=NonEmptyPath(file_okay=False, path_type=Path),
            default=None,
            help="Write an evidence bundle (what every unit read, hashed) to this new folder; "
            "`cloudaudit replay` and `verify` read it (docs/evidence.md).",
        ),
        as_of_option,
        fail_on_option(),
        quiet_option,
        click.option(
            "--deadline",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            metavar="SECONDS",
            help="Stop starting work this many seconds after the audit begins: what was not "
            "reached is a Cancelled coverage gap (docs/reliability.md).",
        ),
        click.option(
            "--partial-on-interrupt",
            is_flag=True,
            help="On Ctrl-C, stop the audit and still write the report, marked incomplete "
            "(Interrupted and Cancelled gaps); exit code 130. Default: write nothing.",
        ),
    ]
    func = checks_output_first(func)  # before any cloud call: exit 2 naming the path
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
