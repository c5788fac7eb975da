"""AWS provider: S3, EC2 and the other storage and compute services, in every region.

Needs the ``aws`` extra (boto3). boto3 is imported only when a provider is built.
"""

from __future__ import annotations

from cloudaudit.providers.aws._config import (
    CONFIG_TYPES,
    config_item_to_resource,
    config_s3_destinations,
)
from cloudaudit.providers.aws._organization import (
    AccountTask,
    AggregatedAccountTask,
    AwsOrganization,
)
from cloudaudit.providers.aws._provider import SERVICE_NAMES, AwsProvider, make_session
from cloudaudit.providers.aws.services.s3 import bucket_region

__all__ = [
    "CONFIG_TYPES",
    "SERVICE_NAMES",
    "AccountTask",
    "AggregatedAccountTask",
    "AwsOrganization",
    "AwsProvider",
    "bucket_region",
    "config_item_to_resource",
    "config_s3_destinations",
    "make_session",
]
