from __future__ import annotations

import json

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws.services import rds

INSTANCES, CLUSTERS, SNAPSHOTS, CLUSTER_SNAPSHOTS, RETAINED = rds.COLLECTORS
PASSWORD = "not-a-secret-1"


def _instance(client, ident, zone):
    return client.create_db_instance(
        DBInstanceIdentifier=ident,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin1",
        MasterUserPassword=PASSWORD,
        AllocatedStorage=20,
        AvailabilityZone=zone,
        Tags=[{"Key": "team", "Value": "data"}],
    )["DBInstance"]


def test_instances_carry_zone_arn_and_cross_region_replicas(aws):
    us, hk = aws.client("rds", "us-east-1"), aws.client("rds", "ap-east-1")
    source = _instance(us, "orders", "us-east-1b")
    _instance(us, "local", "us-east-1a")
    hk.create_db_instance_read_replica(
        DBInstanceIdentifier="orders-hk",
        SourceDBInstanceIdentifier=source["DBInstanceArn"],
        AvailabilityZone="ap-east-1a",
    )

    in_us = aws.run(INSTANCES, "us-east-1")
    in_hk = aws.run(INSTANCES, "ap-east-1")

    orders = in_us["orders"]
    assert orders.id == "arn:aws:rds:us-east-1:123456789012:db:orders"
    assert (orders.location.region, orders.location.zone) == ("us-east-1", "us-east-1b")
    assert orders.location.kind is LocationKind.ZONE
    assert orders.tags == {"team": "data"}
    assert aws.copies(orders) == {"ap-east-1"}
    assert aws.copies(in_us["local"]) == set()
    replica = in_hk["orders-hk"]
    assert replica.id == "arn:aws:rds:ap-east-1:123456789012:db:orders-hk"
    assert (replica.location.region, replica.location.zone) == ("ap-east-1", "ap-east-1a")
    # The replica's source lives in us-east-1: that region holds the same data.
    assert aws.copies(replica) == {"us-east-1"}


def test_automated_backup_replication_is_a_copy(aws):
    # moto does not implement StartDBInstanceAutomatedBackupsReplication: this checks the
    # parsing of a DBInstance shaped as the DescribeDBInstances documentation shows it.
    raw = json.loads(
        """{
        "DBInstanceIdentifier": "billing",
        "DBInstanceArn": "arn:aws-cn:rds:cn-north-1:123456789012:db:billing",
        "AvailabilityZone": "cn-north-1a",
        "ReadReplicaDBInstanceIdentifiers": ["billing-replica"],
        "DBInstanceAutomatedBackupsReplications": [
            {"DBInstanceAutomatedBackupsArn":
             "arn:aws-cn:rds:cn-northwest-1:123456789012:auto-backup:ab-abcdefghij0123456789"}
        ]
    }"""
    )
    res = rds.to_instance(raw, aws.ctx("cn-north-1", partition="aws-cn"))
    assert res.location.zone == "cn-north-1a"
    # A same-region replica (plain identifier) adds no region; the backup replica does.
    assert aws.copies(res) == {"cn-northwest-1"}


def test_clusters_include_global_database_members(aws):
    us, hk = aws.client("rds", "us-east-1"), aws.client("rds", "ap-east-1")
    us.create_global_cluster(GlobalClusterIdentifier="global-orders", Engine="aurora-postgresql")
    for client, ident in ((us, "orders-us"), (hk, "orders-hk")):
        client.create_db_cluster(
            DBClusterIdentifier=ident,
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword=PASSWORD,
            GlobalClusterIdentifier="global-orders",
        )
    us.create_db_cluster(
        DBClusterIdentifier="solo",
        Engine="aurora-postgresql",
        MasterUsername="admin1",
        MasterUserPassword=PASSWORD,
    )

    in_us = aws.run(CLUSTERS, "us-east-1")
    in_hk = aws.run(CLUSTERS, "ap-east-1")

    assert in_us["orders-us"].id == "arn:aws:rds:us-east-1:123456789012:cluster:orders-us"
    assert in_us["orders-us"].location.kind is LocationKind.REGION
    assert aws.copies(in_us["orders-us"]) == {"ap-east-1"}
    assert aws.copies(in_us["solo"]) == set()
    assert in_hk["orders-hk"].location.region == "ap-east-1"
    assert aws.copies(in_hk["orders-hk"]) == {"us-east-1"}


def test_cluster_of_unknown_global_database_is_an_unknown_copy(aws):
    raw = {"DBClusterIdentifier": "lost", "GlobalClusterIdentifier": "gone"}
    # An unresolvable global cluster must not silently drop its copies, nor the cluster.
    res = rds.to_cluster(raw, aws.ctx("us-east-1"), members={})
    (copy,) = res.data_locations
    assert copy.kind is LocationKind.UNKNOWN and copy.via == "aws.rds.global-database"
    assert copy.note == "rds:DescribeGlobalClusters on global cluster gone failed: NotListed"


def test_cluster_aurora_replica_arns(aws):
    # Documented DescribeDBClusters shape of a cross-region Aurora replica (moto does not
    # fill ReadReplicaIdentifiers for clusters).
    raw = {
        "DBClusterIdentifier": "reports",
        "DBClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:reports",
        "ReadReplicaIdentifiers": ["arn:aws:rds:ap-east-1:123456789012:cluster:reports-hk"],
        "ReplicationSourceIdentifier": "arn:aws:rds:us-east-1:123456789012:cluster:reports-src",
        "TagList": [{"Key": "env", "Value": "prod"}],
    }
    res = rds.to_cluster(raw, aws.ctx("eu-west-1"))
    assert aws.copies(res) == {"ap-east-1", "us-east-1"}
    assert res.tags == {"env": "prod"}


def test_snapshots_are_resources_in_their_own_region(aws):
    us, hk = aws.client("rds", "us-east-1"), aws.client("rds", "ap-east-1")
    _instance(us, "orders", "us-east-1b")
    us.create_db_snapshot(DBSnapshotIdentifier="orders-manual", DBInstanceIdentifier="orders")
    source_arn = us.describe_db_snapshots(DBSnapshotIdentifier="orders-manual")["DBSnapshots"][0][
        "DBSnapshotArn"
    ]
    hk.copy_db_snapshot(
        SourceDBSnapshotIdentifier=source_arn, TargetDBSnapshotIdentifier="orders-copy"
    )

    in_us = aws.run(SNAPSHOTS, "us-east-1")
    in_hk = aws.run(SNAPSHOTS, "ap-east-1")

    assert "orders-manual" in in_us
    assert set(in_hk) == {"orders-copy"}
    copy = in_hk["orders-copy"]
    assert copy.id == "arn:aws:rds:ap-east-1:123456789012:snapshot:orders-copy"
    assert copy.location.region == "ap-east-1"
    assert copy.type == "db-snapshot"


def test_cluster_snapshots(aws):
    for region in ("us-east-1", "eu-west-1"):
        client = aws.client("rds", region)
        client.create_db_cluster(
            DBClusterIdentifier=f"c-{region}",
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword=PASSWORD,
        )
        client.create_db_cluster_snapshot(
            DBClusterSnapshotIdentifier=f"cs-{region}", DBClusterIdentifier=f"c-{region}"
        )

    for region in ("us-east-1", "eu-west-1"):
        found = aws.run(CLUSTER_SNAPSHOTS, region)
        snap = found[f"cs-{region}"]
        assert snap.id == f"arn:aws:rds:{region}:123456789012:cluster-snapshot:cs-{region}"
        assert snap.location.region == region
        assert all(r.location.region == region for r in found.values())


def test_retained_automated_backups_of_a_deleted_instance_are_resources(aws):
    # an instance deleted with its automated backups kept leaves them in the region: data
    # that no instance represents any more (DescribeDBInstanceAutomatedBackups, Status
    # "retained"); the automated backups of a live instance are not listed again
    hk = aws.client("rds", "ap-east-1")
    _instance(hk, "gone", "ap-east-1a")
    _instance(hk, "alive", "ap-east-1b")
    hk.delete_db_instance(
        DBInstanceIdentifier="gone", SkipFinalSnapshot=True, DeleteAutomatedBackups=False
    )

    found = aws.run(RETAINED, "ap-east-1")

    assert set(found) == {"gone"}
    backup = found["gone"]
    assert backup.type == "db-automated-backup"
    assert backup.location.region == "ap-east-1"
