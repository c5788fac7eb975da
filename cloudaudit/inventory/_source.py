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

from cloudaudit.inventory import _aws, _azure, _gcp, _prowler, _tables
from cloudaudit.inventory._errors import InventoryError
from cloudaudit.inventory._native import COLUMNS, parse_csv, parse_json
from cloudaudit.inventory._shapes import Context, Shape
from cloudaudit.inventory._stream import (
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

SHAPES: tuple[Shape, ...] = (
    *_gcp.SHAPES,
    *_azure.SHAPES,
    *_aws.SHAPES,
    *_prowler.SHAPES,
    *_tables.SHAPES,
)
"""Every export shape, in detection order (the first that matches wins)."""

NATIVE = "cloudaudit"
BATCH = 500
MAX_GAPS_PER_FILE = 100
_HEAD = 64
_FIRST = frozenset({"azure-locations"})
_METADATA_KEYS = frozenset({"columns", "facets", "QueryInfo"})


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


def _candidate(record: Record | BadRecord) -> bool:
    if isinstance(record, BadRecord):
        return False
    key = record.key
    return (
        key is None
        or key in ("data=", "ConfigurationItem=")
        or (not key.endswith("=") and key not in _METADATA_KEYS)
    )


def _native(record: Any, container: str) -> bool:
    if container == "csv":
        return isinstance(record, dict) and set(record) <= set(COLUMNS) and "provider" in record
    return isinstance(record, dict) and "provider" in record and "assetType" not in record


def _detect(name: str, head: list[Record | BadRecord], container: str) -> str:
    first = next((r for r in head if _candidate(r)), None)
    if first is None:
        bad = next((r for r in head if isinstance(r, BadRecord)), None)
        if bad is not None:
            raise InventoryError(name, [(f"line {bad.line}", bad.message, "")])
        return "empty"
    assert isinstance(first, Record)
    if first.key is None and _native(first.value, container):
        return NATIVE
    for shape in SHAPES:
        if first.key in shape.keys and shape.match(first.value, first.key):
            return shape.name
    raise InventoryError(name, [_unknown(first, container)])


def _unknown(first: Record, container: str) -> tuple[str, str, str]:
    value = first.value
    seen = sorted(value)[:12] if isinstance(value, dict) else type(value).__name__
    where = f'under "{first.key.rstrip("=")}"' if first.key else "at the top"
    known = "; ".join(f"{s.name} ({s.title}): {s.looks_for}" for s in SHAPES)
    return (
        f"line {first.line}",
        f"unknown inventory shape: the first {container} record {where} has {seen}. "
        f"Known shapes: {known}; and cloudaudit's own JSON/CSV (provider, account, service, "
        "type, id, region...)",
        "export with one of the commands in docs/inventory.md (Bring your own export)",
    )


def _load_native(planned: Planned, data: bytes) -> list[Resource]:
    text = data.decode("utf-8-sig")
    name = planned.source.name
    return parse_csv(text, name) if planned.container == "csv" else parse_json(text, name)


_NOT_REGULAR_FIX = "give a file or a directory, or - to read standard input"


def plan_import(paths: Sequence[str | Path]) -> list[Planned]:
    """Recognise the shape of every source; validate native files strictly.

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
    planned: list[Planned] = []
    for source in sources:
        try:
            stream = open_binary(source)
        except OSError as exc:
            raise InventoryError(source.name, [("file", f"cannot read: {exc}", "")]) from None
        try:
            container = sniff(stream)
            item = Planned(source, "", container)
            if not source.is_stdin:
                head = list(itertools.islice(records(stream, container), _HEAD))
                item.shape = _detect(source.name, head, container)
                if item.shape == NATIVE:
                    stream.close()
                    item.held = _load_native(item, Path(source.name).read_bytes())
            else:
                _stdin_head(item, stream)
        finally:
            if not source.is_stdin:
                stream.close()
        planned.append(item)
    return planned


def _stdin_head(item: Planned, stream: IO[bytes]) -> None:
    """Detect standard input's shape from its first records, keeping them for the reading."""
    rest = records(stream, item.container)
    head = list(itertools.islice(rest, _HEAD))
    item.shape = _detect("<stdin>", head, item.container)
    if item.shape == NATIVE:
        values = [r.value for r in itertools.chain(head, rest) if isinstance(r, Record)]
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
        if item.shape in (NATIVE, "empty"):
            for r in item.held:
                self.context.register(r)
            yield Batch(resources=item.held, audited=[_scope(name, len(item.held), "file")])
            return
        shape = next(s for s in SHAPES if s.name == item.shape)
        stream_records, stream = _stream_of(item)
        counts = {"resources": 0, "bad": 0}
        try:
            yield from _batched(self._convert(shape, name, stream_records, deferred, counts))
        finally:
            if stream is not None:
                stream.close()
        if counts["bad"] > MAX_GAPS_PER_FILE:
            more = counts["bad"] - MAX_GAPS_PER_FILE
            yield Batch(gaps=[_gap(name, 0, f"and {more} more records that could not be read")])
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


def _gap(name: str, line: int, message: str) -> CoverageGap:
    where = f"{name}:{line}" if line else name
    return CoverageGap(
        provider="inventory",
        scope=f"inventory:{name}",
        code="unreadable-record",
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
