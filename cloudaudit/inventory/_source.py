"""Import: detect each source's shape up front, then stream its records into resources.

:func:`plan_import` opens every source once to recognise its shape (an unknown shape is an
:class:`InventoryError` before anything is judged); :class:`ExportSource` is then a provider
whose ``collect`` streams the records as batches, so ``audit_iter`` judges an export of any
size with flat memory. A record that cannot be read becomes a coverage gap naming the file and
the line; the other records are still judged.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cloudaudit.inventory._detect import BAD_FIX, NATIVE, SHAPES, UNREADABLE, detect
from cloudaudit.inventory._errors import InventoryError
from cloudaudit.inventory._fields import COLUMNS
from cloudaudit.inventory._native import (
    MAX_BYTES,
    parse_csv,
    parse_json,
    parse_json_lines,
)
from cloudaudit.inventory._shapes import Context, Shape
from cloudaudit.inventory._stream import (
    READ_ERRORS,
    BadRecord,
    NotARegularFile,
    Record,
    Source,
    expand,
    open_binary,
    records,
    sniff,
)
from cloudaudit.models import CoverageGap, Resource, ScopeRecord
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._work import Classifier, Work

__all__ = ["SHAPES", "ExportSource", "Planned", "plan_import", "read_resources"]

BATCH = 500
MAX_GAPS_PER_FILE = 100
UNREADABLE_RECORD = "unreadable-record"
"""Gap code: one record of a file could not be read (the others were)."""
UNREADABLE_FILE = "unreadable-file"
"""Gap code: a file could not be read from some line on (truncated or corrupt gzip, I/O)."""
_HEAD = 64
_FIRST = frozenset({"azure-locations"})


@dataclass
class Planned:
    """One source and the shape it was recognised as (``cloudaudit`` for the native forms)."""

    source: Source
    shape: str
    container: str
    held: list[Resource] = field(default_factory=list)
    stream: IO[bytes] | None = None
    head: list[Record | BadRecord] = field(default_factory=list)
    rest: Iterator[Record | BadRecord] | None = None
    unread: BadRecord | None = None
    """Why the source could not be read at all (shape ``unreadable``): a gap, not an error."""


def _load_native(planned: Planned) -> list[Resource]:
    """Read a native file whole (gzip or not) and validate it strictly.

    Raises:
        InventoryError: It cannot be read, is over :data:`MAX_BYTES`, or does not validate.
    """
    name = planned.source.name
    with open_binary(planned.source) as stream:  # a read error: the file is a gap
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InventoryError(name, [("file", f"over {MAX_BYTES} bytes", "split the file")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InventoryError(name, [("file", f"cannot read: {exc}", "save it as UTF-8")]) from None
    if planned.container == "csv":
        return parse_csv(text, name)
    if planned.container == "jsonl":
        return parse_json_lines(text, name)
    return parse_json(text, name)


_NOT_REGULAR_FIX = "give a file or a directory, or - to read standard input"


def plan_import(paths: Sequence[str | Path]) -> list[Planned]:
    """Recognise the shape of every source; validate native files strictly.

    A file that cannot be read at all (a gzip stream corrupt from its start, an I/O error)
    is planned as ``unreadable``: the import reports it as a coverage gap, never an error
    that would stop the other files from being read.

    Raises:
        InventoryError: A path is missing, a file has an unknown shape, or a native file
            does not validate.
    """
    try:
        sources = expand(paths)
    except FileNotFoundError as exc:
        raise InventoryError(str(exc), [("file", "does not exist", "check the path")]) from None
    except NotARegularFile as exc:
        raise InventoryError(
            str(exc),
            [("file", "not a regular file (a FIFO, socket or device)", _NOT_REGULAR_FIX)],
        ) from None
    except OSError as exc:
        name = str(exc.filename or "input")
        raise InventoryError(name, [("file", f"cannot read: {exc.strerror}", "")]) from None
    return [_plan_one(source) for source in sources]


def _plan_one(source: Source) -> Planned:
    """Open one source, recognise its shape, load it whole if it is cloudaudit's own form."""
    name = "<stdin>" if source.is_stdin else source.name
    try:
        stream = open_binary(source)
    except OSError as exc:
        raise InventoryError(name, [("file", f"cannot read: {exc}", "")]) from None
    item = Planned(source, "", "")
    try:
        item.container = sniff(stream)
        if not source.is_stdin:
            head = list(itertools.islice(records(stream, item.container), _HEAD))
            item.shape = detect(source.name, head, item.container)
            if item.shape == UNREADABLE:
                item.unread = next(r for r in head if isinstance(r, BadRecord) and r.ends)
            elif item.shape == NATIVE:
                stream.close()
                item.held = _load_native(item)
        else:
            _stdin_head(item, stream)
    except READ_ERRORS as exc:  # a gzip stream corrupt from its first bytes, say
        item.shape = UNREADABLE
        why = f"cannot read the file ({type(exc).__name__}: {exc}); nothing of it is read"
        item.unread = BadRecord(0, why, ends=True)
    finally:
        if not source.is_stdin:
            stream.close()
    return item


def _stdin_head(item: Planned, stream: IO[bytes]) -> None:
    """Detect standard input's shape from its first records, keeping them for the reading."""
    rest = records(stream, item.container)
    head = list(itertools.islice(rest, _HEAD))
    item.shape = detect("<stdin>", head, item.container)
    if item.shape == UNREADABLE:
        item.unread = next(r for r in head if isinstance(r, BadRecord) and r.ends)
        return
    if item.shape == NATIVE:
        values: list[Any] = []
        bad: list[tuple[str, str, str]] = []
        for r in itertools.chain(head, rest):
            if isinstance(r, Record):
                values.append(r.value)
            else:  # cloudaudit's own form is validated whole: a bad record is an error
                bad.append((f"line {r.line}", r.message, BAD_FIX))
        if bad:
            raise InventoryError("<stdin>", bad)
        item.held = _native_values(item.container, values)
        return
    item.head, item.rest = head, rest
    item.stream = stream


def _native_values(container: str, values: list[Any]) -> list[Resource]:
    if container != "csv":
        if len(values) == 1 and isinstance(values[0], list):
            values = values[0]
        return parse_json(json.dumps(values), "<stdin>")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(values[0]) if values else list(COLUMNS))
    writer.writeheader()
    writer.writerows(values)
    return parse_csv(out.getvalue(), "<stdin>")


def _stream_of(item: Planned) -> tuple[Iterable[Record | BadRecord], IO[bytes] | None]:
    if item.rest is not None:
        return itertools.chain(item.head, item.rest), item.stream
    stream = open_binary(item.source)
    return records(stream, item.container), stream


class ExportSource:
    """A provider over planned sources: streams their resources in batches.

    Satisfies the :class:`~cloudaudit.providers.Provider` protocol, so ``audit_iter`` runs it
    like a cloud: findings stream, gaps merge into coverage.
    """

    def __init__(self, planned: Sequence[Planned]) -> None:
        # Files that only inform the others (Azure paired regions) are read first.
        self._planned = sorted(planned, key=lambda p: p.shape not in _FIRST)
        self.context = Context()

    @property
    def name(self) -> str:
        """The provider id of an import."""
        return "inventory"

    def classifiers(self) -> Sequence[Classifier]:
        """No SDK errors to classify."""
        return ()

    def secrets(self) -> Sequence[str]:
        """Files hold no credentials of cloudaudit's to mask."""
        return ()

    def collect(self, _work: Work | None = None) -> Iterator[Batch]:
        """Yield every source's resources, then those whose copies waited for the rest."""
        deferred: list[tuple[Shape, Any, str, int]] = []
        for item in self._planned:
            yield from self._one(item, deferred)
        ctx = self.context
        ctx.final = True
        out: list[Resource] = []
        gaps: list[CoverageGap] = []
        for shape, value, name, line in deferred:
            try:
                out.extend(shape.convert(value, ctx))
            except (ValueError, KeyError, TypeError) as exc:
                gaps.append(_gap(name, line, str(exc)))
        if out or gaps:
            yield Batch(resources=out, gaps=gaps)

    def _one(self, item: Planned, deferred: list[tuple[Shape, Any, str, int]]) -> Iterator[Batch]:
        name = "<stdin>" if item.source.is_stdin else item.source.name
        if item.unread is not None:  # not looked at: a gap, and no audited scope
            gap = _gap(name, item.unread.line, item.unread.message, UNREADABLE_FILE)
            yield Batch(gaps=[gap])
            return
        if item.shape in (NATIVE, "empty"):
            for r in item.held:
                self.context.register(r)
            yield Batch(resources=item.held, audited=[_scope(name, len(item.held), "file")])
            return
        shape = next(s for s in SHAPES if s.name == item.shape)
        try:
            stream_records, stream = _stream_of(item)
        except OSError as exc:  # gone or unreadable since it was planned
            why = f"cannot read the file ({type(exc).__name__}: {exc}); nothing of it is read"
            yield Batch(gaps=[_gap(name, 0, why, UNREADABLE_FILE)])
            return
        counts = {"resources": 0, "bad": 0, "cut": 0}
        try:
            yield from _batched(self._convert(shape, name, stream_records, deferred, counts))
        finally:
            if stream is not None:
                stream.close()
        if counts["bad"] > MAX_GAPS_PER_FILE:
            more = counts["bad"] - MAX_GAPS_PER_FILE
            yield Batch(gaps=[_gap(name, 0, f"and {more} more records that could not be read")])
        # A file of which nothing could be read was not looked at: no audited scope, so that
        # an import that read nothing at all is "not audited" (exit code 3), never a pass.
        if counts["resources"] or not (counts["bad"] or counts["cut"]):
            yield Batch(audited=[_scope(name, counts["resources"], shape.name)])

    def _convert(
        self,
        shape: Shape,
        name: str,
        stream: Iterable[Record | BadRecord],
        deferred: list[tuple[Shape, Any, str, int]],
        counts: dict[str, int],
    ) -> Iterator[Resource | CoverageGap]:
        ctx = self.context
        for record in stream:
            if isinstance(record, BadRecord) and record.ends:
                counts["cut"] += 1  # always reported: the rest of the file was not read
                yield _gap(name, record.line, record.message, UNREADABLE_FILE)
                continue
            if isinstance(record, BadRecord):
                counts["bad"] += 1
                if counts["bad"] <= MAX_GAPS_PER_FILE:
                    yield _gap(name, record.line, record.message)
                continue
            if record.key not in shape.keys:
                continue
            ctx.misses = 0
            try:
                made = list(shape.convert(record.value, ctx))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                counts["bad"] += 1
                if counts["bad"] <= MAX_GAPS_PER_FILE:
                    yield _gap(name, record.line, f"{shape.name} record not readable: {exc}")
                continue
            for r in made:
                ctx.register(r)
            if ctx.misses:
                deferred.append((shape, record.value, name, record.line))
                counts["resources"] += len(made)
                continue
            counts["resources"] += len(made)
            yield from made


def _batched(items: Iterable[Resource | CoverageGap]) -> Iterator[Batch]:
    resources: list[Resource] = []
    gaps: list[CoverageGap] = []
    for item in items:
        (gaps if isinstance(item, CoverageGap) else resources).append(item)  # type: ignore[arg-type]
        if len(resources) >= BATCH:
            yield Batch(resources=resources, gaps=gaps)
            resources, gaps = [], []
    if resources or gaps:
        yield Batch(resources=resources, gaps=gaps)


def _scope(name: str, count: int, method: str) -> ScopeRecord:
    return ScopeRecord(
        provider="inventory", scope=f"inventory:{name}", resources=count, method=method
    )


def _gap(name: str, line: int, message: str, code: str = UNREADABLE_RECORD) -> CoverageGap:
    where = f"{name}:{line}" if line else name
    return CoverageGap(
        provider="inventory",
        scope=f"inventory:{name}",
        code=code,
        message=f"{where}: {message}",
    )


def read_resources(
    paths: Sequence[str | Path], gaps: list[CoverageGap] | None = None
) -> Iterator[Resource]:
    """Stream the resources of files, directories or ``-`` (stdin), any known shape.

    Args:
        paths: Sources to read.
        gaps: Receives a gap for each record that could not be read.

    Raises:
        InventoryError: A source is missing or of an unknown shape (before anything is read).
    """
    source = ExportSource(plan_import(paths))
    for batch in source.collect():
        if gaps is not None:
            gaps.extend(batch.gaps)
        yield from batch.resources
