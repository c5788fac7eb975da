"""Reading export files as streams of records, with the line each record starts on.

A *source* is a file, every file under a directory, or standard input (``-``). Gzip is
recognised by its magic bytes and read as is. Three containers are told apart by content:

* **JSON Lines**: one JSON value per line (Cloud Asset exports, CloudQuery JSON);
* **JSON**: one document: a list of records (gcloud, az, Prowler), or an object whose list
  member holds the records (``results``, ``data``, ``configurationItems``, ``Results``,
  ``Resources``, ``rows``...). Lists are read element by element, so a multi-gigabyte Config
  snapshot is never held whole;
* **CSV** with a header row (Steampipe, CloudQuery, cloudaudit's own CSV).

Memory stays flat: at most one record (and a read buffer) is held at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "ENVELOPE_KEYS",
    "READ_ERRORS",
    "BadRecord",
    "NotARegularFile",
    "Record",
    "Source",
    "expand",
    "open_binary",
    "records",
    "sniff",
]

CHUNK = 1 << 20
MAX_RECORD = 64 << 20
"""A record (one line or one list element) larger than this is reported, not read."""
SKIP_SUFFIXES = (".md", ".txt", ".sha256", ".crc32c")
ENVELOPE_KEYS = (
    "results",
    "data",
    "configurationItems",
    "baseConfigurationItems",
    "Results",
    "Resources",
    "rows",
    "resources",
    "value",
    "assets",
    "ConfigurationItem",
)
"""Object members that hold the records of a page or file."""
READ_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, UnicodeDecodeError)
"""What reading a file can raise part-way: I/O, a truncated or corrupt gzip, bad UTF-8."""


@dataclass(frozen=True)
class Record:
    """One record of a source: its value, the line it starts on, and its envelope key."""

    value: Any
    line: int
    key: str | None = None


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read: where it starts and why.

    ``ends`` is true when the file itself could not be read further (a truncated or corrupt
    gzip stream, an I/O error, bytes that are not UTF-8): no record follows it.
    """

    line: int
    message: str
    ends: bool = False


def cut_short(line: int, exc: BaseException) -> BadRecord:
    """The last record of a file that could not be read past ``line``: the error, named."""
    return BadRecord(
        line,
        f"cannot read the file from line {line} on ({type(exc).__name__}: {exc}); "
        "the rest of the file is not read",
        ends=True,
    )


@dataclass(frozen=True)
class Source:
    """One input: a path, or ``-`` for standard input."""

    name: str

    @property
    def is_stdin(self) -> bool:
        """True for standard input."""
        return self.name == "-"


class NotARegularFile(OSError):
    """A named path is neither a regular file nor a directory (a FIFO, socket or device)."""


def expand(paths: Sequence[str | Path]) -> list[Source]:
    """Sources for ``paths``: directories are walked (sorted), hidden files skipped.

    Raises:
        FileNotFoundError: A path does not exist.
        NotARegularFile: A path is a FIFO, socket or device (reading it could block forever).
    """
    out: list[Source] = []
    for raw in paths:
        text = str(raw)
        if text == "-":
            out.append(Source("-"))
            continue
        path = Path(text)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(p.startswith(".") for p in child.relative_to(path).parts)
                if child.is_file() and not hidden and not child.name.endswith(SKIP_SUFFIXES):
                    out.append(Source(str(child)))
        elif path.is_file():
            out.append(Source(text))
        elif path.exists():
            raise NotARegularFile(text)
        else:
            raise FileNotFoundError(text)
    return out


def open_binary(source: Source) -> IO[bytes]:
    """Open a source for reading, decompressing gzip transparently."""
    raw: Any = sys.stdin.buffer if source.is_stdin else open(source.name, "rb")  # noqa: SIM115
    # A buffer of CHUNK bytes, so that sniff() sees a whole first line of up to 1 MiB.
    buffered: Any = io.BufferedReader(raw, buffer_size=CHUNK)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        unzipped: IO[bytes] = io.BufferedReader(gzip.GzipFile(fileobj=buffered), CHUNK)
        return unzipped
    result: IO[bytes] = buffered
    return result


def sniff(stream: IO[bytes]) -> str:
    """``jsonl``, ``json`` or ``csv``, from the first bytes (the stream is not consumed)."""
    head = stream.peek(CHUNK)[:CHUNK]  # type: ignore[attr-defined]
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if not text:
        return "empty"
    if text[0] == "[":
        return "json"
    if text[0] != "{":
        return "csv"
    first, _, rest = text.partition("\n")
    try:
        value = json.loads(first)
    except ValueError:
        return "json"
    if rest.strip():
        return "jsonl"
    # One line, one object: an envelope (a page of results) or a single record.
    envelope = isinstance(value, dict) and any(
        isinstance(value.get(k), list | dict) for k in ENVELOPE_KEYS
    )
    return "json" if envelope else "jsonl"


def jsonl_records(stream: IO[bytes]) -> Iterator[Record | BadRecord]:
    """One record per non-blank line; a line that is not JSON is a :class:`BadRecord`.

    A file that cannot be read further (:data:`READ_ERRORS`) ends with a :func:`cut_short`
    record naming the line and the error.
    """
    number = 0
    lines = iter(stream)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except READ_ERRORS as exc:
            yield cut_short(number + 1, exc)
            return
        number += 1
        if not line.strip():
            continue
        if len(line) > MAX_RECORD:
            yield BadRecord(number, f"line longer than {MAX_RECORD} bytes")
            continue
        try:
            yield Record(json.loads(line), number)
        except ValueError as exc:
            yield BadRecord(number, f"not JSON ({_short(exc)})")


def csv_records(stream: IO[bytes]) -> Iterator[Record | BadRecord]:
    """One record (a dict keyed by the header) per row; the header is line 1."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield BadRecord(1, f"malformed CSV header: {exc}")
        return
    except READ_ERRORS as exc:
        yield cut_short(1, exc)
        return
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRecord(start, f"malformed CSV: {exc}")
            return
        except READ_ERRORS as exc:
            yield cut_short(start, exc)
            return
        if row:
            if len(row) != len(header):
                yield BadRecord(start, f"{len(row)} cells for {len(header)} header columns")
            else:
                yield Record(dict(zip(header, row, strict=True)), start)
        start = reader.line_num + 1


def _short(exc: Exception) -> str:
    """A JSON error's message and column (its line is the record's), else the error."""
    if isinstance(exc, json.JSONDecodeError):
        return f"column {exc.colno}: {exc.msg.removesuffix(' at')}"
    return str(exc)


class JsonReader:
    """Walks one JSON document, yielding list elements one by one (flat memory).

    Top-level lists yield their elements; a top-level object yields the elements of each of
    its list members (with the member's key) and the value of its other members as one
    record each (key and value; small values only, they are kept for shape detection).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig")
        self._buf = ""
        self._pos = 0
        self._line = 1
        self._counted = 0
        self._col0 = 0  # characters of the current line already dropped from the buffer
        self._eof = False
        self._decoder = json.JSONDecoder()

    # --- buffer --------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._text.read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self.line()  # count the lines of what is dropped
        newline = self._buf.rfind("\n", 0, self._pos)
        self._col0 = self._pos - newline - 1 if newline >= 0 else self._col0 + self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = self._counted = 0
        return True

    def _peek(self) -> str:
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def line(self) -> int:
        """The line the reader is on (newlines are counted once each, as the reader moves)."""
        if self._pos > self._counted:
            self._line += self._buf.count("\n", self._counted, self._pos)
            self._counted = self._pos
        return self._line

    def _where(self, exc: ValueError) -> str:
        """A JSON error's message with its line and column in the file (as far as known)."""
        if not isinstance(exc, json.JSONDecodeError):
            return str(exc)
        pos = min(exc.pos, len(self._buf))
        line = self.line() + self._buf.count("\n", self._pos, pos)
        start = self._buf.rfind("\n", 0, pos)
        column = pos - start if start >= 0 else self._col0 + pos + 1
        return f"line {line}, column {column}: {exc.msg.removesuffix(' at')}"

    def _expect(self, char: str) -> None:
        got = self._peek()
        if got != char:
            raise ValueError(f"expected {char!r}, found {got or 'end of file'!r}")
        self._pos += 1

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except ValueError as exc:
                too_big = len(self._buf) - self._pos > MAX_RECORD
                if too_big or not self._fill():
                    raise ValueError("too large" if too_big else self._where(exc)) from None
                continue
            bare = self._buf[self._pos] not in '[{"'
            # A bare number or literal at the end of the buffer may continue in the next chunk.
            if bare and end == len(self._buf) and not self._eof and self._fill():
                continue
            self._pos = end
            return value

    # --- walking -------------------------------------------------------------------------

    def records(self) -> Iterator[Record | BadRecord]:
        """Every record of the document; the first syntax error ends the document."""
        try:
            first = self._peek()
            if first == "[":
                yield from self._list(None)
            elif first == "{":
                yield from self._object()
            else:
                yield Record(self._value(), self.line())
            if self._peek():
                yield BadRecord(self.line(), "unexpected data after the JSON document")
        except READ_ERRORS as exc:
            yield cut_short(self.line(), exc)
        except ValueError as exc:
            yield BadRecord(self.line(), f"malformed JSON: {exc}; the rest of the file is not read")

    def _list(self, key: str | None) -> Iterator[Record]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            line = self.line()
            yield Record(self._value(), line, key)
            sep = self._peek()
            self._pos += 1
            if sep == "]":
                return
            if sep != ",":
                raise ValueError(f"expected ',' or ']', found {sep or 'end of file'!r}")

    def _object(self) -> Iterator[Record]:
        self._expect("{")
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise ValueError("object key is not a string")
            self._expect(":")
            if self._peek() == "[":
                yield from self._list(key)
            else:
                yield Record({key: self._value()}, self.line(), f"{key}=")
            sep = self._peek()
            self._pos += 1
            if sep == "}":
                return
            if sep != ",":
                raise ValueError(f"expected ',' or '}}', found {sep or 'end of file'!r}")


def records(stream: IO[bytes], container: str) -> Iterator[Record | BadRecord]:
    """The records of an open stream whose container is ``jsonl``, ``json`` or ``csv``."""
    if container == "jsonl":
        return jsonl_records(stream)
    if container == "csv":
        return csv_records(stream)
    if container == "empty":
        return iter(())
    return JsonReader(stream).records()
