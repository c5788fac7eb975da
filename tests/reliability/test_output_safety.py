"""Hostile resource names, ids, tags and gap messages cannot script a report or a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudaudit import audit
from cloudaudit.formats import FORMATS, render
from cloudaudit.models import CoverageGap
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><script>steal()</script>",
    "a|b|c` **bold** [link](javascript:alert(1))",
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def hostile_report(names: list[str]) -> Report:
    resources = [
        make_resource(
            "aws",
            "eu-west-1" if i % 2 else "ap-east-1",
            name=name,
            id=f"arn:aws:s3:::{i}-{name}",
            tags={name: name, "k": name},
        )
        for i, name in enumerate(names)
    ]
    gaps = [
        CoverageGap(provider="aws", scope=f"aws/{SCRIPT}", code=SCRIPT, message=f"denied {SCRIPT}")
    ]
    return audit([FakeProvider(resources, gaps=gaps, name="aws")], "us-foreign-adversaries")


class Elements(HTMLParser):
    """Records every start tag and every attribute name of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def test_html_gets_no_element_or_handler_from_data() -> None:
    clean, dirty = Elements(), Elements()
    clean.feed(render(hostile_report(["plain"] * len(HOSTILE)), "html"))
    dirty.feed(render(hostile_report(HOSTILE), "html"))
    assert sorted(dirty.tags) == sorted(clean.tags), "data added HTML elements"
    assert not [a for a in dirty.attrs if a.startswith("on")]
    assert dirty.tags.count("script") == clean.tags.count("script")


def test_markdown_escapes_pipes_and_html() -> None:
    text = render(hostile_report(HOSTILE), "markdown")
    assert SCRIPT not in text and "<img" not in text
    cells = re.compile(r"(?<!\\)\|")
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None  # a new table starts after any other line
            continue
        n = len(cells.findall(line))
        width = width or n
        assert n == width, f"a pipe from data split a markdown cell: {line}"


# csv-excel's one formula: ="…" around digits and .:/+-eE, which a spreadsheet shows as that text
_TEXT_FORMULA = re.compile(r'="[0-9][0-9.:/+eE-]*"')


def _formula_cells(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return [
        c
        for r in rows[1:]
        for c in r
        if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not _TEXT_FORMULA.fullmatch(c)
    ]


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_csv_cells_cannot_start_a_formula(fmt: str) -> None:
    assert _formula_cells(render(hostile_report(HOSTILE), fmt)) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=4))
def test_any_name_renders_in_every_format_without_injection(names: list[str]) -> None:
    report = hostile_report(names)
    for fmt in FORMATS:
        out = render(report, fmt)
        assert isinstance(out, str)
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:] for c in r)
    assert _formula_cells(render(report, "csv-excel")) == []
    html = Elements()
    html.feed(render(report, "html"))
    assert not [a for a in html.attrs if a.startswith("on")]


# ------------------------------------------------------ control characters and bidi overrides
TRICKS = ["invoice\u202efdp.exe", "red\x1b[31malert\x1b[0m", "bell\x07zero\u200bwidth", "c1\x9bx"]
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069]")


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "html"])
def test_control_and_bidi_characters_are_shown_escaped(fmt: str) -> None:
    report = hostile_report(TRICKS)
    gap = CoverageGap(provider="aws", scope="aws/1/*/s3", code="X", message=TRICKS[1])
    report = report.model_copy(
        update={"coverage": report.coverage.model_copy(update={"gaps": (gap,)})}
    )
    text = render(report, fmt)
    assert not RAW.search(text.replace("\r\n", "\n")), fmt
    if fmt in ("table", "csv"):  # HTML shows U+XXXX badges; Markdown escapes the backslash
        assert "invoice\\u202efdp.exe" in text
        assert "\\x1b[31m" in text


def test_gap_messages_from_a_cloud_are_neutralised() -> None:
    from cloudaudit.providers._fanout import Scope, make_gap

    gap = make_gap(Scope("aws", "1"), "AccessDenied", "denied for invoice\u202efdp.exe\x1b[2J")
    assert gap.message == "denied for invoice\\u202efdp.exe\\x1b[2J"


# ------------------------------------------------------------------------ temporary files
def test_a_planted_symlink_cannot_redirect_the_report(tmp_path: Path) -> None:
    import os

    from cloudaudit.cli._outputs import write_atomic

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "report.json"
    for pid in range(os.getpid() - 5, os.getpid() + 5):  # the old, predictable names
        (tmp_path / f".report.json.{pid}.partial").symlink_to(victim)
    write_atomic(out, "report")
    assert victim.read_text() == "keep me"
    assert out.read_text() == "report" and not out.is_symlink()
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()  # as open() makes it


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_report_gets_the_mode_open_would_give_it(tmp_path: Path) -> None:
    """Written through a 0600 temporary file, a report once stayed 0600 whatever the umask:
    unreadable from a shared folder or a web server. Now a new report gets 0666 less the
    umask, and a report written over an existing file keeps that file's mode."""
    import os

    from cloudaudit.cli._outputs import write_atomic

    new, old = tmp_path / "new.json", tmp_path / "old.json"
    old.write_text("before")
    old.chmod(0o604)
    was = os.umask(0o027)
    try:
        write_atomic(new, "report")
        write_atomic(old, "report")
    finally:
        os.umask(was)
    assert new.stat().st_mode & 0o777 == 0o640  # 0666 less 027
    assert old.stat().st_mode & 0o777 == 0o604 and old.read_text() == "report"


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    from cloudaudit.cli._common import write_streamed

    def interrupted(f: object) -> None:
        f.write("half")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_streamed(tmp_path / "report.jsonl", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_an_evidence_bundle_gets_the_mode_mkdir_would_give_it(tmp_path: Path) -> None:
    """The bundle's folder was mkdtemp's 0700 once renamed into place, whatever the umask."""
    import os

    from cloudaudit import audit
    from cloudaudit.testing import FakeProvider

    was = os.umask(0o027)
    try:
        audit(FakeProvider([]), "eu-gdpr", evidence=tmp_path / "bundle")
    finally:
        os.umask(was)
    assert (tmp_path / "bundle").stat().st_mode & 0o777 == 0o750
    assert ((tmp_path / "bundle" / "manifest.json").stat().st_mode & 0o777) == 0o640
