"""The one table of built-in providers: everything else that names a provider reads it.

The registry (:func:`~cloudaudit.providers.get_provider`), the SDK-extra check, the CLI's
``cloudaudit audit <name>`` commands and the Lambda read :data:`BUILTINS`; the lazy exports of
``cloudaudit`` and the package's ``cloudaudit.providers`` entry points are tested against it.
A provider installed by another package through the ``cloudaudit.providers`` entry point gets
a spec at run time (:func:`~cloudaudit.providers._registry.provider_specs`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUILTINS", "ProviderSpec"]


@dataclass(frozen=True)
class ProviderSpec:
    """One provider: how to build it, which extra it needs, how the CLI offers it.

    Attributes:
        name: The provider id (``aws``), also the CLI subcommand and the Lambda's ``name``.
        target: ``module:Class`` of the provider class.
        extra: The ``pip install 'cloudaudit[extra]'`` it needs (``None``: none or unknown).
        modules: The SDK modules the extra provides (checked before any work starts).
        cli: ``module`` of a hand-written ``command``; ``None`` builds one from the class's
            constructor (see :mod:`cloudaudit.cli._plugin`).
        help: One line for ``cloudaudit audit --help``.
    """

    name: str
    target: str
    extra: str | None = None
    modules: tuple[str, ...] = ()
    cli: str | None = None
    help: str = ""

    @property
    def class_name(self) -> str:
        """The provider class's name (``AwsProvider``)."""
        return self.target.partition(":")[2]


BUILTINS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "aws",
        "cloudaudit.providers.aws:AwsProvider",
        "aws",
        ("boto3", "botocore"),
        "cloudaudit.cli.aws",
        "Audit AWS accounts (needs cloudaudit[aws]).",
    ),
    ProviderSpec(
        "gcp",
        "cloudaudit.providers.gcp:GcpProvider",
        "gcp",
        (
            "google.auth",
            "google.api_core",
            "google.protobuf",
            "google.cloud.asset_v1",
            "google.cloud.resourcemanager_v3",
            "google.cloud.storage",
            "google.cloud.compute_v1",
        ),
        "cloudaudit.cli.gcp",
        "Audit a GCP organization, folder or project (cloudaudit[gcp]).",
    ),
    ProviderSpec(
        "azure",
        "cloudaudit.providers.azure:AzureProvider",
        "azure",
        (
            "azure.core",
            "azure.identity",
            "azure.mgmt.core",
            "azure.mgmt.resource.subscriptions",
            "azure.mgmt.resource.resources",
            "azure.mgmt.resourcegraph",
        ),
        "cloudaudit.cli.azure",
        "Audit Azure subscriptions (needs cloudaudit[azure]).",
    ),
    ProviderSpec(
        "alibaba",
        "cloudaudit.providers.alibaba:AlibabaProvider",
        "alibaba",
        (
            "alibabacloud_credentials",
            "alibabacloud_tea_openapi",
            "alibabacloud_ecs20140526",
            "alibabacloud_rds20140815",
            "alibabacloud_oss_v2",
        ),
        "cloudaudit.cli.alibaba",
        "Audit an Alibaba Cloud account (cloudaudit[alibaba]).",
    ),
)
