"""Writing a report file: through a temporary file and a rename, or in place (CLI).

A regular file is written to a temporary file beside it (unpredictable name, ``O_EXCL``, mode
0600) and renamed over it once complete, so a failure or an interruption never leaves it
half-written. A device, a FIFO or the process's own descriptor is written where it is
(:func:`in_place`).
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cloudaudit._filemode import settle_mode, temp_prefix
from cloudaudit.outcome import EXIT_CONFIG

__all__ = [
    "OutputError",
    "Staged",
    "commit",
    "discard",
    "in_place",
    "stage_text",
    "stage_written",
    "temp_beside",
    "write_atomic",
    "write_streamed",
    "write_text",
]

Staged = tuple[Path, Path | Callable[[Any], Any]]
"""A report file ready to be put in place: its temporary file, or its in-place writer."""


class OutputError(click.ClickException):
    """The report could not be written (exit code 2, like any configuration error)."""

    exit_code = EXIT_CONFIG


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


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    commit([(path, stage_text(path, text))])


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
        prefix = temp_prefix(path)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".partial")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return fd, Path(name)


def _write_temp(path: Path, write: Callable[[Any], Any]) -> tuple[Path, Any]:
    """Call ``write`` on a new temporary file beside ``path``; remove it on any failure."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            result = write(f)
        settle_mode(tmp, path)  # as open() would have made it, not mkstemp's 0600
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


def write_text(f: Any, text: str) -> int:
    """Write ``text`` to ``f`` (a writer for a text known in advance)."""
    return int(f.write(text))


def stage_text(path: Path, text: str) -> Path | Callable[[Any], Any]:
    """A temporary file holding ``text``, or the writer of a target written in place."""
    write = functools.partial(write_text, text=text)
    if in_place(path):
        return write
    return _write_temp(path, write)[0]


def discard(staged: list[Staged]) -> None:
    """Remove the temporary files of ``staged``."""
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


def commit(staged: list[Staged]) -> None:
    """Rename every staged temporary file into place; then write the in-place targets."""
    try:
        for path, tmp in staged:
            if isinstance(tmp, Path):
                tmp.replace(path)
        for path, tmp in staged:
            if not isinstance(tmp, Path):
                _write_in_place(path, tmp)
    except (OSError, OutputError) as exc:
        discard(staged)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write {staged[0][0]}: {exc.strerror or exc}") from exc


def stage_written(path: Path, write: Callable[[Any], Any]) -> Path | Callable[[Any], Any]:
    """A temporary file beside ``path`` that ``write`` filled, or ``write`` itself.

    A target written in place (:func:`in_place`) is written only by :func:`commit`.
    """
    return write if in_place(path) else _write_temp(path, write)[0]
