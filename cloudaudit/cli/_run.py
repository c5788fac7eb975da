"""Running an audit from the CLI: progress, emitting the report, streaming JSONL, exit codes.

Every provider command ends in :func:`run_providers` (or :func:`run_and_emit`), passing on the
options :func:`cloudaudit.cli._common.audit_options` gave it. When an audit fails
(``--fail-on``) is decided by :func:`cloudaudit.report.fails`, for a finished report and for a
stream alike.

Exit codes (decided in :mod:`cloudaudit.outcome`): 0 nothing to fail on, 1 a ``--fail-on``
condition is met (by default: a violation), 2 usage or configuration error, 3 a provider
audited nothing (no scope audited, or credentials refused) whatever ``--fail-on`` says.
"""

from __future__ import annotations

import inspect
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from cloudaudit import outcome
from cloudaudit.cli._outputs import emit, targets, write_streamed
from cloudaudit.models import Coverage
from cloudaudit.policies import Policy
from cloudaudit.report import Report

__all__ = [
    "emit_report",
    "exit_code",
    "progress_wanted",
    "run_and_emit",
    "run_providers",
    "stream_jsonl",
]


def emit_report(report: Report, fmt: str, output: Path | None, *, quiet: bool = False) -> None:
    """Write the report in ``fmt`` (one format or several) to stdout, a file or a directory."""
    emit(report, fmt, output, quiet=quiet)


def exit_code(report: Report, fail_on: Iterable[str] = ("violation",)) -> int:
    """The documented exit code (:func:`cloudaudit.outcome.exit_code`).

    3 when a provider audited nothing whatever ``fail_on`` says, else 1 when a ``fail_on``
    condition holds (:func:`~cloudaudit.report.fails`), else 0.
    """
    return outcome.exit_code(report, fail_on)


Notes = Callable[[Coverage], Iterable[str]]
"""What a command says on stderr about how the audit read (after the report, not with --quiet)."""


def _warn_not_audited(coverage: Coverage, notes: Notes | None = None) -> None:
    for note in notes(coverage) if notes is not None else ():
        click.echo(note, err=True)
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
    if not show:  # no terminal: rich (about 30 ms of imports) is not needed
        if log and _accepts_progress(make_report):
            from cloudaudit.cli._progress import LineProgress

            return make_report(progress=LineProgress())
        return make_report()
    from rich.console import Console

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
    interrupted: threading.Event | None = None,
    notes: Notes | None = None,
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
        interrupted: Set when Ctrl-C stopped the audit: the exit code is then 130.
        notes: Lines for stderr from the report's coverage (how it was read), unless quiet.
    """
    show = progress_wanted(quiet) if progress is None else progress
    report = _run(make_report, show, log=progress is None and not quiet and not show)
    emit_report(report, fmt, output, quiet=quiet)
    _warn_not_audited(report.coverage, None if quiet else notes)
    stopped = interrupted is not None and interrupted.is_set()
    sys.exit(outcome.EXIT_INTERRUPTED if stopped else exit_code(report, fail_on))


def _new_bundle(evidence: Path | None) -> bool:
    """True when a bundle is to be written to ``evidence`` (the run announces it)."""
    if evidence is None:
        return False
    try:
        return not (evidence / "manifest.json").exists()
    except OSError:  # a name that cannot be looked up: the bundle writer refuses it, saying why
        return False


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
    partial_on_interrupt: bool = False,
    notes: Notes | None = None,
) -> None:
    """Audit providers and emit the report: JSONL streams, other formats show progress.

    Every ``cloudaudit audit <cloud>`` command ends here, so all of them get the same
    streaming, progress bar, ``--fail-on``, ``--deadline`` (seconds from now),
    ``--partial-on-interrupt`` and exit codes. ``notes`` (unless ``quiet``) turn the
    coverage into stderr lines saying how the audit read.
    """
    from cloudaudit._audit import audit
    from cloudaudit.cli._interrupt import interrupt_stops

    announce = not quiet and _new_bundle(evidence)
    with interrupt_stops(partial_on_interrupt) as cancel, _announcing(evidence, announce):
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
                cancel=cancel,
                notes=None if quiet else notes,
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
                cancel=cancel,
            )

        run_and_emit(
            make_report,
            fmt,
            output,
            fail_on=fail_on,
            quiet=quiet,
            interrupted=cancel,
            notes=notes,
        )


@contextmanager
def _announcing(bundle: Path | None, announce: bool) -> Iterator[None]:
    """On the way out (the exit included), name the bundle the audit wrote and its digest.

    Only a bundle this audit wrote (``announce`` is decided before it starts: a folder that
    already held one is refused by the audit, and its old manifest is not this audit's).
    """
    try:
        yield
    finally:
        if announce and bundle is not None and (bundle / "manifest.json").is_file():
            from cloudaudit.evidence import manifest_sha256

            digest = manifest_sha256(bundle)
            click.echo(
                f"evidence: {bundle}, manifest sha256 {digest} (keep the digest with the "
                f"audit's records: `cloudaudit verify {bundle} --expect-sha256 {digest}` "
                "then shows that nothing in the bundle was rewritten)",
                err=True,
            )


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
    cancel: threading.Event | None = None,
    notes: Notes | None = None,
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
            cancel=cancel,
        )

    ((_, target),) = targets("jsonl", output)  # --output-dir DIR: DIR/report.jsonl
    if target is None:
        summary = write_jsonl(findings(), sys.stdout, coverage_sink=sink)
    else:
        if target != output:  # into the --output-dir folder, created if missing
            target.parent.mkdir(parents=True, exist_ok=True)
        summary = write_streamed(target, lambda f: write_jsonl(findings(), f, coverage_sink=sink))
    _warn_not_audited(sink[0], notes)
    if grd.read:
        click.echo(
            "warning: guardrails were read but a streamed JSONL audit does not compare them; "
            "save a report with --format json, then `cloudaudit render REPORT.json --format "
            "jsonl` (or `cloudaudit guardrails REPORT.json`)",
            err=True,
        )
    if cancel is not None and cancel.is_set():
        sys.exit(outcome.EXIT_INTERRUPTED)
    sys.exit(outcome.exit_code(fail_on=fail_on, summary=summary, coverage=sink[0]))
