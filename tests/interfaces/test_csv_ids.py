"""CSV keeps account and resource ids as text, for machines (csv) and for spreadsheets (csv-excel).

Spreadsheets read a cell of digits as a number: a 12-digit AWS account id is shown as
``1.23457E+11``, a 16-digit Alibaba Cloud account id loses its last digit (15 significant
digits), a leading zero vanishes. ``csv`` keeps every value verbatim for machine readers;
``csv-excel`` writes such cells as ``="…"``, which a spreadsheet shows as the text itself.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from cloudaudit import audit
from cloudaudit.formats import format_of, render
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

AWS_ACCOUNT = "012345678901"  # leading zero: lost by any reader that parses numbers
ALIBABA_ACCOUNT = "1234567890123457"  # 16 digits: a spreadsheet keeps 15 significant digits
GCP_INSTANCE = "8290475938162049184"  # Compute Engine instance ids are 19-digit numbers


def _report() -> Report:
    resources = [
        make_resource("aws", "eu-west-1", account=AWS_ACCOUNT, name="logs"),
        make_resource("alibaba", "cn-hangzhou", account=ALIBABA_ACCOUNT, name="oss-1"),
        make_resource(
            "gcp",
            "europe-west1",
            account="my-project",
            service="compute",
            type="instance",
            id=GCP_INSTANCE,
            name="2026-12-02",  # a name a spreadsheet would turn into a date
        ),
    ]
    return audit([FakeProvider(resources, name="mixed")], "eu-gdpr")


def _rows(fmt: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(_report(), fmt))))


def test_csv_keeps_ids_verbatim_for_machines() -> None:
    rows = _rows("csv")
    assert {r["account"] for r in rows} == {AWS_ACCOUNT, ALIBABA_ACCOUNT, "my-project"}
    assert GCP_INSTANCE in {r["resource_id"] for r in rows}
    assert not any(cell.startswith("=") for r in rows for cell in r.values())


def test_csv_read_as_text_and_the_dataframe_keep_ids() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(render(_report(), "csv")), dtype=str)
    assert set(frame["account"]) == {AWS_ACCOUNT, ALIBABA_ACCOUNT, "my-project"}
    assert set(_report().to_dataframe()["account"]) == {AWS_ACCOUNT, ALIBABA_ACCOUNT, "my-project"}


def test_csv_excel_keeps_number_like_cells_as_text() -> None:
    rows = _rows("csv-excel")
    accounts = {r["account"] for r in rows}
    assert accounts == {f'="{AWS_ACCOUNT}"', f'="{ALIBABA_ACCOUNT}"', "my-project"}
    gcp = next(r for r in rows if r["provider"] == "gcp")
    assert gcp["resource_id"] == f'="{GCP_INSTANCE}"'
    assert gcp["name"] == '="2026-12-02"'
    # everything else is exactly what csv writes
    plain = {r["resource_id"].strip('="'): r for r in _rows("csv")}
    for row in rows:
        same = plain[row["resource_id"].strip('="')]
        for col in ("status", "region", "countries", "jurisdictions", "reasons", "service"):
            assert row[col] == same[col]


def test_csv_excel_has_its_own_suffix() -> None:
    assert format_of("report.excel.csv") == "csv-excel"
    assert format_of("report.csv") == "csv"


def _through_libreoffice(tmp_path: Path, fmt: str) -> list[dict[str, str]]:
    """Open the report in LibreOffice Calc and save it as CSV again: what a spreadsheet kept."""
    source = tmp_path / f"report{'.excel' if fmt == 'csv-excel' else ''}.csv"
    source.write_text(render(_report(), fmt), encoding="utf-8", newline="")
    out = tmp_path / fmt
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return list(csv.DictReader(io.StringIO(next(out.glob("*.csv")).read_text("utf-8"))))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_reads_the_ids_as_text(tmp_path: Path) -> None:
    """LibreOffice mangles the plain CSV's ids and keeps csv-excel's whole, as text."""
    plain = _through_libreoffice(tmp_path, "csv")
    assert AWS_ACCOUNT not in {r["account"] for r in plain}  # the leading zero is gone
    assert GCP_INSTANCE not in {r["resource_id"] for r in plain}  # shown as 8.29E+018

    rows = _through_libreoffice(tmp_path, "csv-excel")
    assert {r["account"] for r in rows} == {AWS_ACCOUNT, ALIBABA_ACCOUNT, "my-project"}
    assert GCP_INSTANCE in {r["resource_id"] for r in rows}
    assert "2026-12-02" in {r["name"] for r in rows}
