"""AWS Config configuration items → :class:`Resource` (pure: no I/O, no SDK).

One transform for every shape AWS Config gives a configuration item in:

* the API (``GetResourceConfigHistory``, ``BatchGetResourceConfig``,
  ``GetAggregateResourceConfig``): ``accountId``, ``arn``, ``configuration`` and the values of
  ``supplementaryConfiguration`` as JSON *strings*;
* configuration snapshot and history files delivered to S3: ``awsAccountId``, ``ARN``,
  ``configuration`` and ``supplementaryConfiguration`` as JSON *objects*;
* ``SelectResourceConfig`` / ``SelectAggregateResourceConfig`` rows: whatever the query
  selected (``resourceId``, ``resourceType``, ``awsRegion`` at least), as JSON strings.

Copies read: S3 replication destinations (``supplementaryConfiguration`` ·
``BucketReplicationConfiguration`` or ``ReplicationConfiguration``), DynamoDB global-table
replicas (``configuration.replicas``), RDS cross-region read replicas (ARNs in
``readReplicaDBInstanceIdentifiers`` / ``readReplicaIdentifiers``). A resource type whose data
can exist elsewhere by a mechanism the item does not carry (or that the query did not select)
gets an ``unknown`` copy naming that mechanism: one per mechanism the type's collector declares
and reads, derived from the copy model (:func:`_uncarried`), so nothing it could not see reads
as absent (a version 2017.11.29 DynamoDB global table's replication group, an RDS instance's
automated-backup replication, an Aurora global database, an ElastiCache global datastore...).
Every copy carries, in ``via``, the id of the mechanism the AWS collectors declare for it (the
copy model's; an unknown copy of a type that declares none, ``undeclared``), as the direct
path's do.
Resources on an Outpost (``outpostArn``) stand on the customer's premises: their location is
``unknown`` (the outpost ARN as its zone), never the parent region's country.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from cloudaudit.copymodel import UNDECLARED, unseen_copies
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers.aws.services import dynamodb, rds, s3
from cloudaudit.providers.aws.services.s3 import bucket_region

__all__ = [
    "CARRIED",
    "CONFIG_TYPES",
    "UNREAD_COPIES",
    "config_item_to_resource",
    "config_s3_destinations",
]

AWS = ProviderId.AWS
UNKNOWN = Location(provider=AWS, region=None, kind=LocationKind.UNKNOWN)

CONFIG_TYPES: dict[str, tuple[str, str]] = {
    "AWS::S3::Bucket": ("s3", "bucket"),
    "AWS::EC2::Instance": ("ec2", "instance"),
    "AWS::EC2::Volume": ("ec2", "volume"),
    "AWS::EC2::Snapshot": ("ec2", "snapshot"),
    "AWS::EC2::Image": ("ec2", "image"),
    "AWS::DynamoDB::Table": ("dynamodb", "table"),
    "AWS::RDS::DBInstance": ("rds", "db-instance"),
    "AWS::RDS::DBCluster": ("rds", "db-cluster"),
    "AWS::RDS::DBSnapshot": ("rds", "db-snapshot"),
    "AWS::RDS::DBClusterSnapshot": ("rds", "db-cluster-snapshot"),
    "AWS::EFS::FileSystem": ("efs", "file-system"),
    "AWS::FSx::FileSystem": ("fsx", "file-system"),
    "AWS::Lambda::Function": ("lambda", "function"),
    "AWS::KMS::Key": ("kms", "key"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret"),
    "AWS::SNS::Topic": ("sns", "topic"),
    "AWS::SQS::Queue": ("sqs", "queue"),
    "AWS::ECR::Repository": ("ecr", "repository"),
    "AWS::EKS::Cluster": ("eks", "cluster"),
    "AWS::ECS::Cluster": ("ecs", "cluster"),
    "AWS::Redshift::Cluster": ("redshift", "cluster"),
    "AWS::OpenSearch::Domain": ("opensearch", "domain"),
    "AWS::Elasticsearch::Domain": ("opensearch", "domain"),
    "AWS::Kinesis::Stream": ("kinesis", "stream"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "cache-cluster"),
    "AWS::Backup::BackupVault": ("backup", "backup-vault"),
}
"""Config resource type → ``(service, type)`` with the names the AWS provider reports."""

# the collectors' own mechanisms: a copy read here carries the same via as on the direct path
_S3 = s3.REPLICATION.id
_DYNAMODB = dynamodb.GLOBAL_TABLE.id
_DYNAMODB_V1 = dynamodb.GLOBAL_TABLE_V1.id
_DYNAMODB_WITNESS = dynamodb.GLOBAL_TABLE_WITNESS.id
_V1 = dynamodb.V1
_RDS: dict[str, str] = {
    "AWS::RDS::DBInstance": rds.READ_REPLICA.id,
    "AWS::RDS::DBCluster": rds.AURORA_REPLICA.id,
}
"""The mechanism of the replica ARNs of an RDS item."""

CARRIED: dict[str, frozenset[str]] = {
    "AWS::S3::Bucket": frozenset({_S3}),
    # a version 2017.11.29 table says so in globalTableVersion (DescribeTable's field, which
    # is all the direct path reads before DescribeGlobalTable): its replication group is not
    # in the item, so such a table gets an unknown copy by that mechanism
    # the witness of a strongly consistent table is in the same DescribeTable shape as the
    # replicas (globalTableWitnesses), read from the item as the direct path reads it
    "AWS::DynamoDB::Table": frozenset({_DYNAMODB, _DYNAMODB_V1, _DYNAMODB_WITNESS}),
    **{rtype: frozenset({via}) for rtype, via in _RDS.items()},
}
"""The copy mechanisms a configuration item of each type carries (read by :func:`_carried`)."""

UNREAD_COPIES: dict[str, tuple[str, str]] = {
    "AWS::FSx::FileSystem": ("FSx backup copies", UNDECLARED),
    "AWS::RDS::DBSnapshot": ("RDS snapshot copies", UNDECLARED),
    "AWS::RDS::DBClusterSnapshot": ("RDS cluster snapshot copies", UNDECLARED),
}
"""Types that declare no mechanism but whose copies an item of the type does not show.

On the direct path their copies are resources of their own (a backup or snapshot listed in
the region it was copied to); a configuration item of this type does not show them, so it
gets an ``unknown`` copy (``undeclared``). Every other type gets one ``unknown`` copy per
mechanism its collector declares and reads that :data:`CARRIED` does not name
(:func:`_uncarried`).
"""


@cache
def _uncarried(rtype: str) -> tuple[Location, ...]:
    """Unknown copies for what a configuration item of ``rtype`` does not carry.

    Derived from the copy model: each mechanism the direct path reads for the type (a
    mechanism it does not read gets its unknown copy from the engine, on both paths) other
    than the one the item carries. A new mechanism declared on a collector is thus never
    silently absent from the aggregated path.
    """
    if rtype in UNREAD_COPIES:
        what, via = UNREAD_COPIES[rtype]
        return (_unknown(f"{what}: not recorded in a configuration item", via),)
    service, kind = CONFIG_TYPES.get(rtype) or _split(rtype)
    carried = CARRIED.get(rtype, frozenset())
    return unseen_copies(AWS, service, kind, carried, "not recorded in a configuration item")


_NO_ZONE = {"", "regional", "not applicable", "multiple availability zones"}


def _field(item: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return value
    return None


def _json(value: Any) -> Any:
    """A Config value that may be a JSON string (API) or already an object (S3 files)."""
    for _ in range(2):  # some values are JSON-encoded twice
        if not isinstance(value, str):
            return value
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return value


def _supplementary(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    raw = _json(item.get("supplementaryConfiguration"))
    return raw if isinstance(raw, Mapping) else None


def config_s3_destinations(item: Mapping[str, Any]) -> list[str] | None:
    """Destination bucket names of an S3 item's replication rules.

    Returns ``None`` when the item carries no ``supplementaryConfiguration`` at all (the copies
    could not be seen), ``[]`` when it carries one without replication.
    """
    supp = _supplementary(item)
    if supp is None:
        return None
    config = _json(
        supp.get("BucketReplicationConfiguration") or supp.get("ReplicationConfiguration")
    )
    if not isinstance(config, Mapping):
        return []
    names: list[str] = []
    for rule in config.get("rules") or config.get("Rules") or ():
        if not isinstance(rule, Mapping):
            continue
        dest = rule.get("destinationConfig") or rule.get("Destination") or {}
        target = str(dest.get("bucketARN") or dest.get("Bucket") or "")
        name = target.rsplit(":", 1)[-1]
        if name and name not in names:
            names.append(name)
    return names


def _unknown(note: str, via: str) -> Location:
    return Location(provider=AWS, region=None, kind=LocationKind.UNKNOWN, via=via, note=note)


def _copy(region: str, via: str) -> Location:
    return Location(provider=AWS, region=region, via=via)


def _region_of_arn(value: str) -> str | None:
    parts = value.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else None


def _carried(
    rtype: str,
    item: Mapping[str, Any],
    config: Any,
    bucket_region: Callable[[str], str | None],
) -> list[Location]:
    """The copies of the one mechanism an item carries (:data:`CARRIED`)."""
    if rtype == "AWS::S3::Bucket":
        names = config_s3_destinations(item)
        if names is None:
            return [_unknown("no supplementaryConfiguration: S3 replication not seen", _S3)]
        found = [bucket_region(n) for n in names]
        return [
            _copy(r, _S3)
            if r
            else _unknown(f"replication destination bucket {n}: region unknown", _S3)
            for n, r in zip(names, found, strict=True)
        ]
    vias = sorted(CARRIED.get(rtype, ()))
    if not vias:
        return []
    if not isinstance(config, Mapping):
        return [_unknown("no configuration in the item: replicas not seen", v) for v in vias]
    if rtype == "AWS::DynamoDB::Table":
        return _table_copies(config)
    via = vias[0]
    ids = config.get("readReplicaDBInstanceIdentifiers") or config.get("readReplicaIdentifiers")
    arns = [_region_of_arn(str(i)) for i in ids or ()]
    return [_copy(r, via) for r in arns if r]


def _table_copies(config: Mapping[str, Any]) -> list[Location]:
    replicas = config.get("replicas") or config.get("Replicas") or ()
    regions = [str(r.get("regionName") or r.get("RegionName") or "") for r in replicas]
    out = [
        _copy(r, _DYNAMODB) if r else _unknown("replica region not given", _DYNAMODB)
        for r in regions
    ]
    witnesses = config.get("globalTableWitnesses") or config.get("GlobalTableWitnesses") or ()
    for w in witnesses:
        region = str(w.get("regionName") or w.get("RegionName") or "")
        witness = "witness region not given"
        out.append(
            _copy(region, _DYNAMODB_WITNESS) if region else _unknown(witness, _DYNAMODB_WITNESS)
        )
    if _field(config, "globalTableVersion", "GlobalTableVersion") == _V1:
        note = "a version 2017.11.29 global table: its replication group is not in the item"
        out.append(_unknown(note, _DYNAMODB_V1))
    return out


def _location(rtype: str, item: Mapping[str, Any], config: Any) -> Location:
    region = str(_field(item, "awsRegion", "region") or "")
    # only a locationConstraint the item carries: null there means us-east-1, as from
    # GetBucketLocation, but an item without the key (Config records name, owner and
    # creationDate) says nothing of the region
    s3_item = rtype == "AWS::S3::Bucket" and isinstance(config, Mapping)
    if s3_item and not region and "locationConstraint" in config:
        region = bucket_region(config["locationConstraint"])
    if isinstance(config, Mapping) and _field(config, "outpostArn", "OutpostArn"):
        # On an Outpost: the rack stands on the customer's premises, not in the parent
        # region; the outpost ARN is kept as the place, the country is unknown.
        outpost = str(_field(config, "outpostArn", "OutpostArn"))
        note = f"on an AWS Outpost in the customer's premises (parent region {region or '?'})"
        return Location(
            provider=AWS, region=None, zone=outpost, kind=LocationKind.UNKNOWN, note=note
        )
    if not region:
        return UNKNOWN
    if region.lower() == "global":
        return Location(provider=AWS, region="global", kind=LocationKind.GLOBAL)
    zone = str(item.get("availabilityZone") or "")
    if zone.lower() in _NO_ZONE:
        return Location(provider=AWS, region=region)
    return Location(provider=AWS, region=region, zone=zone, kind=LocationKind.ZONE)


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    raw = _json(item.get("tags"))
    if isinstance(raw, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {
            str(t.get("key") or t.get("Key")): str(t.get("value") or t.get("Value") or "")
            for t in raw
            if isinstance(t, Mapping)
        }
    return {}


def config_item_to_resource(
    item: Mapping[str, Any],
    bucket_region: Callable[[str], str | None] = lambda _name: None,
    account: str | None = None,
) -> Resource:
    """Turn one configuration item (any of the shapes above) into a :class:`Resource`.

    Args:
        item: The configuration item or select row (``resourceType``, ``resourceId``,
            ``awsRegion`` at least).
        bucket_region: Region of an S3 bucket by name (replication destinations are given
            as ARNs without a region); ``None`` when not known, which makes the copy unknown.
        account: Account to use when the item does not name one.

    Raises:
        ValueError: The item names no resource type or no resource id.
    """
    rtype = str(item.get("resourceType") or "")
    rid = str(_field(item, "resourceId", "resourceName") or "")
    if not rtype or not rid:
        raise ValueError("a configuration item needs resourceType and resourceId")
    service, kind = CONFIG_TYPES.get(rtype) or _split(rtype)
    config = _json(item.get("configuration"))
    where = _location(rtype, item, config)
    found = [*_carried(rtype, item, config, bucket_region), *_uncarried(rtype)]
    copies = [c for c in found if not c.region or c.key() != where.key()]  # not its own place
    return Resource(
        provider=AWS,
        account=str(_field(item, "accountId", "awsAccountId") or account or "unknown"),
        service=service,
        type=kind,
        id=str(_field(item, "arn", "ARN") or rid),
        name=str(_field(item, "resourceName") or rid),
        location=where,
        data_locations=tuple(dict.fromkeys(copies)),
        tags=_tags(item),
    )


def _split(rtype: str) -> tuple[str, str]:
    parts = rtype.split("::")
    service = parts[1].lower() if len(parts) > 1 else rtype.lower()
    name = parts[2] if len(parts) > 2 else "resource"
    kebab = "".join("-" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))
    return service, kebab
