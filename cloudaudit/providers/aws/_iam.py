"""The read-only IAM policy the AWS provider needs, built from every collector's actions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from cloudaudit.providers.aws._aggregated import CONFIG_ACTIONS
from cloudaudit.providers.aws._base import Collector

__all__ = ["CORE_ACTIONS", "iam_action", "load_policy_document", "policy_document"]

CORE_ACTIONS: tuple[str, ...] = (
    "sts:GetCallerIdentity",
    "ec2:DescribeRegions",
    "ec2:DescribeAvailabilityZones",
    *CONFIG_ACTIONS,
)
"""Calls the provider itself makes: account id, region list, probe of not-opted-in regions,
and the AWS Config aggregator reads of the aggregated inventory path."""

_RENAMED: dict[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketTagging"): "s3:GetBucketTagging",
    ("lambda", "ListFunctions20150331"): "lambda:ListFunctions",
}
"""API operations whose IAM action has another name."""


def iam_action(signing_name: str, operation: str) -> str:
    """Return the IAM action of an API operation (S3 ``ListBuckets`` is ``s3:ListAllMyBuckets``)."""
    return _RENAMED.get((signing_name, operation), f"{signing_name}:{operation}")


def policy_document(collectors: Iterable[Collector]) -> dict[str, Any]:
    """Build the read-only IAM policy listing the core's and ``collectors``' actions."""
    actions = sorted({*CORE_ACTIONS, *(a for c in collectors for a in c.actions)})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudauditReadOnly",
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            }
        ],
    }


def load_policy_document() -> dict[str, Any]:
    """Load the packaged policy (``iam_policy.json``, the one the docs show)."""
    text = resources.files("cloudaudit.providers.aws").joinpath("iam_policy.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc
