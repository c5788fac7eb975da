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

from pydantic import TypeAdapter

from cloudaudit.errors import ConfigurationError
from cloudaudit.formats._stream import batches
from cloudaudit.models import Finding
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


# format -> "module:function" writing a Report to a text stream in pieces (the formats whose
# text is a header, one piece per finding and a footer); the others are rendered whole
_WRITERS: dict[str, str] = {
    "json": "cloudaudit.formats:_write_json",
    "jsonl": "cloudaudit.formats.jsonl:write_jsonl_report",
    "csv": "cloudaudit.formats.csv_:write_csv",
    "csv-excel": "cloudaudit.formats.csv_:write_csv_excel",
    "sarif": "cloudaudit.formats.sarif:write_sarif",
    "ocsf": "cloudaudit.formats.ocsf:write_ocsf",
    "asff": "cloudaudit.formats.asff:write_asff",
}


def write_report(report: Report, fmt: str, stream: TextIO) -> None:
    """Write ``report`` in ``fmt`` to a text ``stream``: the text :func:`render` returns.

    JSON, JSON Lines, CSV, CSV for spreadsheets, SARIF, OCSF and ASFF are written a batch of
    findings at a time: the findings are read in order and each batch is built, written and
    dropped, so neither the whole text nor every finding is held at once (SARIF, which lists
    results worst first, holds only the sort key of each non-compliant finding; ASFF reads
    the findings' accounts in a first pass when ``CLOUDAUDIT_ASFF_ACCOUNT`` is not set).
    The table, Markdown, HTML and the DORA register are rendered whole and then written:
    they sort, group or count over every finding before their first line (the first three
    without building every finding: see :func:`~cloudaudit.report.worst_first`).

    Raises:
        ConfigurationError: ``fmt`` is not a known format.
    """
    target = _WRITERS.get(fmt)
    if target is None:
        stream.write(render(report, fmt))
        return
    module, _, name = target.partition(":")
    writer: Callable[[Report, TextIO], None] = getattr(importlib.import_module(module), name)
    writer(report, stream)


_FINDINGS_KEY = '"findings": []'
_findings_json = TypeAdapter(tuple[Finding, ...])


def _write_json(report: Report, stream: TextIO) -> None:
    """Write :meth:`Report.to_json` a batch of findings at a time, never the whole text.

    The report without its findings is written around them; each batch is the JSON of a
    tuple of findings (what the report's own serializer writes for them) indented one level
    deeper, so the text is the same character for character (a test compares them).
    Findings of a bulk evaluation are built batch by batch and dropped once written.
    """
    findings = report.findings
    shell = report.model_copy(update={"findings": ()}).to_json()
    head, key, tail = shell.partition(_FINDINGS_KEY)
    if not findings or not key:
        stream.write(_json(report))
        return
    stream.write(head + '"findings": [\n')
    sep = ""
    for batch in batches(findings):
        text = _findings_json.dump_json(tuple(batch), indent=2).decode()[2:-2]  # no "[\n", "\n]"
        stream.write(sep + "  " + text.replace("\n", "\n  "))
        sep = ",\n"
    stream.write("\n  ]" + tail + "\n")
