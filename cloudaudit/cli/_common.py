"""Options and plumbing shared by the audit commands.

Provider commands decorate themselves with :func:`audit_options` and finish with
:func:`run_providers` (or :func:`run_and_emit`), passing on the options they received. When an
audit fails (``--fail-on``) is decided by :func:`cloudaudit.report.fails`, for a finished report
and for a stream alike.

Exit codes (decided in :mod:`cloudaudit.outcome`): 0 nothing to fail on, 1 a ``--fail-on``
condition is met (by default: a violation), 2 usage or configuration error, 3 a provider
audited nothing (no scope audited, or credentials refused) whatever ``--fail-on`` says.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

import click
from click.shell_completion import CompletionItem

from cloudaudit import outcome
from cloudaudit.cli._outputs import (
    NonEmptyPath,
    OutputError,
    emit,
    format_option,
    output_option,
    temp_beside,
    write_atomic,
)
from cloudaudit.errors import CloudAuditError
from cloudaudit.formats import FORMATS
from cloudaudit.models import Coverage
from cloudaudit.outcome import EXIT_CONFIG, EXIT_FAIL, EXIT_NOT_AUDITED, EXIT_OK
from cloudaudit.policies import Policy, load_policy
from cloudaudit.report import FAIL_ON, Report

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAIL",
    "EXIT_NOT_AUDITED",
    "EXIT_OK",
    "EXIT_VIOLATIONS",
    "FAIL_ON",
    "FORMATS",
    "OutputError",
    "audit_options",
    "complete_policy",
    "emit_report",
    "exit_code",
    "fail_on_option",
    "parse_options",
    "progress_wanted",
    "quiet_option",
    "resolve_policy",
    "run_and_emit",
    "write_atomic",
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
    ``evidence``, ``as_of``, ``fail_on``, ``quiet`` and ``deadline``, and passes all but the
    first two on to :func:`run_providers`.

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


def emit_report(report: Report, fmt: str, output: Path | None, *, quiet: bool = False) -> None:
    """Write the report in ``fmt`` (one format or several) to stdout, a file or a directory."""
    emit(report, fmt, output, quiet=quiet)


def exit_code(report: Report, fail_on: Iterable[str] = ("violation",)) -> int:
    """The documented exit code (:func:`cloudaudit.outcome.exit_code`).

    3 when a provider audited nothing whatever ``fail_on`` says, else 1 when a ``fail_on``
    condition holds (:func:`~cloudaudit.report.fails`), else 0.
    """
    return outcome.exit_code(report, fail_on)


def _warn_not_audited(coverage: Coverage) -> None:
    for reason in outcome.not_audited(coverage):
        click.echo(f"error: not audited: {reason}", err=True)


def progress_wanted(quiet: bool) -> bool:
    """True when a progress bar should be drawn: stderr is a terminal and not ``--quiet``."""
    return not quiet and sys.stderr.isatty()


def _accepts_progress(make_report: Callable[..., Report]) -> bool:
    try:
        params = inspect.signature(make_report).parameters
    except (TypeError, ValueError):
        return False
    return "progress" in params


def _run(make_report: Callable[..., Report], show: bool, *, log: bool = False) -> Report:
    from rich.console import Console

    if not show:
        if log and _accepts_progress(make_report):
            from cloudaudit.cli._progress import LineProgress

            return make_report(progress=LineProgress())
        return make_report()
    console = Console(stderr=True)
    if _accepts_progress(make_report):
        from cloudaudit.cli._render import AuditProgress

        with AuditProgress(console) as bar:
            return make_report(progress=bar)
    with console.status("auditing…"):
        return make_report()


def run_and_emit(
    make_report: Callable[..., Report],
    fmt: str,
    output: Path | None,
    *,
    fail_on: Sequence[str] = ("violation",),
    quiet: bool = False,
    progress: bool | None = None,
) -> None:
    """Run an audit, print it, and exit with the documented code.

    If ``make_report`` takes a ``progress`` keyword (``lambda progress=None: audit(...,
    progress=progress)``) it gets a progress callback drawing a bar on stderr; otherwise a
    spinner is shown. Neither appears with ``--quiet`` or when stderr is not a terminal.

    Args:
        make_report: Runs the audit.
        fmt: One of :data:`FORMATS`.
        output: File to write, or None for stdout.
        fail_on: Conditions for exit code 1 (the command's ``--fail-on``).
        quiet: The command's ``--quiet``: no progress, no status line.
        progress: Force the progress display on or off; defaults to :func:`progress_wanted`.
    """
    show = progress_wanted(quiet) if progress is None else progress
    report = _run(make_report, show, log=progress is None and not quiet and not show)
    emit_report(report, fmt, output, quiet=quiet)
    _warn_not_audited(report.coverage)
    sys.exit(exit_code(report, fail_on))


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


def run_providers(
    providers: Sequence[Any],
    pol: Policy,
    fmt: str,
    output: Path | None,
    *,
    max_workers: int,
    fail_on: Sequence[str] = ("violation",),
    quiet: bool = False,
    executor: Any = None,
    evidence: Path | None = None,
    as_of: datetime | None = None,
    deadline: float | None = None,
) -> None:
    """Audit providers and emit the report: JSONL streams, other formats show progress.

    Every ``cloudaudit audit <cloud>`` command ends here, so all of them get the same
    streaming, progress bar, ``--fail-on``, ``--deadline`` (seconds from now) and exit codes.
    """
    from cloudaudit._audit import audit

    today = as_of.date() if as_of is not None else None
    until = None if deadline is None else time.monotonic() + deadline
    if fmt == "jsonl":
        stream_jsonl(
            providers,
            pol,
            output,
            max_workers=max_workers,
            fail_on=fail_on,
            executor=executor,
            evidence=evidence,
            today=today,
            deadline=until,
        )

    def make_report(progress: Any = None) -> Report:
        return audit(
            list(providers),
            pol,
            max_workers=max_workers,
            executor=executor,
            progress=progress,
            evidence=evidence,
            today=today,
            deadline=until,
        )

    run_and_emit(make_report, fmt, output, fail_on=fail_on, quiet=quiet)


def stream_jsonl(
    providers: Sequence[Any],
    pol: Policy,
    output: Path | None,
    *,
    max_workers: int,
    fail_on: Sequence[str] = ("violation",),
    executor: Any = None,
    evidence: Path | None = None,
    today: date | None = None,
    deadline: float | None = None,
) -> None:
    """``--format jsonl``: write each finding as it is decided, then a summary line; exit.

    Guardrails are not compared in a stream (that needs every resource, which a stream does
    not keep): when providers read some, stderr says so and how to get them.
    """
    from cloudaudit._audit import GuardrailSink, audit_iter
    from cloudaudit.formats.jsonl import write_jsonl

    sink: list[Coverage] = []
    grd = GuardrailSink()

    def findings() -> Iterator[Any]:
        return audit_iter(
            list(providers),
            pol,
            max_workers=max_workers,
            executor=executor,
            coverage_sink=sink,
            evidence=evidence,
            today=today,
            guardrail_sink=grd,
            deadline=deadline,
        )

    if output is None:
        summary = write_jsonl(findings(), sys.stdout, coverage_sink=sink)
    else:
        summary = write_streamed(output, lambda f: write_jsonl(findings(), f, coverage_sink=sink))
    _warn_not_audited(sink[0])
    if grd.read:
        click.echo(
            "warning: guardrails were read but a streamed JSONL audit does not compare them; "
            "save a report with --format json, then `cloudaudit render REPORT.json --format "
            "jsonl` (or `cloudaudit guardrails REPORT.json`)",
            err=True,
        )
    sys.exit(outcome.exit_code(fail_on=fail_on, summary=summary, coverage=sink[0]))


def write_streamed(path: Path, write: Callable[[Any], Any]) -> Any:
    """Stream into a temporary file beside ``path``, then rename it (never half-written).

    The temporary file is made by :func:`temp_beside` (unpredictable name, ``O_EXCL``) and is
    removed on any failure or interruption (Ctrl-C leaves no temporary file).
    """
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            result = write(f)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result
