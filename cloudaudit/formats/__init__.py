"""Report formats: one module per format, and a dispatcher.

Example:
    >>> from cloudaudit.formats import FORMATS, render
    >>> "sarif" in FORMATS
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from cloudaudit.errors import ConfigurationError
from cloudaudit.report import Report

__all__ = ["FORMATS", "render", "write_report"]

FORMATS = ("table", "json", "jsonl", "csv", "sarif", "ocsf", "markdown", "html")


def _table(report: Report) -> str:
    from cloudaudit.formats.table import render_table

    return render_table(report)


def _json(report: Report) -> str:
    return report.to_json() + "\n"


def _renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "table":
        return _table
    if fmt == "json":
        return _json
    if fmt == "jsonl":
        from cloudaudit.formats.jsonl import render_jsonl

        return render_jsonl
    if fmt == "csv":
        from cloudaudit.formats.csv_ import render_csv

        return render_csv
    if fmt == "sarif":
        from cloudaudit.formats.sarif import render_sarif

        return render_sarif
    if fmt == "ocsf":
        from cloudaudit.formats.ocsf import render_ocsf

        return render_ocsf
    if fmt == "markdown":
        from cloudaudit.formats.markdown import render_markdown

        return render_markdown
    if fmt == "html":
        from cloudaudit.formats.html import render_html

        return render_html
    raise ConfigurationError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`) and return the text.

    Raises:
        ConfigurationError: ``fmt`` is not a known format.
    """
    return _renderer(fmt)(report)


def write_report(report: Report, fmt: str, stream: TextIO) -> None:
    """Render ``report`` in ``fmt`` and write it to a text ``stream``."""
    stream.write(render(report, fmt))
