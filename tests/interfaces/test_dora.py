"""DORA register feed: B_02.02 / B_05.01 location data points from the demo estate.

The checks below restate the EBA DORA reporting framework 4.0 for the columns cloudaudit fills
(plain-CSV table files with c0010... headers; value lists eba_GA, eba_BT, eba_qCO, eba_CT, eba_TA)
and the RoI validation rules that bear on them: e23674_e (B_05.01 c0020, c0050, c0060, c0070,
c0080 and c0110 are not empty), v8817_m (a legal person's code type is LEI or EUID) and v8821_m
(an LEI matches ^[A-Z0-9]{18}[0-9]{2}$). B_02.02.0150 is mandatory when 0140 is "yes".
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.dora import (
    B_02_02_COLUMNS,
    B_05_01_COLUMNS,
    DoraMapping,
    finding_countries,
    load_mapping,
    parse_register,
    register_diff,
    roi_tables,
)
from cloudaudit.errors import ConfigurationError
from cloudaudit.report import Report

LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
COUNTRY = re.compile(r"^eba_GA:[A-Z]{2}$")

MAPPING = """\
entity_lei: "5299000J2N45DDNE4Y28"
arrangements:
  - reference: AWS-2024-001
    provider_code: "5493001KJTIIGC8Y1R12"
    function: F-PAY
    service_type: "eba_TA:S17"
    match: {provider: aws}
  - reference: GCP-2023-007
    provider_code: "5493001KJTIIGC8Y1S09"
    function: F-PAY
    service_type: "eba_TA:S18"
    match: {provider: gcp}
providers:
  - code: "5493001KJTIIGC8Y1R12"
    name: Amazon Web Services EMEA SARL
    headquarters: LU
  - code: "5493001KJTIIGC8Y1S09"
    name: Google Cloud EMEA Limited
    headquarters: IE
"""


@pytest.fixture(scope="module")
def report() -> Report:
    return audit(list(demo_providers()), demo_policy("us-foreign-adversaries"))


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "dora.yaml"
    path.write_text(MAPPING)
    return path


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def test_tables_follow_the_eba_layout_and_value_lists(report: Report, mapping_file: Path) -> None:
    files = roi_tables(report, load_mapping(mapping_file)).files()
    header, rows = _rows(files["b_02.02.csv"])
    assert tuple(header) == B_02_02_COLUMNS == tuple(f"c{n:04d}" for n in range(10, 190, 10))
    assert rows
    for row in rows:
        assert row["c0010"] in {"AWS-2024-001", "GCP-2023-007"}
        assert LEI.match(row["c0020"]) and LEI.match(row["c0030"])
        assert row["c0040"] == "eba_qCO:qx2000"
        assert re.match(r"^eba_TA:S\d\d$", row["c0060"])
        assert COUNTRY.match(row["c0130"]) and COUNTRY.match(row["c0160"])
        assert row["c0140"] == "eba_BT:x28" and COUNTRY.match(row["c0150"])
    keys = [tuple(r.values()) for r in rows]
    assert len(keys) == len(set(keys)), "one row per arrangement and country combination"
    header, providers = _rows(files["b_05.01.csv"])
    assert tuple(header) == B_05_01_COLUMNS
    for row in providers:
        for col in ("c0020", "c0050", "c0060", "c0070", "c0080", "c0110"):  # e23674_e
            assert row[col], col
        assert row["c0070"] == "eba_CT:x212"
        assert row["c0020"] in {"eba_qCO:qx2000", "eba_qCO:qx2002"}  # v8817_m
        assert LEI.match(row["c0010"])  # v8821_m
        assert COUNTRY.match(row["c0080"])


def test_copies_are_storage_locations(report: Report, mapping_file: Path) -> None:
    """The demo's US bucket replicates to Hong Kong: data at rest in HK, managed from the US."""
    _, rows = _rows(roi_tables(report, load_mapping(mapping_file)).files()["b_02.02.csv"])
    combos = {(r["c0010"], r["c0130"], r["c0150"]) for r in rows}
    assert ("AWS-2024-001", "eba_GA:US", "eba_GA:HK") in combos
    # the GCS EU multi-region bucket: every candidate country, each with itself, no cross product
    gcp = [r for r in rows if r["c0010"] == "GCP-2023-007" and r["c0130"] == "eba_GA:FR"]
    assert {r["c0150"] for r in gcp} == {"eba_GA:FR"}


def test_what_cannot_be_placed_is_listed_not_dropped(report: Report, mapping_file: Path) -> None:
    tables = roi_tables(report, load_mapping(mapping_file))
    reasons = {(u.resource_id, u.reason) for u in tables.unresolved}
    assert any("ap-southeast-9" in reason for _, reason in reasons)  # unmapped region
    assert any(reason.startswith("not audited") for _, reason in reasons)  # coverage gaps
    assert any(reason == "no arrangement matches" for _, reason in reasons)  # Alibaba, Azure
    listed = {u.resource_id for u in tables.unresolved}
    for f in report.findings:
        processing, _copies, problems = finding_countries(f)
        # every resource is either in a row (placed, no problem) or listed as unresolved
        assert (processing and not problems) or f.resource.id in listed, f.resource.id


def test_register_diff_names_undeclared_and_empty_countries(
    report: Report, mapping_file: Path
) -> None:
    mapping = load_mapping(mapping_file)
    text = roi_tables(report, mapping).files()["b_02.02.csv"]
    lines = [ln for ln in text.splitlines() if "eba_GA:HK" not in ln]
    lines.append("GCP-2023-007,,,,,,,,,,,,eba_GA:CH,eba_BT:x28,CH,eba_GA:CH,,")
    d = register_diff(parse_register("\n".join(lines), "reg.csv"), report, mapping)
    assert ("AWS-2024-001", "c0150", "HK") in d.undeclared
    assert ("AWS-2024-001", "c0160", "HK") in d.undeclared
    assert ("GCP-2023-007", "c0150", "CH") in d.empty
    assert not d.clean
    full = register_diff(parse_register(text, "reg.csv"), report, mapping)
    assert not full.undeclared and not full.empty


def test_cli_writes_the_files_and_diffs_a_register(
    report: Report, mapping_file: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(report.to_json())
    out = tmp_path / "roi"
    runner = CliRunner()
    res = runner.invoke(
        main, ["dora-roi", str(saved), "--mapping", str(mapping_file), "--output-dir", str(out)]
    )
    assert res.exit_code == 1, res.output  # the demo has unplaceable resources and gaps
    assert sorted(p.name for p in out.iterdir()) == ["b_02.02.csv", "b_05.01.csv", "unresolved.csv"]
    register = tmp_path / "register.csv"
    register.write_text(
        "\n".join(ln for ln in (out / "b_02.02.csv").read_text().splitlines() if "HK" not in ln)
    )
    res = runner.invoke(
        main, ["dora-diff", str(register), str(saved), "--mapping", str(mapping_file)]
    )
    assert res.exit_code == 1
    assert "+ AWS-2024-001 c0150: data found in HK, not declared" in res.output


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("5299000J2N45DDNE4Y28", "NOT-A-LEI"), "entity_lei"),
        (("eba_TA:S18", "cloud"), "arrangements.1.service_type"),
        (("headquarters: IE", "headquarters: Ireland"), "providers.1.headquarters"),
        # ISO 17442 LEIs and ISO 3166-1 countries, checked, not only shaped like one
        (("5299000J2N45DDNE4Y28", "5299000J2N45DDNE4Y2"), "entity_lei"),  # 19 characters
        (("5299000J2N45DDNE4Y28", "5299000J2N45DDNE4Y29"), "entity_lei"),  # check digits
        (("headquarters: IE", "headquarters: XX"), "providers.1.headquarters"),
        (
            ("headquarters: LU", 'headquarters: LU\n    parent_code: "..."'),
            "providers.0.parent_code",
        ),
        (('- code: "5493001KJTIIGC8Y1S09"', '- code: "5493001KJTIIGC8Y1S0"'), "providers.1.code"),
        (
            ('provider_code: "5493001KJTIIGC8Y1S09"', 'provider_code: "5493001KJTIIGC8Y1S19"'),
            "arrangements.1.provider_code",
        ),
        (
            ('function: F-PAY\n    service_type: "eba_TA:S17"', 'service_type: "eba_TA:S17"'),
            "function",
        ),
    ],
)
def test_bad_mapping_names_file_field_and_fix(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MAPPING.replace(*change, 1))
    with pytest.raises(ConfigurationError) as err:
        load_mapping(path)
    assert str(path) in str(err.value) and field in str(err.value) and "Fix:" in str(err.value)


def test_cli_refuses_an_invalid_code_and_writes_nothing(report: Report, tmp_path: Path) -> None:
    saved, mapping, out = tmp_path / "r.json", tmp_path / "m.yaml", tmp_path / "roi"
    saved.write_text(report.to_json())
    mapping.write_text(MAPPING.replace("5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R1"))
    args = ["dora-roi", str(saved), "--mapping", str(mapping), "--output-dir", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert f"{mapping}: invalid DORA mapping" in res.output
    assert "has 19 characters; an LEI has 20. Fix:" in res.output
    assert not out.exists()


def test_the_worked_example_of_docs_dora_md_prints_what_it_says(tmp_path: Path) -> None:
    """docs/dora.md's mapping file validates, and dora-roi prints the counts the page shows."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "dora.md").read_text()
    (mapping,) = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    (said,) = re.findall(r"#   (wrote .* to roi/)", doc)
    (tmp_path / "dora.yaml").write_text(mapping)
    m = load_mapping(tmp_path / "dora.yaml")
    assert len(m.providers) == 2  # one B_05.01 row per provider the arrangements name
    saved, roi = tmp_path / "report.json", tmp_path / "roi"
    res = CliRunner().invoke(main, ["demo", "--format", "json", "--output", str(saved), "-q"])
    assert res.exit_code == 0, res.output
    args = ["dora-roi", str(saved), "--mapping", str(tmp_path / "dora.yaml"), "--output-dir"]
    res = CliRunner().invoke(main, [*args, str(roi)])
    assert res.exit_code == 1, res.output  # unresolved items
    assert said.replace("roi/", str(roi)) in res.output


def test_cli_bad_inputs_exit_2(report: Report, tmp_path: Path, mapping_file: Path) -> None:
    runner = CliRunner()
    notreport = tmp_path / "x.json"
    notreport.write_text('{"a": 1}')
    res = runner.invoke(
        main,
        [
            "dora-roi",
            str(notreport),
            "--mapping",
            str(mapping_file),
            "--output-dir",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 2 and "not a cloudaudit JSON report" in res.output
    assert not (tmp_path / "o").exists()
    saved = tmp_path / "r.json"
    saved.write_text(report.to_json())
    badreg = tmp_path / "reg.csv"
    badreg.write_text("c0010,c0150,c0160\nA,Germany,DE\n")
    res = runner.invoke(
        main, ["dora-diff", str(badreg), str(saved), "--mapping", str(mapping_file)]
    )
    assert res.exit_code == 2 and "line 2" in res.output and "Germany" in res.output
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.yaml"
        os.mkfifo(fifo)
        with pytest.raises(ConfigurationError, match="not a regular file"):
            load_mapping(fifo)


def test_mapping_model_is_usable_from_python(report: Report) -> None:
    m = DoraMapping.model_validate(
        {
            "entity_lei": "5299000J2N45DDNE4Y28",
            "arrangements": [
                {
                    "reference": "A",
                    "provider_code": "5493001KJTIIGC8Y1R12",
                    "function": "F",
                    "match": {"provider": "aws", "services": ["s3"]},
                }
            ],
        }
    )
    tables = roi_tables(report, m)
    assert tables.b_02_02 and {r["c0010"] for r in tables.b_02_02} == {"A"}


def test_format_dora_roi_keys_rows_by_scope_and_keeps_what_it_cannot_place(
    report: Report,
) -> None:
    from cloudaudit.formats import render

    header, rows = _rows(render(report, "dora-roi"))
    assert tuple(header) == B_02_02_COLUMNS
    placed = [r for r in rows if r["c0150"]]
    assert ("aws/111122223333/s3", "eba_GA:US", "eba_GA:HK") in {
        (r["c0010"], r["c0130"], r["c0150"]) for r in placed
    }
    assert all(COUNTRY.match(r["c0130"]) and COUNTRY.match(r["c0160"]) for r in placed)
    empty = {r["c0010"] for r in rows if not r["c0150"]}
    assert "aws/111122223333/me-south-1/*" in empty  # a scope not audited
    assert "aws/111122223333/s3" in empty  # the bucket in an unmapped region
    assert all(r["c0140"] == "eba_BT:x28" for r in rows)
