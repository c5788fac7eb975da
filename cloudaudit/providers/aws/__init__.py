"""AWS provider: S3, EC2 and the other storage and compute services, in every region.

Needs the ``aws`` extra (boto3). boto3 is imported only when a provider is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudaudit.providers.aws._config import (
    CONFIG_TYPES,
    config_item_to_resource,
    config_s3_destinations,
)
from cloudaudit.providers.aws._partitions import region_name_error
from cloudaudit.providers.aws._provider import (
    SERVICE_NAMES,
    AwsProvider,
    make_session,
    session_secrets,
)
from cloudaudit.providers.aws.services.s3 import bucket_region

if TYPE_CHECKING:
    from cloudaudit.providers.aws._organization import (
        AccountTask,
        AggregatedAccountTask,
        AwsOrganization,
    )

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
    "region_name_error",
    "session_secrets",
]


_ORGANIZATION = ("AccountTask", "AggregatedAccountTask", "AwsOrganization")


def __getattr__(name: str) -> Any:
    """Import the organization classes on first use: a one-account audit never needs them."""
    if name in _ORGANIZATION:
        from cloudaudit.providers.aws import _organization

        return getattr(_organization, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
