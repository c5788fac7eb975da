"""API errors surface as exceptions (the fan-out turns them into gaps), never as ``[]``.

moto's IAM enforcement evaluates the auditor's real policy: the first N requests (the
setup) are not authenticated, every later one is.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from moto.core import set_initial_no_auth_action_count

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws.services import rds

INSTANCES, CLUSTERS, *_ = rds.COLLECTORS
PASSWORD = "not-a-secret-1"


def test_denied_listing_raises_instead_of_returning_nothing(aws):
    @set_initial_no_auth_action_count(3)
    def scenario():
        auditor = aws.as_user("auditor", ["ec2:DescribeRegions"])
        with pytest.raises(ClientError) as info:
            auditor.run(INSTANCES, "us-east-1")
        assert info.value.response["Error"]["Code"] == "AccessDenied"
        assert info.value.operation_name == "DescribeDBInstances"

    scenario()


def test_denied_copy_lookup_keeps_the_cluster_with_an_unknown_copy(aws):
    @set_initial_no_auth_action_count(5)
    def scenario():
        auditor = aws.as_user("auditor", ["rds:DescribeDBClusters"])
        client = aws.client("rds", "us-east-1")
        client.create_global_cluster(GlobalClusterIdentifier="global", Engine="aurora-postgresql")
        client.create_db_cluster(
            DBClusterIdentifier="member",
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword=PASSWORD,
            GlobalClusterIdentifier="global",
        )
        # The cluster itself is listable, but its global-database members are not: the
        # cluster is still reported, with an unknown copy that names the refused call (it
        # used to fail the whole region, dropping every cluster listed there).
        (cluster,) = auditor.run(CLUSTERS, "us-east-1").values()
        assert cluster.name == "member"
        (copy,) = cluster.data_locations
        assert copy.kind is LocationKind.UNKNOWN
        assert copy.via == "aws.rds.global-database"
        assert copy.note == "rds:DescribeGlobalClusters on region us-east-1 failed: AccessDenied"

    scenario()
