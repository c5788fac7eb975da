"""Prowler's resource types → the ``(service, type)`` cloudaudit's providers report.

Prowler's JSON-OCSF output writes a check's metadata ``ResourceType`` as ``resources[].type``
and its ``ServiceName`` as ``resources[].group.name`` (prowler-cloud/prowler,
``prowler/lib/outputs/ocsf/ocsf.py``). The names below are those of the ``ResourceType``
fields of its checks (``prowler/providers/<cloud>/services/*/*/*.metadata.json``): short
names (``Bucket``, ``AzureStorageAccount``) until the cloud's own replaced them (lower-case
ARM types from Prowler 5.18, Cloud Asset types from 5.19). A mapped resource gets, from the
copy model, an unknown copy naming each mechanism its type declares; a type not mapped here
keeps the generic unknown copy of an undeclared type. ``tests/test_copymodel.py`` holds every
value to a declaration, and the GCP ones to a type the live provider reports.
"""

from __future__ import annotations

from cloudaudit.copymodel import DECLARATIONS
from cloudaudit.inventory._shapes import arm_type
from cloudaudit.models import ProviderId

__all__ = ["AWS_TYPES", "AZURE_TYPES", "GCP_TYPES", "provider_type"]

AWS_TYPES: dict[str, tuple[str, str]] = {
    "AwsS3Bucket": ("s3", "bucket"),
    "AwsEc2Instance": ("ec2", "instance"),
    "AwsEc2Volume": ("ec2", "volume"),
    "AwsRdsDbInstance": ("rds", "db-instance"),
    "AwsRdsDbCluster": ("rds", "db-cluster"),
    "AwsRdsDbSnapshot": ("rds", "db-snapshot"),
    "AwsRdsDbClusterSnapshot": ("rds", "db-cluster-snapshot"),
    "AwsDynamoDbTable": ("dynamodb", "table"),
    "AwsBackupBackupVault": ("backup", "backup-vault"),
    "AwsCloudFrontDistribution": ("cloudfront", "distribution"),
    "AwsEcrRepository": ("ecr", "repository"),
    "AwsEcsCluster": ("ecs", "cluster"),
    "AwsEfsFileSystem": ("efs", "file-system"),
    "AwsEksCluster": ("eks", "cluster"),
    "AwsElastiCacheCacheCluster": ("elasticache", "cache-cluster"),
    "AwsKinesisStream": ("kinesis", "stream"),
    "AwsKmsKey": ("kms", "key"),
    "AwsLambdaFunction": ("lambda", "function"),
    "AwsOpenSearchServiceDomain": ("opensearch", "domain"),
    "AwsElasticsearchDomain": ("opensearch", "domain"),
    "AwsRedshiftCluster": ("redshift", "cluster"),
    "AwsSecretsManagerSecret": ("secretsmanager", "secret"),
    "AwsSnsTopic": ("sns", "topic"),
    "AwsSqsQueue": ("sqs", "queue"),
}
"""Prowler's AWS resource types (AWS Security Finding Format names, ``AwsS3Bucket``)."""

GCP_TYPES: dict[str, tuple[str, str]] = {
    # Cloud Asset types (Prowler 5.19 and later)
    "storage.googleapis.com/Bucket": ("storage", "bucket"),
    "sqladmin.googleapis.com/Instance": ("sqladmin", "instance"),
    "compute.googleapis.com/Instance": ("compute", "instance"),
    "compute.googleapis.com/Image": ("compute", "image"),
    "compute.googleapis.com/Snapshot": ("compute", "snapshot"),
    "bigquery.googleapis.com/Dataset": ("bigquery", "dataset"),
    "cloudfunctions.googleapis.com/Function": ("cloudfunctions", "function"),
    "container.googleapis.com/Cluster": ("container", "cluster"),
    "secretmanager.googleapis.com/Secret": ("secretmanager", "secret"),
    # the short names before them (cloudstorage, cloudsql, compute and bigquery checks)
    "Bucket": ("storage", "bucket"),
    "DatabaseInstance": ("sqladmin", "instance"),
    "VMInstance": ("compute", "instance"),
    "Dataset": ("bigquery", "dataset"),
}
"""Prowler's GCP resource types. Not mapped: a type cloudaudit does not report (KMS
``CryptoKey``, BigQuery ``Table``, firewalls, networks, IAM...), and a short name several
kinds of resource share (``Service`` for a GKE cluster and for APIs; ``Disks``, which its
check uses for an instance)."""

AZURE_TYPES: dict[str, tuple[str, str]] = {
    **{
        f"{d.service}/{d.type}".lower(): (d.service, d.type)
        for d in DECLARATIONS
        if d.provider is ProviderId.AZURE
    },
    # the short names before Prowler 5.18 (storage, cosmosdb and keyvault checks)
    "azurestorageaccount": ("Microsoft.Storage", "storageAccounts"),
    "cosmosdb": ("Microsoft.DocumentDB", "databaseAccounts"),
    "keyvault": ("Microsoft.KeyVault", "vaults"),
}
"""Prowler's Azure resource types, lower-case: every ARM type the copy model declares (the
Azure provider's and a Resource Graph row's; Prowler's checks write them, as
``microsoft.storage/storageaccounts``, from 5.18) and the older short names of one kind of
resource. ``SQLServer`` is not one: its checks use it for servers and for databases (the
resource id tells them apart, see :func:`provider_type`)."""


def provider_type(provider: ProviderId, rtype: str, uid: str) -> tuple[str, str] | None:
    """The ``(service, type)`` the provider reports for a Prowler resource, else ``None``.

    An Azure resource whose ``uid`` is an ARM resource id is typed by that id (Prowler's type
    is its check's, which is not always the resource's: a Defender assessment typed as a
    virtual machine, a storage account's file service typed as the account).

    Args:
        provider: The finding's cloud.
        rtype: ``resources[].type``.
        uid: ``resources[].uid``.
    """
    if provider is ProviderId.AWS:
        return AWS_TYPES.get(rtype)
    if provider is ProviderId.GCP:
        return GCP_TYPES.get(rtype)
    if provider is ProviderId.AZURE:
        return AZURE_TYPES.get((arm_type(uid) or rtype).lower())
    return None
