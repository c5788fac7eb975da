"""The static types of the AWS clients, from ``boto3-stubs``, for type checkers only.

``ctx.client("s3")`` is an ``S3Client`` to mypy, so a misspelt operation, paginator or argument
(``s3.get_bucket_locaton``, ``Bukket=``) fails ``mypy --strict``; a collector's ``fetch_*``
functions take the typed client too. The stubs (the ``dev`` extra) are imported under
``TYPE_CHECKING`` only: at run time these are plain protocols and nothing from the stubs is
imported. A service without an overload here is a type error: add its stub package to the
``dev`` extra and a line to both protocols.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol, overload

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_backup import BackupClient
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_config import ConfigServiceClient
    from mypy_boto3_controltower import ControlTowerClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_efs import EFSClient
    from mypy_boto3_eks import EKSClient
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_fsx import FSxClient
    from mypy_boto3_glacier import GlacierClient
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_opensearch import OpenSearchServiceClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_redshift import RedshiftClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

__all__ = ["ClientSession", "ServiceClient", "ServiceClientIn"]


class ClientSession(Protocol):
    """**Protocol:** what clients are built from: a ``boto3.Session`` or an account's view.

    Only ``client(service, region_name=..., config=...)`` is required; ``boto3.Session``'s
    per-service overloads all return a botocore ``BaseClient``.
    """

    @property
    def client(self) -> Callable[..., BaseClient]:
        """Build a client: ``client(service, region_name=..., config=...)``."""
        ...


class ServiceClient(Protocol):
    """**Protocol:** ``client(service)``, the shared client of a service in one region."""

    @overload
    def __call__(self, service: Literal["backup"], /) -> BackupClient: ...
    @overload
    def __call__(self, service: Literal["cloudfront"], /) -> CloudFrontClient: ...
    @overload
    def __call__(self, service: Literal["config"], /) -> ConfigServiceClient: ...
    @overload
    def __call__(self, service: Literal["controltower"], /) -> ControlTowerClient: ...
    @overload
    def __call__(self, service: Literal["dynamodb"], /) -> DynamoDBClient: ...
    @overload
    def __call__(self, service: Literal["ec2"], /) -> EC2Client: ...
    @overload
    def __call__(self, service: Literal["ecr"], /) -> ECRClient: ...
    @overload
    def __call__(self, service: Literal["ecs"], /) -> ECSClient: ...
    @overload
    def __call__(self, service: Literal["efs"], /) -> EFSClient: ...
    @overload
    def __call__(self, service: Literal["eks"], /) -> EKSClient: ...
    @overload
    def __call__(self, service: Literal["elasticache"], /) -> ElastiCacheClient: ...
    @overload
    def __call__(self, service: Literal["fsx"], /) -> FSxClient: ...
    @overload
    def __call__(self, service: Literal["glacier"], /) -> GlacierClient: ...
    @overload
    def __call__(self, service: Literal["kinesis"], /) -> KinesisClient: ...
    @overload
    def __call__(self, service: Literal["kms"], /) -> KMSClient: ...
    @overload
    def __call__(self, service: Literal["lambda"], /) -> LambdaClient: ...
    @overload
    def __call__(self, service: Literal["opensearch"], /) -> OpenSearchServiceClient: ...
    @overload
    def __call__(self, service: Literal["organizations"], /) -> OrganizationsClient: ...
    @overload
    def __call__(self, service: Literal["rds"], /) -> RDSClient: ...
    @overload
    def __call__(self, service: Literal["redshift"], /) -> RedshiftClient: ...
    @overload
    def __call__(self, service: Literal["s3"], /) -> S3Client: ...
    @overload
    def __call__(self, service: Literal["secretsmanager"], /) -> SecretsManagerClient: ...
    @overload
    def __call__(self, service: Literal["sns"], /) -> SNSClient: ...
    @overload
    def __call__(self, service: Literal["sqs"], /) -> SQSClient: ...
    @overload
    def __call__(self, service: Literal["sts"], /) -> STSClient: ...
    def __call__(self, service: str, /) -> BaseClient:
        """Return the client of ``service``."""
        ...


class ServiceClientIn(Protocol):
    """**Protocol:** ``client_in(service, region)``, the shared client of a service anywhere."""

    @overload
    def __call__(self, service: Literal["backup"], region: str, /) -> BackupClient: ...
    @overload
    def __call__(self, service: Literal["cloudfront"], region: str, /) -> CloudFrontClient: ...
    @overload
    def __call__(self, service: Literal["config"], region: str, /) -> ConfigServiceClient: ...
    @overload
    def __call__(self, service: Literal["controltower"], region: str, /) -> ControlTowerClient: ...
    @overload
    def __call__(self, service: Literal["dynamodb"], region: str, /) -> DynamoDBClient: ...
    @overload
    def __call__(self, service: Literal["ec2"], region: str, /) -> EC2Client: ...
    @overload
    def __call__(self, service: Literal["ecr"], region: str, /) -> ECRClient: ...
    @overload
    def __call__(self, service: Literal["ecs"], region: str, /) -> ECSClient: ...
    @overload
    def __call__(self, service: Literal["efs"], region: str, /) -> EFSClient: ...
    @overload
    def __call__(self, service: Literal["eks"], region: str, /) -> EKSClient: ...
    @overload
    def __call__(self, service: Literal["elasticache"], region: str, /) -> ElastiCacheClient: ...
    @overload
    def __call__(self, service: Literal["fsx"], region: str, /) -> FSxClient: ...
    @overload
    def __call__(self, service: Literal["glacier"], region: str, /) -> GlacierClient: ...
    @overload
    def __call__(self, service: Literal["kinesis"], region: str, /) -> KinesisClient: ...
    @overload
    def __call__(self, service: Literal["kms"], region: str, /) -> KMSClient: ...
    @overload
    def __call__(self, service: Literal["lambda"], region: str, /) -> LambdaClient: ...
    @overload
    def __call__(
        self, service: Literal["opensearch"], region: str, /
    ) -> OpenSearchServiceClient: ...
    @overload
    def __call__(
        self, service: Literal["organizations"], region: str, /
    ) -> OrganizationsClient: ...
    @overload
    def __call__(self, service: Literal["rds"], region: str, /) -> RDSClient: ...
    @overload
    def __call__(self, service: Literal["redshift"], region: str, /) -> RedshiftClient: ...
    @overload
    def __call__(self, service: Literal["s3"], region: str, /) -> S3Client: ...
    @overload
    def __call__(
        self, service: Literal["secretsmanager"], region: str, /
    ) -> SecretsManagerClient: ...
    @overload
    def __call__(self, service: Literal["sns"], region: str, /) -> SNSClient: ...
    @overload
    def __call__(self, service: Literal["sqs"], region: str, /) -> SQSClient: ...
    @overload
    def __call__(self, service: Literal["sts"], region: str, /) -> STSClient: ...
    def __call__(self, service: str, region: str, /) -> BaseClient:
        """Return the client of ``service`` in ``region``."""
        ...
