"""Report formats: one module per format, and a dispatcher.

Example:
    >>> from cloudaudit.formats import FORMATS, render
    >>> "sarif" in FORMATS
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from cloudaudit.errors import ConfigurationError
from cloudaudit.report import Report

__all__ = ["FORMATS", "SUFFIXES", "format_of", "render", "write_report"]

FORMATS = (
    "table",
    "json",
    "jsonl",
    "csv",
    "csv-excel",
    "sarif",
    "ocsf",
    "asff",
    "markdown",
    "html",
    "dora-roi",
)

# format -> "module:function" rendering a Report to text; add a format with one line here
_RENDERERS: dict[str, str] = {
    "table": "cloudaudit.formats.table:render_table",
    "json": "cloudaudit.formats:_json",
    "jsonl": "cloudaudit.formats.jsonl:render_jsonl",
    "csv": "cloudaudit.formats.csv_:render_csv",
    "csv-excel": "cloudaudit.formats.csv_:render_csv_excel",
    "sarif": "cloudaudit.formats.sarif:render_sarif",
    "ocsf": "cloudaudit.formats.ocsf:render_ocsf",
    "asff": "cloudaudit.formats.asff:render_asff",
    "markdown": "cloudaudit.formats.markdown:render_markdown",
    "html": "cloudaudit.formats.html:render_html",
    "dora-roi": "cloudaudit.formats.dora:render_dora_roi",
}


# format -> file suffix, for several formats written to one directory (report<suffix>)
SUFFIXES: dict[str, str] = {
    "table": ".txt",
    "json": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "csv-excel": ".excel.csv",
    "sarif": ".sarif",
    "ocsf": ".ocsf.json",
    "asff": ".asff.json",
    "markdown": ".md",
    "html": ".html",
    "dora-roi": ".dora-b_02.02.csv",
}


def format_of(path: str) -> str | None:
    """The format a file name asks for by its suffix (``.sarif``, ``.ocsf.json``...), or None."""
    name = path.lower()
    found = [(len(sfx), fmt) for fmt, sfx in SUFFIXES.items() if name.endswith(sfx)]
    return max(found)[1] if found else None


def _json(report: Report) -> str:
    return report.to_json() + "\n"


def _renderer(fmt: str) -> Callable[[Report], str]:
    target = _RENDERERS.get(fmt)
    if target is None:
        raise ConfigurationError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    module, _, name = target.partition(":")
    func: Callable[[Report], str] = getattr(importlib.import_module(module), name)
    return func


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`) and return the text.

    Raises:
        ConfigurationError: ``fmt`` is not a known format.
    """
    return _renderer(fmt)(report)


def write_report(report: Report, fmt: str, stream: TextIO) -> None:
    """Render ``report`` in ``fmt`` and write it to a text ``stream``."""
    stream.write(render(report, fmt))
