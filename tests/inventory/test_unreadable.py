"""A file that cannot be read to its end is a coverage gap naming it; the others are still read.

Before, a truncated or corrupt gzip (``EOFError``, ``BadGzipFile``), or bytes that are not
UTF-8, raised out of the import: every later file went unread and the one gap named no file
(``inventory/*/*/*: EOFError``). Cloudaudit's own forms are validated whole and say how to fix
what is wrong, with the line and column of a JSON error.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.inventory import InventoryError, plan_import, read_resources
from cloudaudit.models import CoverageGap
from cloudaudit.report import Report

SAMPLES = Path(__file__).parent / "samples"
FORSETI = (SAMPLES / "gcp_export_forseti.jsonl").read_text().splitlines()
CLOUDQUERY = SAMPLES / "cloudquery_gcp_storage_buckets.jsonl"


def _buckets(count: int) -> bytes:
    """A Cloud Asset export (JSON Lines) of ``count`` distinct buckets."""
    bucket = json.loads(FORSETI[1])
    lines = []
    for i in range(count):
        bucket["name"] = f"//storage.googleapis.com/bucket-{i}"
        bucket["resource"]["data"]["name"] = bucket["resource"]["data"]["id"] = f"bucket-{i}"
        lines.append(json.dumps(bucket))
    return ("\n".join(lines) + "\n").encode()


def _truncated(tmp_path: Path) -> Path:
    data = gzip.compress(_buckets(3000), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _crc_broken(tmp_path: Path) -> Path:
    data = bytearray(gzip.compress(_buckets(3000), mtime=0))
    data[-8] ^= 0xFF  # the CRC-32 of the trailer
    path = tmp_path / "crc.jsonl.gz"
    path.write_bytes(bytes(data))
    return path


def _file_gap(gaps: list[CoverageGap], path: Path) -> CoverageGap:
    [gap] = [g for g in gaps if g.code == "unreadable-file"]
    assert gap.scope == f"inventory:{path}"
    assert gap.message.startswith(f"{path}:")
    return gap


@pytest.mark.parametrize(("make", "error"), [(_truncated, "EOFError"), (_crc_broken, "CRC")])
def test_a_broken_gzip_is_a_gap_naming_it_and_the_next_file_is_read(
    make: object, error: str, tmp_path: Path
) -> None:
    broken = make(tmp_path)  # type: ignore[operator]
    gaps: list[CoverageGap] = []
    resources = list(read_resources([broken, CLOUDQUERY], gaps))
    names = {r.name for r in resources}
    assert "hk-bucket" in names  # the file after the broken one is read
    assert any(n.startswith("bucket-") for n in names)  # what came before the error is judged
    gap = _file_gap(gaps, broken)
    assert error in gap.message and "the rest of the file is not read" in gap.message
    line = int(gap.message.split(":")[1])
    assert line == sum(n.startswith("bucket-") for n in names) + 1  # the first line not read


def test_a_small_gzip_cut_short_is_a_gap_and_the_next_file_is_read(tmp_path: Path) -> None:
    """Cut before its shape could be told: nothing of it is read, and that is a gap."""
    data = gzip.compress((SAMPLES / "aws_config_snapshot.json").read_bytes(), mtime=0)
    path = tmp_path / "snapshot.json.gz"
    path.write_bytes(data[: len(data) - 12])
    gaps: list[CoverageGap] = []
    resources = list(read_resources([path, CLOUDQUERY], gaps))
    assert "hk-bucket" in {r.name for r in resources}
    assert "EOFError" in _file_gap(gaps, path).message


def test_a_csv_that_is_not_utf8_past_its_start_is_a_gap(tmp_path: Path) -> None:
    header, *rows = (SAMPLES / "steampipe_aws_s3_bucket.csv").read_bytes().splitlines()
    body = b"\n".join([header, *(rows * 400)]) + b"\n"
    path = tmp_path / "buckets.csv"
    path.write_bytes(body + rows[0].replace(b",", b",\xff", 1) + b"\n")
    gaps: list[CoverageGap] = []
    resources = list(read_resources([path], gaps))
    assert resources
    assert "UnicodeDecodeError" in _file_gap(gaps, path).message


def test_a_file_unreadable_from_its_first_bytes_is_a_gap_not_audited(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl.gz"
    path.write_bytes(gzip.compress(_buckets(2), mtime=0)[:30])
    gaps: list[CoverageGap] = []
    assert list(read_resources([path], gaps)) == []
    assert "nothing of it is read" in _file_gap(gaps, path).message
    code, out, err = _cli(str(path), "--fail-on", "never")
    assert code == 3 and f"not read in full: {path}" in err
    assert not Report.from_json(out).coverage.audited


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["audit", "inventory", *args, "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def test_cli_partly_unreadable_is_said_and_fails_on_gap(tmp_path: Path) -> None:
    cut = _truncated(tmp_path)
    code, out, err = _cli(str(cut), "--fail-on", "never")
    assert code == 0  # some of it was audited: a coverage gap, as a denied region is
    assert f"not read in full: {cut}" in err
    report = Report.from_json(out)
    assert [a.scope for a in report.coverage.audited] == [f"inventory:{cut}"]
    assert report.summary.gaps == 1 and report.summary.total > 0
    code, _, _ = _cli(str(cut), "--fail-on", "gap")
    assert code == 1


def test_cli_nothing_readable_is_not_audited(tmp_path: Path) -> None:
    path = tmp_path / "allbad.jsonl"
    path.write_text(FORSETI[0] + '\n{oops\n{"a": 1,}\n')  # a project (no resource), two bad
    code, out, err = _cli(str(path), "--fail-on", "never")
    assert code == 3, err
    assert "not audited: inventory" in err
    report = Report.from_json(out)
    assert report.summary.total == 0 and report.summary.gaps == 2
    assert not report.coverage.audited


def test_gap_messages_keep_the_json_error_position(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(FORSETI[1] + '\n{"name": "x\x01"}\n')
    gaps: list[CoverageGap] = []
    list(read_resources([path], gaps))
    [gap] = gaps
    assert gap.message == f"{path}:2: not JSON (column 12: Invalid control character)"
    doc = tmp_path / "explorer.json"
    text = (SAMPLES / "aws_resource_explorer.json").read_text()
    cut = text.index('"ResourceType": "ec2:instance"')
    doc.write_text(text[:cut] + '"Arn": "a\x01"')
    gaps = []
    list(read_resources([doc], gaps))
    line = text[:cut].count("\n") + 1
    pos = cut + len('"Arn": "a')
    column = pos - text.rfind("\n", 0, pos)
    assert f"line {line}, column {column}: Invalid control character" in gaps[0].message


# --- cloudaudit's own forms ------------------------------------------------------------------

OWN = {"provider": "aws", "account": "1", "service": "s3", "type": "bucket", "region": "eu-west-1"}


def _own_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "own.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_own_json_lines_are_read(tmp_path: Path) -> None:
    path = _own_lines(tmp_path, json.dumps({**OWN, "id": "a"}), json.dumps({**OWN, "id": "b"}))
    assert [r.id for r in read_resources([path])] == ["a", "b"]


def test_own_json_lines_errors_have_position_and_fix(tmp_path: Path) -> None:
    path = _own_lines(tmp_path, json.dumps({**OWN, "id": "a"}), '{"provider": "aws",')
    with pytest.raises(InventoryError) as err:
        plan_import([path])
    assert "line 2, column 20: malformed JSON: Expecting property name" in str(err.value)
    assert "Fix: write one whole JSON object per line" in str(err.value)
    bad = _own_lines(tmp_path, json.dumps({**OWN, "id": "a"}), json.dumps({**OWN, "colour": 1}))
    with pytest.raises(InventoryError, match=r"line 2\.colour: unknown field\. Fix: use only"):
        plan_import([bad])


@pytest.mark.parametrize(
    ("text", "where", "fix"),
    [
        ('[{"provider": "aws"},\n {"provider": "aws",}]', "line 2, column 21", "a trailing comma"),
        ('[{"provider": "aws"}]\n[]\n', "line 2, column 1", "more than one JSON value"),
    ],
)
def test_own_json_errors_have_a_fix(tmp_path: Path, text: str, where: str, fix: str) -> None:
    path = tmp_path / "own.json"
    path.write_text(text)
    with pytest.raises(InventoryError) as err:
        plan_import([path])
    assert where in str(err.value) and "Fix:" in str(err.value) and fix in str(err.value)


def test_own_csv_with_an_unknown_column_names_it(tmp_path: Path) -> None:
    path = tmp_path / "estate.csv"
    path.write_text("provider,account,service,type,id,region,colour\naws,1,s3,bucket,a,x,red\n")
    code, _, err = _cli(str(path))
    assert code == 2
    assert "header column 'colour': unknown column. Fix: use only: provider, account" in err
    assert "unknown inventory shape" not in err
