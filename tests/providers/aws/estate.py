"""Seeding shared by the AWS tests and ``scripts/record_fixture_bundle.py``: buckets, and one
bucket replicating into another, created through a real boto3 S3 client against moto.

The replication rule is the form the S3 API reference's ``PutBucketReplication`` example uses
(``Rules[].Prefix`` and ``Destination.Bucket`` as an ARN; botocore's ``s3`` model,
``ReplicationConfiguration``); replication needs versioning on the source bucket first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["create_buckets", "replicate"]


def create_buckets(client: Any, buckets: Mapping[str, str | None]) -> None:
    """Create each bucket in its region (``None``: us-east-1, which takes no constraint)."""
    for name, region in buckets.items():
        config = {"CreateBucketConfiguration": {"LocationConstraint": region}} if region else {}
        client.create_bucket(Bucket=name, **config)


def replicate(
    client: Any,
    source: str,
    destination: str,
    account: str = "123456789012",
    *,
    filtered: bool = False,
) -> None:
    """Turn on versioning for ``source`` and replicate all of it into ``destination``.

    ``filtered`` writes the newer rule form (``ID``, ``Priority``, an empty ``Filter`` and
    ``DeleteMarkerReplication``, as in the same API reference) instead of ``Prefix``.
    """
    client.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    scope: dict[str, Any] = {"Prefix": ""}
    if filtered:
        scope = {
            "ID": "all",
            "Priority": 1,
            "Filter": {},
            "DeleteMarkerReplication": {"Status": "Disabled"},
        }
    client.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{account}:role/replication",
            "Rules": [
                {
                    "Status": "Enabled",
                    **scope,
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )
