"""AWS provider: S3, EC2 and the other storage and compute services, in every region.

Needs the ``aws`` extra (boto3). boto3 is imported only when a provider is built.
"""

from __future__ import annotations

from cloudaudit.providers.aws._organization import AccountTask, AwsOrganization
from cloudaudit.providers.aws._provider import SERVICE_NAMES, AwsProvider, make_session

__all__ = ["SERVICE_NAMES", "AccountTask", "AwsOrganization", "AwsProvider", "make_session"]
