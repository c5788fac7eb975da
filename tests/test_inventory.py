"""Inventory import: JSON and CSV files, strict validation, and the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit._audit import evaluate
from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.inventory import InventoryError, inventory_coverage, load_inventory
from cloudaudit.models import LocationKind, ProviderId, Status
from cloudaudit.report import Report
from cloudaudit.testing import make_resource

CSV_OK = """provider,account,service,type,id,name,region,zone,kind,copies,tags
alibaba,5123,oss,bucket,acs:oss:*:5123:va-data,va-data,us-east-1,,,,team=data;env=prod
aws,111122223333,s3,bucket,arn:aws:s3:::fra,fra,eu-central-1,,region,eu-west-1;us-east-1,
gcp,my-project,storage,bucket,//storage.googleapis.com/eu-logs,eu-logs,EU,,multi_region,,
other,cmdb,vm,host,srv-042,,,,unknown,,
azure,sub-1,Microsoft.Compute,disks,/subscriptions/sub-1/disks/d1,d1,westeurope,westeurope-1,zone,,
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[InventoryError]) -> str:
    return str(exc.value)


def test_csv_round_trip(tmp_path: Path) -> None:
    resources = load_inventory(_write(tmp_path, "inv.csv", CSV_OK))
    assert [r.provider for r in resources] == [
        ProviderId.ALIBABA,
        ProviderId.AWS,
        ProviderId.GCP,
        ProviderId.OTHER,
        ProviderId.AZURE,
    ]
    va, fra, eu, cmdb, disk = resources
    assert va.tags == {"team": "data", "env": "prod"}
    assert va.location.region == "us-east-1"
    assert va.location.kind is LocationKind.REGION
    assert [c.region for c in fra.data_locations] == ["eu-west-1", "us-east-1"]
    assert eu.location.kind is LocationKind.MULTI_REGION
    assert cmdb.name == "srv-042"
    assert cmdb.location.kind is LocationKind.UNKNOWN
    assert disk.location.zone == "westeurope-1"


def test_json_model_form_round_trips_resources(tmp_path: Path) -> None:
    originals = [
        make_resource("alibaba", "us-east-1", name="va", copies=["eu-central-1"]),
        make_resource("aws", "ap-east-1", name="hk", zone="ap-east-1a", kind="zone"),
    ]
    data = {"resources": [r.model_dump(mode="json") for r in originals]}
    path = _write(tmp_path, "inv.json", json.dumps(data))
    assert load_inventory(path) == originals


def test_json_flat_form_list(tmp_path: Path) -> None:
    flat = [
        {
            "provider": "alibaba",
            "account": "5123",
            "service": "oss",
            "type": "bucket",
            "id": "fra-data",
            "region": "eu-central-1",
            "copies": ["us-east-1"],
            "tags": {"team": "data"},
        }
    ]
    [r] = load_inventory(_write(tmp_path, "flat.json", json.dumps(flat)))
    assert r.name == "fra-data"
    assert r.tags == {"team": "data"}
    assert [c.region for c in r.data_locations] == ["us-east-1"]


def test_judged_with_evaluate(tmp_path: Path) -> None:
    path = _write(tmp_path, "inv.csv", CSV_OK)
    resources = load_inventory(path)
    report = evaluate(
        resources, "us-foreign-adversaries", coverage=inventory_coverage(str(path), resources)
    )
    status = {f.resource.name: f.status for f in report.findings}
    assert status["va-data"] is Status.VIOLATION  # Alibaba: operator axis
    assert status["srv-042"] is Status.UNKNOWN  # no location is never a pass
    [scope] = report.coverage.audited
    assert scope.scope == f"inventory:{path}"
    assert scope.resources == 5


def test_unknown_column(tmp_path: Path) -> None:
    text = "provider,account,service,type,id,region,colour\naws,1,s3,bucket,b,us-east-1,red\n"
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "bad.csv", text))
    msg = _problems(exc)
    assert "bad.csv" in msg
    assert "header column 'colour': unknown column" in msg
    assert "Fix: use only: provider, account" in msg


def test_missing_required_column(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="header column 'id': is missing"):
        load_inventory(_write(tmp_path, "bad.csv", "provider,account,service,type,region\n"))


def test_bad_provider_lists_valid_ids(tmp_path: Path) -> None:
    text = "provider,account,service,type,id,region\nalicloud,1,oss,bucket,b,us-east-1\n"
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "bad.csv", text))
    msg = _problems(exc)
    assert "row 2, field 'provider': unknown provider 'alicloud'" in msg
    assert "aws, gcp, azure, alibaba, oci, tencent, huawei, yandex, other" in msg


def test_bad_kind_and_missing_id_all_reported_at_once(tmp_path: Path) -> None:
    text = (
        "provider,account,service,type,id,region,kind\n"
        "aws,1,s3,bucket,b1,us-east-1,continent\n"
        "aws,1,s3,bucket,,us-east-1,region\n"
        "aws,1,ec2,volume,b3,,region\n"
        "aws,1,s3,bucket,b1,us-east-1,region\n"
    )
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "bad.csv", text))
    problems = exc.value.problems
    wheres = [p[0] for p in problems]
    assert "row 2, field 'kind'" in wheres
    assert "row 3, field 'id'" in wheres
    assert "row 4, field 'region'" in wheres
    assert any("multi_region" in p[2] for p in problems if p[0] == "row 2, field 'kind'")
    assert isinstance(exc.value, ConfigurationError)


def test_duplicate_ids_rejected(tmp_path: Path) -> None:
    text = (
        "provider,account,service,type,id,region\n"
        "aws,1,s3,bucket,b,us-east-1\naws,1,s3,bucket,b,eu-west-1\n"
    )
    with pytest.raises(InventoryError, match="appears more than once"):
        load_inventory(_write(tmp_path, "dup.csv", text))


def test_bad_tags_and_copies(tmp_path: Path) -> None:
    text = (
        "provider,account,service,type,id,region,copies,tags\n"
        'aws,1,s3,bucket,b,us-east-1,eu-west-1;;x,"team"\n'
    )
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "bad.csv", text))
    wheres = [p[0] for p in exc.value.problems]
    assert wheres == ["row 2, field 'copies'", "row 2, field 'tags'"]


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    text = '[\n  {"provider": "aws",\n   "id": "b"\n   "region": "x"}\n]\n'
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "bad.json", text))
    assert "bad.json: invalid inventory" in str(exc.value)
    assert "line 4, column 4: malformed JSON" in str(exc.value)


def test_json_model_form_errors_name_index_and_field(tmp_path: Path) -> None:
    good = make_resource("aws", "us-east-1").model_dump(mode="json")
    bad = {**good, "id": "x2", "location": {"provider": "aws", "region": "r", "kind": "planet"}}
    unknown = {**good, "id": "x3", "provider": "ibm"}
    path = _write(tmp_path, "m.json", json.dumps([good, bad, unknown, 7]))
    with pytest.raises(InventoryError) as exc:
        load_inventory(path)
    wheres = [p[0] for p in exc.value.problems]
    assert wheres == [
        "resources[1].location.kind",
        "resources[2].provider",
        "resources[3]",
    ]


def test_json_wrong_top_level_and_depth(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=r'\{"resources": \[...\]\}'):
        load_inventory(_write(tmp_path, "a.json", '{"items": []}'))
    deep = "[" * 40 + "]" * 40
    with pytest.raises(InventoryError, match="nested deeper"):
        load_inventory(_write(tmp_path, "deep.json", deep))


def test_flat_json_unknown_field_and_non_string(tmp_path: Path) -> None:
    item = {
        "provider": "aws",
        "account": 1,
        "service": "s3",
        "type": "b",
        "id": "i",
        "region": ["us-east-1"],
        "owner": "me",
    }
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "f.json", json.dumps([item])))
    wheres = [p[0] for p in exc.value.problems]
    assert "resources[0].owner" in wheres
    assert "resources[0].region" in wheres
    assert "resources[0].account" not in wheres  # integers are accepted as ids


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudaudit.inventory._native as inv

    monkeypatch.setattr(inv, "MAX_BYTES", 10)
    with pytest.raises(InventoryError, match="byte limit"):
        load_inventory(_write(tmp_path, "big.csv", CSV_OK))


def test_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudaudit.inventory._native as inv

    monkeypatch.setattr(inv, "MAX_ROWS", 2)
    with pytest.raises(InventoryError, match="more than 2 rows"):
        load_inventory(_write(tmp_path, "many.csv", CSV_OK))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read"):
        load_inventory(tmp_path / "nope.csv")


def test_cli_inventory(tmp_path: Path) -> None:
    path = _write(tmp_path, "inv.csv", CSV_OK)
    runner = CliRunner()
    result = runner.invoke(main, ["audit", "inventory", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = Report.from_json(result.stdout)
    assert report.summary.total == 5
    assert report.coverage.audited[0].method == "file"
    ok = _write(
        tmp_path,
        "ok.csv",
        "provider,account,service,type,id,region\naws,1,s3,bucket,b,eu-central-1\n",
    )
    result = runner.invoke(main, ["audit", "inventory", str(ok), "--policy", "eu-gdpr"])
    assert result.exit_code == 0, result.output


def test_cli_inventory_bad_file_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "provider,account,service,type,id,region\nibm,1,s,b,i,r\n")
    result = CliRunner().invoke(main, ["audit", "inventory", str(path)])
    assert result.exit_code == 2
    assert "unknown provider 'ibm'" in result.output


def test_docs_examples_validate(tmp_path: Path) -> None:
    import re

    doc = Path(__file__).resolve().parents[1] / "docs" / "inventory.md"
    if not doc.exists():
        pytest.skip("docs are not shipped with this copy of the tests")
    blocks = re.findall(r"```(csv|json)\n(.*?)```", doc.read_text("utf-8"), re.S)
    assert len(blocks) == 4
    for index, (ext, body) in enumerate(blocks):
        assert load_inventory(_write(tmp_path, f"example{index}.{ext}", body))


def test_copies_across_clouds_zones_unknown_and_premises(tmp_path: Path) -> None:
    text = (
        "provider,account,service,type,id,region,zone,kind,copies\n"
        "aws,1,s3,bucket,legacy-eu,EU,,,gcp:europe-west3;unknown\n"
        "aws,1,s3,bucket,legacy-null,,,,us-west-2/us-west-2a\n"
        "aws,1,ec2,instance,i-1,,arn:aws:outposts:eu-west-1:1:outpost/op-1,premises,\n"
    )
    by = {r.id: r for r in load_inventory(_write(tmp_path, "inv.csv", text))}
    eu, null, outpost = by["legacy-eu"], by["legacy-null"], by["i-1"]
    assert eu.location.region == "eu-west-1"
    gcp, unknown = eu.data_locations
    assert (gcp.provider, gcp.region) == (ProviderId.GCP, "europe-west3")
    assert unknown.kind is LocationKind.UNKNOWN
    assert null.location.region == "us-east-1"
    [zonal] = null.data_locations
    assert (zonal.region, zonal.zone, zonal.kind) == ("us-west-2", "us-west-2a", LocationKind.ZONE)
    assert outpost.location.kind is LocationKind.UNKNOWN
    report = evaluate(list(by.values()), "eu-gdpr")
    status = {f.resource.id: f.status for f in report.findings}
    assert status == {
        "legacy-eu": Status.UNKNOWN,  # a copy whose place is unknown is never compliant
        "legacy-null": Status.VIOLATION,
        "i-1": Status.UNKNOWN,  # customer premises: no country
    }


def test_copy_objects_in_json_are_validated(tmp_path: Path) -> None:
    good = {"provider": "azure", "region": "westeurope"}
    item = {
        "provider": "aws",
        "account": "1",
        "service": "rds",
        "type": "db-instance",
        "id": "db",
        "region": "eu-central-1",
        "copies": [good, {"kind": "premises", "zone": "rack-7"}, {"provider": "ibm"}, 5],
    }
    with pytest.raises(InventoryError) as exc:
        load_inventory(_write(tmp_path, "c.json", json.dumps([item])))
    messages = " | ".join(p[1] for p in exc.value.problems)
    assert "unknown copy provider 'ibm'" in messages
    assert "copy 5 is neither text nor an object" in messages
    item["copies"] = item["copies"][:2]  # type: ignore[index]
    [r] = load_inventory(_write(tmp_path, "d.json", json.dumps([item])))
    azure, rack = r.data_locations
    assert azure.provider is ProviderId.AZURE
    assert (rack.kind, rack.zone) == (LocationKind.UNKNOWN, "rack-7")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_cli_refuses_a_fifo_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.json"
    os.mkfifo(fifo)  # nothing writes to it: opening it to read would block forever
    done = threading.Event()

    def unblock() -> None:  # a regression fails here instead of hanging the suite
        if not done.wait(10):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=unblock, daemon=True).start()
    try:
        result = CliRunner().invoke(main, ["audit", "inventory", str(fifo)])
    finally:
        done.set()
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr
    assert "device). Fix: give a file" in result.stderr


def test_missing_file_message_reads_as_sentences(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "inventory", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "does not exist. Fix: check the path" in result.stderr
