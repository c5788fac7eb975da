"""A refused secondary call never drops the resources its unit listed.

Each collector lists resources (its primary call), then may ask for details (aliases,
replication groups, subnets). moto's IAM enforcement evaluates the auditor's real policy,
which allows every action of the collector but one: the resources are still reported, and
the axis that call was to tell (the copies, or the zone) is unknown with a note naming the
call and the error. The first three requests (those of ``as_user``) are not authenticated.
AWS Backup's plans, for which moto's IAM enforcement cannot check signatures, and Aurora
global clusters are refused the same way in ``tests/reliability/test_answers_aws.py`` and
``test_aws_errors.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from moto.core import set_initial_no_auth_action_count

from cloudaudit.models import LocationKind, Resource
from cloudaudit.providers.aws._base import Collector
from cloudaudit.providers.aws.services import elasticache, fsx, kms


@dataclass(frozen=True)
class Case:
    collector: Collector
    denied: str
    region: str
    seed: Callable[..., None]  # plants the resources (unauthenticated: moto's root)
    check: Callable[[dict[str, Resource], str], None]


def _seed_key(aws) -> None:
    aws.client("kms", "eu-west-1").create_key(Description="orders")


def _check_key(found: dict[str, Resource], note: str) -> None:
    (key,) = found.values()  # named by its id: the alias could not be read
    assert key.name in key.id
    assert key.location.region == "eu-west-1"


def _check_unknown_copy(name: str) -> Callable[[dict[str, Resource], str], None]:
    def check(found: dict[str, Resource], note: str) -> None:
        (copy,) = found[name].data_locations
        assert copy.kind is LocationKind.UNKNOWN
        assert copy.note == note

    return check


def _seed_cache(aws) -> None:
    client = aws.client("elasticache", "eu-west-1")
    client.create_replication_group(
        ReplicationGroupId="carts",
        ReplicationGroupDescription="carts",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
    )
    client.create_cache_cluster(
        CacheClusterId="carts-001",
        ReplicationGroupId="carts",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
    )


def _seed_fsx(aws) -> None:
    ec2 = aws.client("ec2", "eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")
    aws.client("fsx", "eu-west-1").create_file_system(
        FileSystemType="LUSTRE",
        StorageCapacity=1200,
        SubnetIds=[subnet["Subnet"]["SubnetId"]],
        Tags=[{"Key": "Name", "Value": "scratch"}],
    )


def _check_unknown_place(found: dict[str, Resource], note: str) -> None:
    assert found["scratch"].location.kind is LocationKind.UNKNOWN
    assert found["scratch"].location.note == note


CACHES, _SNAPSHOTS = elasticache.COLLECTORS
FILE_SYSTEMS, _ = fsx.COLLECTORS
(KEYS,) = kms.COLLECTORS
CASES = {
    "kms-aliases": Case(KEYS, "kms:ListAliases", "eu-west-1", _seed_key, _check_key),
    "elasticache-groups": Case(
        CACHES,
        "elasticache:DescribeReplicationGroups",
        "eu-west-1",
        _seed_cache,
        _check_unknown_copy("carts-001"),
    ),
    "fsx-subnets": Case(
        FILE_SYSTEMS, "ec2:DescribeSubnets", "eu-west-1", _seed_fsx, _check_unknown_place
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_refused_detail_call_keeps_every_listed_resource(aws, name):
    case = CASES[name]
    case.seed(aws)
    allowed = [a for a in case.collector.actions if a != case.denied]

    @set_initial_no_auth_action_count(3)
    def run() -> dict[str, Resource]:
        auditor = aws.as_user("auditor", allowed)
        return auditor.run(case.collector, case.region)

    found = run()
    assert found, f"{name}: the listed resources were dropped"
    error = "AccessDeniedException" if name.startswith("kms") else "AccessDenied"
    case.check(found, f"{case.denied} on region {case.region} failed: {error}")
