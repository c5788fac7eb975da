"""Writing a format in pieces: a batch of items at a time, never the whole text.

The formats whose text is a header, one piece per finding and a footer (JSON Lines, CSV,
SARIF, OCSF, ASFF) write through these helpers; their ``render_*`` functions write into a
:class:`io.StringIO` through the same writer, so there is one implementation per format and
the streamed text is the rendered text character for character (the tests compare them).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TextIO, TypeVar

from cloudaudit.report import Report

__all__ = ["BATCH", "batches", "rendered", "write_json_array", "write_json_document"]

T = TypeVar("T")

BATCH = 1024
"""Items built, written and dropped together (the tests make it small to cross batches)."""


def batches(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (default :data:`BATCH`), the last one shorter."""
    it = iter(items)
    while batch := list(islice(it, size or BATCH)):
        yield batch


def write_json_array(stream: TextIO, items: Iterable[Any], indent: str = "") -> None:
    """Write ``items`` as ``json.dumps(list(items), indent=2, ensure_ascii=False)`` would.

    ``indent`` is the indentation of the line the array starts on (inside a document), so
    that its items and closing bracket line up as in the whole document's dump. Each batch is
    dumped as a list and its brackets cut off, which gives its items' exact text.
    """
    inner = "\n" + indent
    opened = False
    for batch in batches(items):
        text = json.dumps(batch, indent=2, ensure_ascii=False)[2:-2]  # no "[\n", "\n]"
        stream.write((",\n" if opened else "[\n") + indent + text.replace("\n", inner))
        opened = True
    stream.write(inner + "]" if opened else "[]")


def write_json_document(
    stream: TextIO, shell: dict[str, Any], key: str, items: Iterable[Any]
) -> None:
    """Write ``shell`` (indented 2) with the empty list at ``key`` holding ``items``.

    ``shell`` holds ``[]`` at ``key`` (a key met once in it); the text is that of
    ``json.dumps`` of the shell with the items in that list, then a newline. A JSON string
    cannot hold ``"key": []`` unescaped, so only the list itself matches.
    """
    text = json.dumps(shell, indent=2, ensure_ascii=False)
    marker = f'"{key}": []'
    head, found, tail = text.partition(marker)
    if not found or marker in tail:
        raise ValueError(f"{key!r} must hold [] once in the document")
    line_start = head.rfind("\n") + 1
    stream.write(head + f'"{key}": ')
    write_json_array(stream, items, head[line_start:])
    stream.write(tail + "\n")


def rendered(write: Callable[[Report, TextIO], None], report: Report) -> str:
    """The text ``write`` writes for ``report`` (what ``render`` returns)."""
    out = io.StringIO()
    write(report, out)
    return out.getvalue()
