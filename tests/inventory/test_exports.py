"""Bring your own export: every shape recognised, copies kept, bad records become gaps.

Samples are in ``samples/`` with their public sources in ``samples/README.md``.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudaudit._audit import audit
from cloudaudit.cli import main
from cloudaudit.copymodel import UNDECLARED, unread_copies
from cloudaudit.inventory import ExportSource, InventoryError, plan_import, read_resources
from cloudaudit.models import CoverageGap, LocationKind, Resource, Status
from cloudaudit.report import Report

SAMPLES = Path(__file__).parent / "samples"


def _read(*names: str | Path) -> list[Resource]:
    return list(read_resources([SAMPLES / n if isinstance(n, str) else n for n in names]))


def _by_name(resources: list[Resource]) -> dict[str, Resource]:
    return {r.name: r for r in resources}


def _status(paths: list[Path], policy: str = "us-foreign-adversaries") -> dict[str, Status]:
    report = audit([ExportSource(plan_import(paths))], policy)
    return {f.resource.name: f.status for f in report.findings}


@pytest.mark.parametrize(
    ("sample", "shape"),
    [
        ("gcp_export_forseti.jsonl", "gcp-asset-export"),
        ("gcp_search_gcloud.json", "gcp-asset-search"),
        ("gcp_search_rest.json", "gcp-asset-search"),
        ("azure_graph_rest_objects.json", "azure-resource-graph"),
        ("azure_graph_rest_table.json", "azure-resource-graph"),
        ("aws_config_snapshot.json", "aws-config-items"),
        ("aws_config_select.json", "aws-config-select"),
        ("aws_resource_explorer.json", "aws-resource-explorer"),
        ("steampipe_aws_s3_bucket.csv", "steampipe-cloudquery"),
        ("steampipe_azure_storage_account.json", "steampipe-cloudquery"),
        ("cloudquery_gcp_storage_buckets.jsonl", "steampipe-cloudquery"),
        ("prowler_ocsf.json", "prowler-ocsf"),
        ("prowler_ocsf_gcp.json", "prowler-ocsf"),
        ("prowler_ocsf_azure.json", "prowler-ocsf"),
    ],
)
def test_every_sample_is_recognised_and_read(sample: str, shape: str) -> None:
    [planned] = plan_import([SAMPLES / sample])
    assert planned.shape == shape
    source = ExportSource([planned])
    batches = list(source.collect())
    resources = [r for b in batches for r in b.resources]
    gaps = [g for b in batches for g in b.gaps]
    [scope] = [a for b in batches for a in b.audited]
    assert resources, sample
    assert not gaps, gaps
    assert scope.method == shape
    assert scope.resources == len(resources)


def test_sample_readme_cites_every_sample() -> None:
    readme = (SAMPLES / "README.md").read_text("utf-8")
    for path in SAMPLES.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, path.name


def test_gcloud_result_is_not_mistaken_for_the_model_form() -> None:
    # It has a "location"-less name/assetType shape: it used to be "unknown provider None".
    resources = _read("gcp_search_gcloud.json")
    assert {r.provider.value for r in resources} == {"gcp"}
    sql = _by_name(resources)["prod-db"]
    assert sql.location.kind is LocationKind.UNKNOWN  # no location in the result: unknown
    assert any(c.kind is LocationKind.UNKNOWN for c in sql.data_locations)  # backups unread


def test_export_snapshot_lives_where_it_is_stored_and_projects_are_named() -> None:
    by_id = {r.id: r for r in _read("gcp_export_forseti.jsonl")}
    bucket = by_id["//storage.googleapis.com/bucket-test-55555"]
    assert bucket.account == "forseti-test-44444"  # from the Project asset of the export
    assert bucket.location.region == "US"
    assert bucket.location.kind is LocationKind.MULTI_REGION
    snap = by_id["//compute.googleapis.com/projects/project2/global/snapshots/snap-1"]
    # a snapshot lives where its storageLocations are; the source disk is provenance
    assert (snap.location.region, snap.data_locations) == ("US", ())
    assert not any("cloudresourcemanager" in i for i in by_id)  # containers hold no data


def test_s3_destination_resolved_from_the_same_inventory() -> None:
    by = _by_name(_read("aws_config_snapshot.json"))
    source = by["config-bucket-123456789012-ohio"]
    assert [c.region for c in source.data_locations] == ["ap-east-1"]
    assert by["orders"].data_locations[0].region == "eu-central-1"
    assert by["i-07a6dbe1a2b3c4d5e"].location.zone == "us-east-2a"


def test_s3_destination_seen_later_or_never() -> None:
    # Steampipe lists the replica first, Config select names a bucket it never lists.
    by = _by_name(_read("steampipe_aws_s3_bucket.csv"))
    assert [c.region for c in by["test-bucket"].data_locations] == ["ap-east-1"]
    [unseen] = _by_name(_read("aws_config_select.json"))["shared-logs"].data_locations
    assert unseen.kind is LocationKind.UNKNOWN


def test_destination_after_its_source_across_files(tmp_path: Path) -> None:
    items = json.loads((SAMPLES / "aws_config_snapshot.json").read_text())["configurationItems"]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps(items[0]) + "\n")  # the bucket that replicates
    second.write_text(json.dumps(items[1]) + "\n")  # its destination, in another file
    by = _by_name(list(read_resources([tmp_path])))
    assert [c.region for c in by["config-bucket-123456789012-ohio"].data_locations] == ["ap-east-1"]
    assert len(by) == 2


def test_copies_the_source_cannot_carry_are_unknown() -> None:
    explorer = _by_name(_read("aws_resource_explorer.json"))
    assert explorer["amzn-s3-demo-bucket"].data_locations[0].kind is LocationKind.UNKNOWN
    assert explorer["i-0123456789abcdef0"].data_locations == ()
    assert [c.via for c in explorer["amzn-s3-demo-bucket"].data_locations] == ["aws.s3.replication"]
    # Prowler's AwsS3Bucket is the provider's s3 bucket: its copy mechanism is named
    prowler = _by_name(_read("prowler_ocsf.json"))
    assert (prowler["my-bucket"].service, prowler["my-bucket"].type) == ("s3", "bucket")
    assert [c.via for c in prowler["my-bucket"].data_locations] == ["aws.s3.replication"]


def test_azure_secondary_location_and_gcs_dual_region() -> None:
    azure = _by_name(_read("steampipe_azure_storage_account.json"))
    assert [c.region for c in azure["stbrazilgrs"].data_locations] == ["southcentralus"]
    assert azure["stweulrs"].data_locations == ()
    gcs = _by_name(_read("cloudquery_gcp_storage_buckets.jsonl"))
    assert gcs["eu-dual"].location.region == "europe-west1"
    assert [c.region for c in gcs["eu-dual"].data_locations] == ["europe-west4"]


def test_azure_geo_redundant_without_target_is_unknown_then_paired(tmp_path: Path) -> None:
    row = {
        "id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
        "name": "a",
        "type": "microsoft.storage/storageaccounts",
        "location": "southeastasia",
        "subscriptionId": "s1",
        "sku": {"name": "Standard_RAGRS"},
        "properties": {},
    }
    rows = tmp_path / "graph.json"
    rows.write_text(json.dumps({"count": 1, "data": [row], "skip_token": None}))
    [alone] = list(read_resources([rows]))
    assert alone.data_locations[0].kind is LocationKind.UNKNOWN
    # `az account list-locations` in the same import gives the pair (Microsoft's published one).
    locations = tmp_path / "0-locations.json"
    pair = {"regionType": "Physical", "pairedRegion": [{"name": "eastasia"}]}
    locations.write_text(json.dumps([{"name": "southeastasia", "metadata": pair}]))
    [paired] = list(read_resources([tmp_path]))
    assert [c.region for c in paired.data_locations] == ["eastasia"]


def test_cloud_sql_backup_location_and_replicas(tmp_path: Path) -> None:
    def instance(name: str, region: str, **data: Any) -> dict[str, Any]:
        body = {"name": name, "region": region, "gceZone": f"{region}-a", **data}
        return {
            "name": f"//cloudsql.googleapis.com/projects/p/instances/{name}",
            "asset_type": "sqladmin.googleapis.com/Instance",
            "resource": {
                "parent": "//cloudresourcemanager.googleapis.com/projects/7",
                "data": body,
            },
        }

    backups = {"backupConfiguration": {"enabled": True, "location": "asia-east2"}}
    lines = [
        instance("primary", "europe-west3", settings=backups, replicaNames=["replica"]),
        instance("replica", "us-east1", settings={"backupConfiguration": {"enabled": False}}),
        instance(
            "default-backups", "asia-east1", settings={"backupConfiguration": {"enabled": True}}
        ),
    ]
    path = tmp_path / "sql.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    by = _by_name(list(read_resources([path])))
    assert [c.region for c in by["primary"].data_locations] == ["asia-east2", "us-east1"]
    assert by["replica"].data_locations == ()
    [default] = by["default-backups"].data_locations
    # no location set: the multi-region that holds asia-east1 (its members are not published)
    assert (default.region, default.kind) == ("ASIA", LocationKind.MULTI_REGION)


def test_outpost_placement_is_unknown(tmp_path: Path) -> None:
    item = {
        "resourceType": "AWS::EC2::Instance",
        "resourceId": "i-1",
        "awsRegion": "eu-west-1",
        "availabilityZone": "eu-west-1a",
        "configuration": {"outpostArn": "arn:aws:outposts:eu-west-1:1:outpost/op-1"},
    }
    path = tmp_path / "ci.json"
    path.write_text(json.dumps([item]))
    assert _status([path]) == {"i-1": Status.UNKNOWN}


def test_unknown_shape_lists_the_known_shapes(tmp_path: Path) -> None:
    path = tmp_path / "mystery.json"
    path.write_text(json.dumps([{"hostname": "db1", "dc": "fra"}]))
    with pytest.raises(InventoryError) as exc:
        plan_import([path])
    msg = str(exc.value)
    assert "mystery.json" in msg
    assert "unknown inventory shape" in msg
    assert "['dc', 'hostname']" in msg
    for name in ("gcp-asset-export", "azure-resource-graph", "aws-config-select", "prowler-ocsf"):
        assert name in msg


def test_bad_lines_become_gaps_and_the_rest_is_judged(tmp_path: Path) -> None:
    good = (SAMPLES / "gcp_export_forseti.jsonl").read_text().splitlines()
    lines = [good[1], "{not json", good[2], '{"asset_type": "x/Y", "resource": 7}', good[3]]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n")
    gaps: list[CoverageGap] = []
    resources = list(read_resources([path], gaps))
    assert len(resources) == 3
    assert [g.message.split(": ", 1)[0] for g in gaps] == [f"{path}:2", f"{path}:4"]
    assert all(g.scope == f"inventory:{path}" for g in gaps)


def test_malformed_json_document_keeps_what_came_before(tmp_path: Path) -> None:
    text = (SAMPLES / "aws_resource_explorer.json").read_text()
    cut = text.index('"ResourceType": "ec2:instance"')
    path = tmp_path / "cut.json"
    path.write_text(text[:cut] + "oops")
    gaps: list[CoverageGap] = []
    resources = list(read_resources([path], gaps))
    assert [r.name for r in resources] == ["amzn-s3-demo-bucket"]
    [gap] = gaps
    assert f"{path}:" in gap.message and "malformed JSON" in gap.message


def test_gzip_directory_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zipped = tmp_path / "dir" / "snapshot.json.gz"
    zipped.parent.mkdir()
    zipped.write_bytes(gzip.compress((SAMPLES / "aws_config_snapshot.json").read_bytes()))
    shutil.copy(SAMPLES / "prowler_ocsf.json", tmp_path / "dir" / "prowler.json")
    assert len(list(read_resources([tmp_path / "dir"]))) == 6
    data = (SAMPLES / "gcp_export_forseti.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(data))))
    assert len(list(read_resources(["-"]))) == 4


def test_cli_reads_exports_and_streams_jsonl(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["audit", "inventory", str(SAMPLES / "aws_config_snapshot.json"), "--format", "json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output  # Hong Kong replica: a violation
    report = Report.from_json(result.stdout)
    assert report.summary.violation == 2
    assert report.coverage.audited[0].method == "aws-config-items"
    out = tmp_path / "out.jsonl"
    args = ["audit", "inventory", str(SAMPLES), "--format", "jsonl", "--output", str(out)]
    result = runner.invoke(main, [*args, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[-1]["record"] == "summary"
    assert rows[-1]["total"] == len(rows) - 1 > 20


def test_cli_unknown_shape_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("hostname,dc\ndb1,fra\n")
    result = CliRunner().invoke(main, ["audit", "inventory", str(path)])
    assert result.exit_code == 2
    assert "unknown inventory shape" in result.output
    assert "['dc', 'hostname']" in result.output


def test_cli_reads_standard_input() -> None:
    data = (SAMPLES / "gcp_export_forseti.jsonl").read_bytes()
    result = CliRunner().invoke(
        main, ["audit", "inventory", "-", "--format", "json", "--fail-on", "never"], input=data
    )
    assert result.exit_code == 0, result.output
    report = Report.from_json(result.stdout)
    assert report.summary.total == 4
    assert report.coverage.audited[0].scope == "inventory:<stdin>"


def test_long_first_line_of_json_lines(tmp_path: Path) -> None:
    line = json.loads((SAMPLES / "gcp_export_forseti.jsonl").read_text().splitlines()[1])
    line["resource"]["data"]["labels"] = {f"k{i}": "v" * 40 for i in range(400)}  # ~20 KB
    path = tmp_path / "wide.jsonl.gz"
    text = json.dumps(line) + "\n" + json.dumps({**line, "name": line["name"] + "-2"}) + "\n"
    path.write_bytes(gzip.compress(text.encode()))
    assert len(list(read_resources([path]))) == 2


def test_steampipe_cloud_sql_backup_columns(tmp_path: Path) -> None:
    link = "https://sqladmin.googleapis.com/sql/v1beta4/projects/p/instances"
    path = tmp_path / "gcp_sql_database_instance.csv"
    path.write_text(
        "name,self_link,project,region,gce_zone,database_version,backup_enabled,backup_location\n"
        f"tw-db,{link}/tw-db,p,asia-east1,asia-east1-b,POSTGRES_15,true,\n"
        f"eu-db,{link}/eu-db,p,europe-west3,europe-west3-a,POSTGRES_15,true,europe-west3\n"
        f"no-backups,{link}/no-backups,p,europe-west3,europe-west3-a,MYSQL_8_0,false,\n"
    )
    by = _by_name(_read(path))
    # no location set: the multi-region that holds asia-east1 (ASIA, members unpublished)
    assert by["tw-db"].data_locations[0].region == "ASIA"
    assert by["eu-db"].data_locations == ()  # backups in the instance's own region
    assert by["no-backups"].data_locations == ()


@pytest.mark.parametrize("indent", [None, 2])
def test_one_line_and_pretty_envelopes_read_alike(indent: int | None, tmp_path: Path) -> None:
    for sample in ("azure_graph_rest_objects.json", "aws_config_snapshot.json"):
        body = json.loads((SAMPLES / sample).read_text())
        path = tmp_path / sample
        path.write_text(json.dumps(body, indent=indent))
        assert len(list(read_resources([path]))) >= 3, sample
    locations = tmp_path / "locations.json"
    pair = {"regionType": "Physical", "pairedRegion": [{"name": "eastasia"}]}
    entry = {"name": "southeastasia", "metadata": pair, "pad": "x" * 9000}
    locations.write_text(json.dumps({"value": [entry]}, indent=indent))
    [planned] = plan_import([locations])
    assert planned.shape == "azure-locations"


def test_prowler_services_of_other_clouds_can_copy(tmp_path: Path) -> None:
    def finding(provider: str, group: str, uid: str, region: str) -> dict[str, Any]:
        resource = {"uid": uid, "name": uid, "region": region, "group": {"name": group}}
        cloud = {"provider": provider, "account": {"uid": "acct"}}
        return {"class_uid": 2004, "resources": [resource], "cloud": cloud}

    path = tmp_path / "prowler.ocsf.json"
    path.write_text(
        json.dumps(
            [
                finding("azure", "storage", "/subscriptions/s/.../storageAccounts/a", "westeurope"),
                finding("gcp", "cloudstorage", "bucket-b", "europe-west3"),
                finding("gcp", "compute", "vm-c", "europe-west3"),
            ]
        )
    )
    by = _by_name(_read(path))
    assert by["/subscriptions/s/.../storageAccounts/a"].service == "Microsoft.Storage"
    # Prowler gives no resource type the copy model declares: the engine adds the unknown copy
    for name in ("/subscriptions/s/.../storageAccounts/a", "bucket-b", "vm-c"):
        assert by[name].data_locations == ()
        assert [c.via for c in unread_copies(by[name])] == [UNDECLARED]


def test_export_source_is_a_provider() -> None:
    from cloudaudit.providers._protocol import Provider

    source = ExportSource(plan_import([SAMPLES / "prowler_ocsf.json"]))
    assert isinstance(source, Provider)
    assert (source.name, tuple(source.classifiers()), tuple(source.secrets())) == (
        "inventory",
        (),
        (),
    )


def test_every_copy_an_import_reports_names_a_declared_mechanism() -> None:
    """Copies read from an export, and the unknown copies of what it cannot carry, name the
    mechanism (``via``) as the live providers' do: every sample of every shape."""
    from cloudaudit.copymodel import mechanism
    from cloudaudit.inventory import _tables
    from tests.providers.copy_vias import vias, wrong_vias

    # the mechanisms the table transform names, those no sample exercises included
    named = (_tables._S3, _tables._DDB, _tables._DDB_V1, _tables._RDS, "gcp.sql.read-replica")
    assert [m for m in named if mechanism(m) is None] == []
    samples = sorted(p for p in SAMPLES.iterdir() if p.name != "README.md")
    resources = _read(*samples)
    assert wrong_vias(resources) == []
    assert {
        "aws.s3.replication",
        "aws.dynamodb.global-table",
        "azure.storage.geo-redundancy",
        "gcp.storage.multi-region",
    } <= vias(resources)


@pytest.mark.parametrize(
    ("columns", "vias_"),
    [
        ({"replicas": None, "global_table_version": None}, set()),
        (
            {"replicas": [{"RegionName": "ap-east-1"}], "global_table_version": "2019.11.21"},
            {
                ("aws.dynamodb.global-table", "ap-east-1"),
                # a global table: the row cannot say whether it has a witness region
                ("aws.dynamodb.global-table-witness", None),
            },
        ),
        (
            {
                "replicas": [{"RegionName": "eu-west-3"}],
                "global_table_version": "2019.11.21",
                "global_table_witnesses": [{"RegionName": "eu-west-2"}],
            },
            {
                ("aws.dynamodb.global-table", "eu-west-3"),
                ("aws.dynamodb.global-table-witness", "eu-west-2"),
            },
        ),
        (
            {"replicas": None, "global_table_version": "2017.11.29"},
            {("aws.dynamodb.global-table-v1", None)},
        ),
        ({"replicas": None}, {("aws.dynamodb.global-table-v1", None)}),
        (
            {"global_table_version": "2019.11.21"},
            {
                ("aws.dynamodb.global-table", None),
                ("aws.dynamodb.global-table-witness", None),
            },
        ),
    ],
)
def test_a_table_rows_dynamodb_copies_leave_no_mechanism_unseen(
    columns: dict[str, Any], vias_: set[tuple[str, str | None]], tmp_path: Path
) -> None:
    """Steampipe's and CloudQuery's aws_dynamodb_table rows (columns ``replicas``,
    ``global_table_version``): a legacy global table's replication group is never in the
    row, and without the version column a legacy table cannot be told apart."""
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    path = tmp_path / "aws_dynamodb_table.json"
    row = {"arn": arn, "account_id": "123456789012", "name": "orders", "region": "eu-west-1"}
    path.write_text(json.dumps([{**row, **columns}]))
    [table] = _read(path)
    assert {(c.via, c.region) for c in table.data_locations} == vias_


def test_a_configuration_item_that_records_a_deletion_is_not_a_resource(tmp_path: Path) -> None:
    """AWS Config records a deletion as an item with configurationItemStatus ResourceDeleted
    and a null configuration (AWS Config API Reference, ConfigurationItem): the bucket is gone,
    and judging it as a live resource in its old region would be a false violation."""
    item = {
        "resourceType": "AWS::S3::Bucket",
        "resourceId": "gone-hk",
        "awsRegion": "ap-east-1",
        "awsAccountId": "123456789012",
        "ARN": "arn:aws:s3:::gone-hk",
        "configuration": None,
    }
    path = tmp_path / "items.json"
    path.write_text(
        json.dumps(
            {
                "configurationItems": [
                    {**item, "configurationItemStatus": "ResourceDeleted"},
                    {
                        **item,
                        "resourceId": "live-hk",
                        "ARN": "arn:aws:s3:::live-hk",
                        "configurationItemStatus": "OK",
                    },
                ]
            }
        )
    )
    assert [r.name for r in _read(path)] == ["live-hk"]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (  # Steampipe azure_storage_account (columns as the plugin's table documents them)
            "name,id,type,sku_name,secondary_location,region,resource_group,subscription_id",
            "stchina,{id},Microsoft.Storage/storageAccounts,Standard_GRS,chinanorth,westeurope,"
            "rg,00000000-0000-0000-0000-000000000000",
        ),
        (  # CloudQuery azure_storage_accounts (sku and properties are JSON text in CSV)
            "_cq_id,subscription_id,id,name,type,location,sku,properties",
            "7f0e2ad3,00000000-0000-0000-0000-000000000000,{id},stchina,"
            'Microsoft.Storage/storageAccounts,westeurope,"{{""name"":""Standard_GRS""}}",'
            '"{{""secondaryLocation"":""chinanorth""}}"',
        ),
    ],
    ids=["steampipe", "cloudquery"],
)
def test_an_azure_table_is_not_mistaken_for_resource_graph(
    tmp_path: Path, header: str, row: str
) -> None:
    """Both tables have id and type, as Resource Graph rows do; read as Resource Graph, their
    region, sku and secondary location were ignored (location unknown, copy unknown)."""
    rid = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
        "Microsoft.Storage/storageAccounts/stchina"
    )
    path = tmp_path / "azure_storage_account.csv"
    path.write_text(f"{header}\n{row.format(id=rid)}\n")
    (account,) = _read(path)
    assert account.location.region == "westeurope"
    assert [c.region for c in account.data_locations] == ["chinanorth"]
