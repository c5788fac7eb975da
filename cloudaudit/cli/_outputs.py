"""Where a report goes: one format to stdout or a file, or several formats into a directory.

``--format json,sarif,html --output-dir reports`` writes ``reports/report.json``,
``reports/report.sarif`` and ``reports/report.html`` from one audit. Every file is rendered
first and then renamed into place, so a failure leaves no file half-written. The bytes are
those of :func:`cloudaudit.formats.render` for the same report (the table is coloured only on
a terminal).
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cloudaudit.formats import FORMATS, SUFFIXES, render
from cloudaudit.formats.table import TableOptions, render_table
from cloudaudit.outcome import EXIT_CONFIG
from cloudaudit.report import Report

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "FormatList",
    "NonEmptyPath",
    "OutputError",
    "check_output",
    "checks_output_first",
    "emit",
    "formats_of",
    "targets",
    "write_atomic",
    "write_streamed",
]


class OutputError(click.ClickException):
    """The report could not be written (exit code 2, like any configuration error)."""

    exit_code = EXIT_CONFIG


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
        return ",".join(dict.fromkeys(items))

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

    Raises:
        click.UsageError: several formats without a directory to write them to.
    """
    fmts = formats_of(fmt)
    if len(fmts) == 1 and (output is None or not output.is_dir()):
        return [(fmts[0], output)]
    if output is None:
        raise click.UsageError(
            f"{len(fmts)} formats need a directory: add --output-dir DIR "
            f"(files report{SUFFIXES[fmts[0]]}, ...)"
        )
    return [(f, output / f"report{SUFFIXES[f]}") for f in fmts]


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
    plan = targets(fmt, output)
    for _fmt, path in plan:
        if path is not None:
            _check_target(path, created=len(plan) > 1)


def in_place(path: Path) -> bool:
    """True when ``path`` is written where it is, not through a temporary file and a rename.

    That is a device (``/dev/null``), a FIFO or a socket, or the process's own descriptor
    (``/dev/stdout``, ``/dev/fd/1``): renaming a file over one of those would replace the
    device or the link with a regular file. Nothing half-written can be undone there anyway.
    """
    try:
        if os.path.islink(path) and os.readlink(path).startswith("/proc/"):
            return True
        if os.path.realpath(path.parent).startswith("/proc/"):
            return True
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _check_target(path: Path, *, created: bool) -> None:
    """Raise OutputError unless ``path`` can be written (``created``: missing folders are)."""
    where = f"cannot write the report to {path}"
    if in_place(path):
        if not os.access(path, os.W_OK):
            raise OutputError(f"{where}: permission denied (choose a writable path)")
        return
    if path.is_dir():
        raise OutputError(f"{where}: it is a directory (name a file, or use several formats)")
    folder = path.parent
    while created and not folder.exists() and folder != folder.parent:
        folder = folder.parent
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


def checks_output_first(func: F) -> F:
    """Check the command's ``output`` for its ``fmt`` before running it (see check_output)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_output(str(kwargs.get("fmt") or "table"), kwargs.get("output"))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    _commit([(path, _stage(path, text))])


def temp_beside(path: Path) -> tuple[int, Path]:
    """Create a temporary file beside ``path``: ``(open descriptor, its path)``.

    Its name is unpredictable and it is created with ``O_CREAT|O_EXCL`` and mode 0600
    (:func:`tempfile.mkstemp`), so a file or symlink planted beside the report cannot redirect
    what is written; the caller renames it over ``path`` (atomic) or removes it.

    Raises:
        OutputError: The directory is missing or not writable.
    """
    import tempfile

    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return fd, Path(name)


def _write_temp(path: Path, write: Callable[[Any], Any]) -> tuple[Path, Any]:
    """Call ``write`` on a new temporary file beside ``path``; remove it on any failure."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            result = write(f)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, result


def _write_in_place(path: Path, write: Callable[[Any], Any]) -> Any:
    try:
        with open(path, "w", encoding="utf-8") as f:
            return write(f)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write_text(f: Any, text: str) -> int:
    return int(f.write(text))


def _stage(path: Path, text: str) -> Path | str:
    """A temporary file holding ``text``, or ``text`` itself for a target written in place."""
    if in_place(path):
        return text
    return _write_temp(path, lambda f: f.write(text))[0]


def _discard(staged: list[tuple[Path, Path | str]]) -> None:
    for _path, tmp in staged:
        if isinstance(tmp, Path):
            tmp.unlink(missing_ok=True)


def write_streamed(path: Path, write: Callable[[Any], Any]) -> Any:
    """Stream into a temporary file beside ``path``, then rename it (never half-written).

    The temporary file is made by :func:`temp_beside` (unpredictable name, ``O_EXCL``) and is
    removed on any failure or interruption (Ctrl-C leaves no temporary file).
    """
    if in_place(path):
        return _write_in_place(path, write)
    tmp, result = _write_temp(path, write)
    try:
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return result


def _commit(staged: list[tuple[Path, Path | str]]) -> None:
    try:
        for path, tmp in staged:
            if isinstance(tmp, str):
                _write_in_place(path, functools.partial(_write_text, text=tmp))
            else:
                tmp.replace(path)
    except (OSError, OutputError) as exc:
        _discard(staged)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write {staged[0][0]}: {exc.strerror or exc}") from exc


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


def _text(report: Report, fmt: str, to_terminal: bool) -> str:
    if fmt == "table":
        return render_table(report, table_options(to_terminal))
    return render(report, fmt)


def stdout_is_terminal() -> bool:
    """True when standard output is a terminal (the table is then coloured and fitted)."""
    return sys.stdout.isatty()


def emit(report: Report, fmt: str, output: Path | None, *, quiet: bool = False) -> None:
    """Write the report in each format of ``fmt`` to stdout, a file, or a directory."""
    plan = targets(fmt, output)
    tty = stdout_is_terminal()
    texts = [(f, path, _text(report, f, path is None and tty)) for f, path in plan]
    staged: list[tuple[Path, Path | str]] = []
    try:
        for _f, path, text in texts:
            if path is not None:
                if path.parent != Path() and len(plan) > 1:
                    path.parent.mkdir(parents=True, exist_ok=True)
                staged.append((path, _stage(path, text)))
    except (OSError, OutputError) as exc:
        _discard(staged)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write to {output}: {exc.strerror or exc}") from exc
    _commit(staged)
    for _f, path, text in texts:
        if path is None:
            click.echo(text, nl=False)
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


def output_option() -> Callable[[F], F]:
    """``--output FILE`` / ``--output-dir DIR`` (one option, parameter ``output``)."""
    return click.option(
        "--output",
        "--output-dir",
        "-o",
        "output",
        type=NonEmptyPath(path_type=Path),
        default=None,
        help="Write the report to FILE (atomically) instead of stdout; with several formats, "
        "into the directory DIR as report.<suffix> (report.json, report.sarif, ...).",
    )
