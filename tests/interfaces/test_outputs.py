"""One audit, many outputs; a saved report rendered again; the library and the CLI agree."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.cli._outputs import in_place, write_streamed
from cloudaudit.formats import FORMATS, SUFFIXES, format_of, render
from cloudaudit.report import Report


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    # the raw bytes: Result.stdout turns CSV's \r\n into \n
    return result.exit_code, result.stdout_bytes.decode(), result.stderr


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "report.json"
    code, _, err = _run("demo", "--format", "json", "--output", str(path))
    assert code == 0, err
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_of_a_saved_report_is_the_library_output_byte_for_byte(
    saved: Path, fmt: str
) -> None:
    code, out, err = _run("render", str(saved), "--format", fmt)
    assert code == 0, err
    report = Report.from_json(saved.read_bytes())
    assert out == render(report, fmt)


def test_several_formats_from_one_audit_into_a_directory(tmp_path: Path) -> None:
    wanted = ["json", "sarif", "html", "csv", "jsonl", "ocsf", "asff", "markdown", "table"]
    code, out, err = _run("demo", "--format", ",".join(wanted), "--output-dir", str(tmp_path))
    assert code == 0, err
    assert out == ""
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"report{SUFFIXES[f]}" for f in wanted)
    report = Report.from_json((tmp_path / "report.json").read_bytes())
    for fmt in wanted:  # every file is what the library renders for that one report
        written_text = (tmp_path / f"report{SUFFIXES[fmt]}").read_bytes().decode()
        assert written_text == render(report, fmt), fmt
    assert not list(tmp_path.glob(".*partial"))


def test_render_into_a_directory_and_one_format_into_a_file(saved: Path, tmp_path: Path) -> None:
    code, _, err = _run("render", str(saved), "--format", "sarif,markdown", "-o", str(tmp_path))
    assert code == 0, err
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "report.md").read_text().startswith("# cloudaudit report")
    single = tmp_path / "only.csv"
    code, _, _ = _run("render", str(saved), "--format", "csv", "--output", str(single))
    assert code == 0
    assert single.read_bytes().decode() == render(Report.from_json(saved.read_bytes()), "csv")


def test_several_formats_need_a_directory() -> None:
    code, out, err = _run("demo", "--format", "json,sarif")
    assert code == 2 and out == ""
    assert "2 formats need a directory: add --output-dir DIR" in err


def test_an_unknown_format_in_the_list_is_named() -> None:
    code, _, err = _run("demo", "--format", "json,pdf")
    assert code == 2 and "'json,pdf'" in err and "several separated by commas" in err


@pytest.mark.parametrize("command", ["render", "diff"])
def test_a_file_that_is_not_a_report_is_said_in_one_line(
    command: str, saved: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "not-a-report.json"
    bad.write_text('{"hello": "world"}')
    args = [command, str(bad)] + ([str(saved)] if command == "diff" else [])
    code, out, err = _run(*args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert f"error: {bad} is not a cloudaudit JSON report: Field required at" in err


def test_format_of_a_file_name() -> None:
    assert format_of("x/report.ocsf.json") == "ocsf"
    assert format_of("REPORT.SARIF") == "sarif"
    assert format_of("a.json") == "json"
    assert format_of("a.pdf") is None


def _read_all(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as f:
            into.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def test_a_fifo_or_the_process_stdout_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    """A rename over a FIFO, a device or /dev/stdout would replace it with a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_all(fifo, got)
    cmd = [sys.executable, "-m", "cloudaudit", "demo", "--format", "json", "--quiet"]
    done = subprocess.run([*cmd, "--output", str(fifo)], capture_output=True, timeout=120)
    reader.join(30)
    assert done.returncode in (0, 1), done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO
    assert json.loads(got[0])["findings"], got
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file

    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")  # what /dev/stdout is on Linux
    done = subprocess.run([*cmd, "--output", str(link)], capture_output=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert json.loads(done.stdout)["findings"]


def test_devices_and_descriptors_are_written_in_place_files_through_a_rename(
    tmp_path: Path,
) -> None:
    assert in_place(Path(os.devnull))
    assert not in_place(tmp_path / "report.json")  # missing: created through a rename
    (tmp_path / "report.json").write_text("old")
    assert not in_place(tmp_path / "report.json")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_all(fifo, got)
    assert write_streamed(fifo, lambda f: f.write('{"record": "summary"}\n')) == 22
    reader.join(30)
    assert got == [b'{"record": "summary"}\n'] and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_json_report_is_written_a_batch_at_a_time_never_held_as_one_string(
    tmp_path: Path,
) -> None:
    """The CLI's JSON file is the library's text, yet never exists whole in memory.

    A report of a million findings is about 5 GB of JSON; rendered to one string first (as
    the CLI once did), that string alone would exhaust most machines. Here the text is 10,000
    findings' worth (about 25 MB) and the writing may allocate at most a third of it.
    """
    import tracemalloc

    from cloudaudit import evaluate
    from cloudaudit.cli._outputs import emit
    from cloudaudit.testing import make_resource

    regions = ("eu-west-1", "ap-east-1", "us-east-1", "cn-north-1", "me-south-1")
    resources = [
        make_resource("aws", regions[i % len(regions)], name=f"bucket-{i}") for i in range(10_000)
    ]
    report = evaluate(resources, "us-foreign-adversaries")
    target = tmp_path / "report.json"
    tracemalloc.start()
    try:
        emit(report, "json", target, quiet=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = target.read_text(encoding="utf-8")
    assert text == render(report, "json")
    assert len(text) > 20_000_000
    assert peak < len(text) / 3, f"peak {peak:,} bytes for {len(text):,} characters"


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("violation", 1)])
def test_a_reader_that_closes_the_pipe_early_leaves_the_exit_code_the_audits(
    fail_on: str, code: int
) -> None:
    """``cloudaudit ... --format json | head -1``: no traceback, and the verdict's exit code."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudaudit", "demo", "--format", "json", "--fail-on", fail_on],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"{\n"
    proc.stdout.close()  # the demo's JSON (about 80 KB) is more than a pipe holds
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == code, err
    assert "Traceback" not in err and "Broken pipe" not in err


@pytest.fixture(scope="module")
def bulk() -> Report:
    """A bulk evaluation of 5,000 resources (its findings are built as they are read)."""
    from cloudaudit import evaluate
    from cloudaudit.testing import make_resource

    regions = ("eu-west-1", "ap-east-1", "us-east-1", "cn-north-1", "me-south-1")
    resources = [
        make_resource("aws", regions[i % len(regions)], name=f"bucket-{i}") for i in range(5_000)
    ]
    return evaluate(resources, "us-foreign-adversaries")


@pytest.mark.parametrize("fmt", ["sarif", "csv", "ocsf"])
def test_other_formats_are_written_to_a_file_in_pieces(
    bulk: Report, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is the library's text; writing it allocates a fraction of that text."""
    import tracemalloc

    from cloudaudit.cli._outputs import emit
    from cloudaudit.formats import _stream

    monkeypatch.setattr(_stream, "BATCH", 20)
    expected = render(bulk, fmt)  # (and the format's module loaded before counting)
    target = tmp_path / f"report{SUFFIXES[fmt]}"
    tracemalloc.start()
    try:
        emit(bulk, fmt, target, quiet=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    raw = target.read_bytes()
    assert raw.decode() == expected and len(raw) > 1_000_000
    assert peak < len(raw) / 3, f"peak {peak:,} bytes for {len(raw):,} bytes"


def test_several_formats_and_stdout_go_through_the_streamed_writers(
    bulk: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory of formats is the library's texts; SARIF on stdout comes in pieces."""
    import click

    from cloudaudit.cli._outputs import emit
    from cloudaudit.formats import _stream

    monkeypatch.setattr(_stream, "BATCH", 20)
    emit(bulk, "sarif,jsonl,csv-excel,asff", tmp_path / "out", quiet=True)
    for fmt in ("sarif", "jsonl", "csv-excel", "asff"):
        raw = (tmp_path / "out" / f"report{SUFFIXES[fmt]}").read_bytes()
        assert raw.decode() == render(bulk, fmt), fmt

    pieces: list[int] = []
    monkeypatch.setattr(click, "echo", lambda text, nl=True, **_: pieces.append(len(text)))
    emit(bulk, "sarif", None)
    assert sum(pieces) == len(render(bulk, "sarif"))
    assert max(pieces) < sum(pieces) / 50, f"largest piece {max(pieces):,} of {sum(pieces):,}"


def test_a_reader_that_closes_the_pipe_early_on_sarif_gets_no_traceback(
    bulk: Report, tmp_path: Path
) -> None:
    """``cloudaudit render REPORT --format sarif | head -1`` on a report larger than a pipe."""
    saved = tmp_path / "bulk.json"
    saved.write_text(render(bulk, "json"), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudaudit", "render", str(saved), "--format", "sarif"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"{\n"
    proc.stdout.close()  # about 2 MB of SARIF, far more than a pipe holds
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "Broken pipe" not in err


@pytest.mark.parametrize("fmt", ["json", "jsonl"])  # jsonl: the streamed path
def test_output_dir_with_one_format_writes_into_the_directory(fmt: str, tmp_path: Path) -> None:
    folder = tmp_path / "newdir"
    code, out, err = _run("demo", "--format", fmt, "--output-dir", f"{folder}/", "--quiet")
    assert code == 0, err
    assert out == "" and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == [f"report{SUFFIXES[fmt]}"]


def test_output_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    code, _, err = _run("demo", "--format", "json", "--output-dir", str(a_file))
    assert code == 2 and "is not a directory" in err
    assert a_file.read_text() == "x"


def test_a_format_given_twice_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = _run("demo", "--format", "json,json", "--output-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert "json given more than once" in err
    assert list(tmp_path.iterdir()) == []
