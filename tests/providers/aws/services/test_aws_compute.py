from __future__ import annotations

import io
import json
import zipfile

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws.services import ecs, eks, elasticache, lambda_, opensearch, redshift

REGIONS = ("us-east-1", "ap-east-1")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def test_lambda_functions(aws):
    role = aws.client("iam").create_role(
        RoleName="fn-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    for region in REGIONS:
        aws.client("lambda", region).create_function(
            FunctionName="resize",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip()},
        )

    (functions,) = lambda_.COLLECTORS
    assert functions.service == "lambda"
    for region in REGIONS:
        fn = aws.run(functions, region)["resize"]
        assert fn.id == f"arn:aws:lambda:{region}:123456789012:function:resize"
        assert fn.location.region == region


def test_eks_and_ecs_clusters(aws):
    (eks_clusters,) = eks.COLLECTORS
    (ecs_clusters,) = ecs.COLLECTORS
    for region in REGIONS:
        aws.client("eks", region).create_cluster(
            name="platform",
            roleArn="arn:aws:iam::123456789012:role/eks",
            resourcesVpcConfig={"subnetIds": []},
        )
        aws.client("ecs", region).create_cluster(clusterName="workers")

    for region in REGIONS:
        k8s = aws.run(eks_clusters, region)["platform"]
        assert k8s.id == f"arn:aws:eks:{region}:123456789012:cluster/platform"
        assert k8s.location.region == region
        workers = aws.run(ecs_clusters, region)["workers"]
        assert workers.id == f"arn:aws:ecs:{region}:123456789012:cluster/workers"
        assert workers.location.region == region


def test_redshift_clusters_zone_and_snapshot_copy(aws):
    clusters, _snapshots = redshift.COLLECTORS
    for region, zone in (("us-east-1", "us-east-1a"), ("ap-east-1", "ap-east-1b")):
        aws.client("redshift", region).create_cluster(
            ClusterIdentifier="warehouse",
            NodeType="dc2.large",
            MasterUsername="admin1",
            MasterUserPassword="Password123",
            AvailabilityZone=zone,
            Tags=[{"Key": "team", "Value": "bi"}],
        )
    aws.client("redshift", "us-east-1").enable_snapshot_copy(
        ClusterIdentifier="warehouse", DestinationRegion="ap-east-1"
    )

    us = aws.run(clusters, "us-east-1")["warehouse"]
    hk = aws.run(clusters, "ap-east-1")["warehouse"]
    assert us.id == "arn:aws:redshift:us-east-1:123456789012:cluster:warehouse"
    assert (us.location.region, us.location.zone) == ("us-east-1", "us-east-1a")
    assert us.tags == {"team": "bi"}
    assert aws.copies(us) == {"ap-east-1"}
    assert (hk.location.region, hk.location.zone) == ("ap-east-1", "ap-east-1b")
    assert aws.copies(hk) == set()


def test_elasticache_clusters_zone(aws):
    clusters, _snapshots = elasticache.COLLECTORS
    for region, zone in (("us-east-1", "us-east-1c"), ("ap-east-1", "ap-east-1a")):
        aws.client("elasticache", region).create_cache_cluster(
            CacheClusterId="sessions",
            Engine="redis",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
            PreferredAvailabilityZone=zone,
        )

    for region, zone in (("us-east-1", "us-east-1c"), ("ap-east-1", "ap-east-1a")):
        res = aws.run(clusters, region)["sessions"]
        assert res.id == f"arn:aws:elasticache:{region}:123456789012:cluster:sessions"
        assert (res.location.region, res.location.zone) == (region, zone)


def test_elasticache_multi_zone_memcached_is_regional(aws):
    raw = {"CacheClusterId": "memo", "PreferredAvailabilityZone": "Multiple"}
    res = elasticache.to_resource(raw, aws.ctx("eu-west-1"))
    assert res.location.kind is LocationKind.REGION
    assert res.id == "arn:aws:elasticache:eu-west-1:123456789012:cluster:memo"


def test_opensearch_domains_batched(aws):
    (domains,) = opensearch.COLLECTORS
    assert domains.service == "opensearch"
    names = [f"search-{i}" for i in range(7)]  # more than one DescribeDomains batch of 5
    for name in names:
        aws.client("opensearch", "us-east-1").create_domain(DomainName=name)
    aws.client("opensearch", "ap-east-1").create_domain(DomainName="logs")

    in_us = aws.run(domains, "us-east-1")
    in_hk = aws.run(domains, "ap-east-1")
    assert set(in_us) == set(names)
    assert in_us["search-6"].id == "arn:aws:es:us-east-1:123456789012:domain/search-6"
    assert set(in_hk) == {"logs"}
    assert in_hk["logs"].location.region == "ap-east-1"


def test_elasticache_replication_group_members(aws):
    clusters, _snapshots = elasticache.COLLECTORS
    aws.client("elasticache", "eu-west-1").create_replication_group(
        ReplicationGroupId="carts",
        ReplicationGroupDescription="carts",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=2,
    )
    aws.client("elasticache", "eu-west-1").create_cache_cluster(
        CacheClusterId="carts-001",
        ReplicationGroupId="carts",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        PreferredAvailabilityZone="eu-west-1b",
    )
    found = aws.run(clusters, "eu-west-1")
    res = found["carts-001"]
    assert (res.location.region, res.location.zone) == ("eu-west-1", "eu-west-1b")
    assert aws.copies(res) == set()  # not part of a Global Datastore


# moto does not implement DescribeGlobalReplicationGroups: the Global Datastore parsing is
# checked on JSON of the documented response shapes.
GLOBAL_GROUPS = json.loads(
    """{"GlobalReplicationGroups": [{
    "GlobalReplicationGroupId": "ldgnf-carts",
    "Members": [
        {"ReplicationGroupId": "carts", "ReplicationGroupRegion": "eu-west-1", "Role": "PRIMARY"},
        {"ReplicationGroupId": "carts-hk", "ReplicationGroupRegion": "ap-east-1",
         "Role": "SECONDARY"}
    ]}]}"""
)["GlobalReplicationGroups"]


def test_elasticache_global_datastore_members_are_copies(aws):
    groups = [
        {
            "ReplicationGroupId": "carts",
            "GlobalReplicationGroupInfo": {
                "GlobalReplicationGroupId": "ldgnf-carts",
                "GlobalReplicationGroupMemberRole": "PRIMARY",
            },
        },
        {"ReplicationGroupId": "local"},
    ]
    copies = elasticache.global_regions(groups, GLOBAL_GROUPS)
    raw = {"CacheClusterId": "carts-001", "ReplicationGroupId": "carts"}
    res = elasticache.to_resource(raw, aws.ctx("eu-west-1"), copies)
    assert aws.copies(res) == {"ap-east-1"}
    # A Global Datastore the listing left out is an unknown copy naming the call, not an
    # error that would drop every cluster of the region.
    unlisted = elasticache.to_resource(
        raw, aws.ctx("eu-west-1"), elasticache.global_regions(groups, [])
    )
    (copy,) = unlisted.data_locations
    assert copy.kind is LocationKind.UNKNOWN
    assert copy.note == (
        "elasticache:DescribeGlobalReplicationGroups on global datastore ldgnf-carts "
        "failed: NotListed"
    )


def test_a_redshift_snapshot_outlives_its_cluster(aws):
    """DescribeClusterSnapshots: a manual snapshot kept when its Hong Kong cluster was deleted
    is still data in Hong Kong."""
    _clusters, snapshots = redshift.COLLECTORS
    hk = aws.client("redshift", "ap-east-1")
    hk.create_cluster(
        ClusterIdentifier="warehouse",
        NodeType="dc2.large",
        MasterUsername="admin1",
        MasterUserPassword="Password123",
    )
    hk.create_cluster_snapshot(SnapshotIdentifier="before-move", ClusterIdentifier="warehouse")
    hk.delete_cluster(ClusterIdentifier="warehouse", SkipFinalClusterSnapshot=True)
    (snap,) = aws.run(snapshots, "ap-east-1").values()
    assert snap.id == "arn:aws:redshift:ap-east-1:123456789012:snapshot:warehouse/before-move"
    assert snap.name == "before-move (snapshot of cluster warehouse)"
    assert (snap.type, snap.location.region) == ("snapshot", "ap-east-1")
    assert aws.run(snapshots, "us-east-1") == {}


def test_a_redshift_snapshot_shared_by_another_account_is_its_owner_s():
    """``OwnerAccount`` as in the Redshift API reference's Snapshot: a snapshot another
    account shares with this one is listed here too, and is the other account's data."""
    theirs = {"SnapshotIdentifier": "theirs", "OwnerAccount": "999999999999"}
    ours = {"SnapshotIdentifier": "ours", "OwnerAccount": "123456789012"}
    unnamed = {"SnapshotIdentifier": "unnamed"}
    kept = redshift.owned([theirs, ours, unnamed], "123456789012")
    assert [s["SnapshotIdentifier"] for s in kept] == ["ours", "unnamed"]


def test_an_elasticache_snapshot_outlives_its_cluster(aws):
    _clusters, snapshots = elasticache.COLLECTORS
    hk = aws.client("elasticache", "ap-east-1")
    hk.create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    hk.create_snapshot(CacheClusterId="sessions", SnapshotName="before-move")
    hk.delete_cache_cluster(CacheClusterId="sessions")
    (snap,) = aws.run(snapshots, "ap-east-1").values()
    assert snap.id == "arn:aws:elasticache:ap-east-1:123456789012:snapshot:before-move"
    assert snap.name == "before-move (snapshot of sessions)"
    assert (snap.type, snap.location.region) == ("snapshot", "ap-east-1")
    assert aws.run(snapshots, "us-east-1") == {}


def test_an_elasticache_snapshot_of_an_outpost_cluster_is_not_placed_in_the_region(aws):
    """``PreferredOutpostArn`` / a node group's ``PrimaryOutpostArn`` (the Snapshot shape of the
    ElastiCache API reference): the snapshot is placed on the Outpost, unknown unless mapped."""
    outpost = "arn:aws:outposts:eu-west-1:123456789012:outpost/op-0123456789abcdef0"
    for raw in (
        {"SnapshotName": "a", "CacheClusterId": "c", "PreferredOutpostArn": outpost},
        {
            "SnapshotName": "b",
            "ReplicationGroupId": "g",
            "NodeSnapshots": [{"NodeGroupConfiguration": {"PrimaryOutpostArn": outpost}}],
        },
        {
            "SnapshotName": "c",
            "NodeSnapshots": [{"NodeGroupConfiguration": {"ReplicaOutpostArns": [outpost]}}],
        },
    ):
        res = elasticache.to_snapshot(raw, aws.ctx("eu-west-1"))
        assert (res.location.site, res.location.kind.value) == (outpost, "unknown")
    plain = elasticache.to_snapshot({"SnapshotName": "d"}, aws.ctx("eu-west-1"))
    assert plain.location.site is None and plain.location.region == "eu-west-1"
