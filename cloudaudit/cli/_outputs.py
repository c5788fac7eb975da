"""Where a report goes: one format to stdout or a file, or several formats into a directory.

``--format json,sarif,html --output-dir reports`` writes ``reports/report.json``,
``reports/report.sarif`` and ``reports/report.html`` from one audit. Every file is written
to a temporary file first and then renamed into place, so a failure leaves no file
half-written. The bytes are those of :func:`cloudaudit.formats.render` for the same report
(the table is coloured only on a terminal); JSON, JSON Lines, CSV, SARIF, OCSF and ASFF are
written a batch of findings at a time (:func:`cloudaudit.formats.write_report`), never held as
one string.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path, PosixPath, WindowsPath
from typing import Any, TypeVar

import click

from cloudaudit._filemode import existing_folder
from cloudaudit.cli._files import (
    OutputError,
    Staged,
    commit,
    discard,
    in_place,
    stage_written,
    temp_beside,
    write_atomic,
    write_streamed,
    write_text,
)
from cloudaudit.formats import FORMATS, SUFFIXES, write_report
from cloudaudit.formats.table import TableOptions, render_table
from cloudaudit.report import Report

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "FormatList",
    "NonEmptyPath",
    "OutputDir",
    "OutputError",
    "check_output",
    "checks_output_first",
    "emit",
    "formats_of",
    "in_place",
    "targets",
    "write_atomic",
    "write_streamed",
]


class NonEmptyPath(click.Path):
    """A path parameter that refuses an empty value and a name with a NUL byte (usage errors).

    ``--output ''`` is a mistake, not ``.``; no file system accepts a NUL byte in a name.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Refuse an empty, blank or NUL-bearing path (exit 2), else check as click.Path."""
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path; give a file or directory name", param, ctx)
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} contains a NUL byte; no file has such a name", param, ctx)
        return super().convert(value, param, ctx)


if sys.platform == "win32":
    _ConcretePath = WindowsPath
else:
    _ConcretePath = PosixPath


class OutputDir(_ConcretePath):
    """A folder given with ``--output-dir``: each format goes into it as ``report.<suffix>``.

    ``--output-dir out --format json`` writes ``out/report.json`` (the folder is created if
    missing), never a file named ``out``; ``--output FILE`` names the file itself.
    """


class FormatList(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3
    """``--format``: one format, or several separated by commas (``json,sarif,html``)."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        items = [v.strip().lower() for v in str(value).split(",") if v.strip()]
        bad = [v for v in items if v not in FORMATS]
        if bad or not items:
            self.fail(
                f"{value!r}: use one of {', '.join(FORMATS)}, or several separated by commas",
                param,
                ctx,
            )
        twice = sorted({v for v in items if items.count(v) > 1})
        if twice:  # both would go to the same report.<suffix>: one would silently be lost
            self.fail(
                f"{value!r}: {', '.join(twice)} given more than once; give each format once",
                param,
                ctx,
            )
        return ",".join(items)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        return [CompletionItem(prefix + f) for f in FORMATS if f.startswith(last)]

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(FORMATS) + "][,...]"


def formats_of(fmt: str) -> list[str]:
    """The formats of a ``--format`` value."""
    return [f for f in fmt.split(",") if f]


def targets(fmt: str, output: Path | None) -> list[tuple[str, Path | None]]:
    """Where each format goes: ``[(format, path or None for stdout)]``.

    Into the folder ``output`` as ``report.<suffix>`` when it is an :class:`OutputDir`
    (``--output-dir``), an existing directory, or when there are several formats.

    Raises:
        click.UsageError: several formats without a directory to write them to.
    """
    fmts = formats_of(fmt)
    into = isinstance(output, OutputDir) or (output is not None and output.is_dir())
    if len(fmts) == 1 and not into:
        return [(fmts[0], output)]
    if output is None:
        raise click.UsageError(
            f"{len(fmts)} formats need a directory: add --output-dir DIR "
            f"(files report{SUFFIXES[fmts[0]]}, ...)"
        )
    folder = Path(output)
    return [(f, folder / f"report{SUFFIXES[f]}") for f in fmts]


def check_output(fmt: str, output: Path | None) -> None:
    """Fail now (exit 2, one line naming the path and the fix) if the report cannot be written.

    Called before any cloud call: a missing directory, a directory where a file is expected,
    a file where a directory is expected, or a directory that refuses a new file (permission
    denied, read-only file system) is found in a second, not after the whole audit. A file is
    created and removed beside the report to be sure; nothing else is written.

    Raises:
        OutputError: The report cannot be written there.
        click.UsageError: Several formats without a directory.
    """
    if output is None:
        return
    try:
        for _fmt, path in targets(fmt, output):
            if path is not None:
                _check_target(path, created=path != output)  # a folder is created if missing
    except OSError as exc:  # the path cannot even be looked up (a name too long, a loop)
        why = exc.strerror or type(exc).__name__
        raise OutputError(
            f"cannot write the report to {output}: {why} (choose another path)"
        ) from None


def _check_target(path: Path, *, created: bool) -> None:
    """Raise OutputError unless ``path`` can be written (``created``: missing folders are)."""
    where = f"cannot write the report to {path}"
    if in_place(path):
        if not os.access(path, os.W_OK):
            raise OutputError(f"{where}: permission denied (choose a writable path)")
        return
    if path.is_dir():
        raise OutputError(f"{where}: it is a directory (name a file, or use several formats)")
    folder = existing_folder(path.parent) if created else path.parent
    if not folder.exists():
        raise OutputError(f"{where}: {folder} does not exist (create it, or choose another path)")
    if not folder.is_dir():
        raise OutputError(f"{where}: {folder} is not a directory (choose another path)")
    try:
        fd, probe = temp_beside(folder / path.name)
    except OutputError as exc:
        why = exc.message.rpartition(": ")[2]
        raise OutputError(f"{where}: {why} in {folder} (choose a writable path)") from None
    os.close(fd)
    probe.unlink(missing_ok=True)


def _check_evidence(folder: Path) -> None:
    """Exit 2 now, naming the folder, when ``--evidence`` cannot be a new bundle there."""
    from cloudaudit.errors import ConfigurationError
    from cloudaudit.evidence import check_bundle_target

    try:
        check_bundle_target(folder)
    except ConfigurationError as exc:
        raise OutputError(str(exc)) from None


def checks_output_first(func: F) -> F:
    """Check the command's ``output`` for its ``fmt`` before running it (see check_output)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_output(str(kwargs.get("fmt") or "table"), kwargs.get("output"))
        if kwargs.get("evidence") is not None:
            _check_evidence(Path(kwargs["evidence"]))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# the table's --only and --no-color of the command being run (set by the options' callbacks,
# which click calls on every invocation, with the defaults when the options are not given)
_TABLE: dict[str, Any] = {"only": None, "no_color": False}
_STATUSES = ("violation", "unknown", "exempt", "compliant")


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if key == "only" and value is not None:
            items = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v))
            bad = [v for v in items if v not in _STATUSES]
            if bad or not items:
                raise click.BadParameter(
                    f"{value!r}: use statuses among {', '.join(_STATUSES)}, separated by commas"
                )
            value = items
        _TABLE[key] = value
        return value

    return callback


def table_options(to_terminal: bool) -> TableOptions:
    """The table's layout for this command: terminal width and colour only on a terminal."""
    color = to_terminal and not os.environ.get("NO_COLOR") and not _TABLE["no_color"]
    width = shutil.get_terminal_size().columns if to_terminal else None
    return TableOptions(width=width, color=color, only=_TABLE["only"])


def _writer(report: Report, fmt: str, to_terminal: bool) -> Callable[[Any], Any]:
    """What writes ``report`` in ``fmt`` to an open text file.

    Every format but the table goes through :func:`~cloudaudit.formats.write_report`, which
    writes JSON, JSON Lines, CSV, SARIF, OCSF and ASFF a batch of findings at a time, so a
    report of a million findings never exists as one string (about 5 GB of JSON).
    """
    if fmt == "table":
        text = render_table(report, table_options(to_terminal))
        return functools.partial(write_text, text=text)
    return functools.partial(write_report, report, fmt)


class _Echo:
    """Standard output as a file whose ``write`` is :func:`click.echo`."""

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the exit's flush cannot fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def stdout_is_terminal() -> bool:
    """True when standard output is a terminal (the table is then coloured and fitted)."""
    return sys.stdout.isatty()


def emit(report: Report, fmt: str, output: Path | None, *, quiet: bool = False) -> None:
    """Write the report in each format of ``fmt`` to stdout, a file, or a directory.

    Every file is written to a temporary file beside it first and all are renamed into
    place only once every one is complete: a failure leaves no report half-written and none
    of the others replaced. A device or FIFO target (:func:`in_place`) is written last.
    """
    check_output(fmt, output)  # again: not every command checks first (demo, render)
    plan = targets(fmt, output)
    tty = stdout_is_terminal()
    staged: list[Staged] = []
    try:
        for f, path in plan:
            if path is None:
                continue
            if path != output:  # into a folder (--output-dir, several formats): create it
                path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((path, stage_written(path, _writer(report, f, False))))
    except (OSError, OutputError) as exc:
        discard(staged)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write to {output}: {exc.strerror or exc}") from exc
    except BaseException:
        discard(staged)
        raise
    commit(staged)
    for f, path in plan:
        if path is None:
            try:
                _writer(report, f, tty)(_Echo())
            except BrokenPipeError:  # the reader left (``| head``): the exit code still counts
                _silence_stdout()
        elif not quiet:
            click.echo(f"report written to {path}", err=True)


def format_option(default: str = "table") -> Callable[[F], F]:
    """``--format`` (one format or several, with ``--output-dir``), and the table's options.

    ``--only violation,unknown`` lists only those statuses in the table; ``--no-color`` (or
    the ``NO_COLOR`` environment variable) turns its colours off.
    """
    fmt = click.option(
        "--format",
        "fmt",
        type=FormatList(),
        default=default,
        show_default=True,
        help="Output format; several separated by commas write one file each into --output-dir.",
    )
    only = click.option(
        "--only",
        default=None,
        metavar="STATUS[,...]",
        expose_value=False,
        callback=_remember("only"),
        help="Table: list only these statuses (violation,unknown,exempt,compliant).",
    )
    no_color = click.option(
        "--no-color",
        is_flag=True,
        expose_value=False,
        callback=_remember("no_color"),
        help="Table: no colours (also when NO_COLOR is set).",
    )

    def decorate(func: F) -> F:
        return fmt(only(no_color(func)))

    return decorate


_DIR_KEY = "cloudaudit.output_dir"


def _take_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """``--output-dir``: kept for ``--output``'s callback (which click calls after this one)."""
    if value is None:
        return
    if ctx.params.get("output") is not None:
        raise click.BadParameter("give --output FILE or --output-dir DIR, not both")
    ctx.meta[_DIR_KEY] = OutputDir(value)


def _file_or_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """The ``output`` parameter: ``--output FILE``, else ``--output-dir``'s :class:`OutputDir`."""
    folder = ctx.meta.pop(_DIR_KEY, None)
    if value is not None and folder is not None:
        raise click.BadParameter("give --output FILE or --output-dir DIR, not both")
    return value if value is not None else folder


def output_option() -> Callable[[F], F]:
    """``--output FILE`` or ``--output-dir DIR``: both arrive as the parameter ``output``.

    ``--output-dir`` arrives as an :class:`OutputDir`, so that even one format goes into the
    folder (``DIR/report.json``). Click processes the options given on the command line
    first, so ``--output``'s callback, run last when it is not given, sees ``--output-dir``.
    """
    to_file = click.option(
        "--output",
        "-o",
        "output",
        type=NonEmptyPath(path_type=Path),
        default=None,
        metavar="FILE",
        callback=_file_or_dir,
        help="Write the report to FILE (atomically) instead of stdout (with several formats, "
        "FILE is taken as a folder, as --output-dir).",
    )
    to_dir = click.option(
        "--output-dir",
        "output_dir",
        type=NonEmptyPath(path_type=Path),
        default=None,
        metavar="DIR",
        expose_value=False,
        callback=_take_dir,
        help="Write the report(s) into the folder DIR (created if missing) as report.<suffix> "
        "(report.json, report.sarif, ...); several formats need it.",
    )

    def decorate(func: F) -> F:
        return to_file(to_dir(func))

    return decorate
