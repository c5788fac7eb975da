"""The one table of built-in providers: everything else that names a provider reads it.

``cloudaudit``'s lazy exports (``cloudaudit.AwsProvider``), the registry
(:func:`~cloudaudit.providers.get_provider`), the SDK-extra check, the CLI's
``cloudaudit audit <name>`` commands, the Lambda and inventory import (the record kinds each
provider turns into resources) read :data:`BUILTINS`; the package's
``cloudaudit.providers`` entry points and the static imports type checkers see in
``cloudaudit/__init__.py`` are tested against it. A provider installed by another package
through the ``cloudaudit.providers`` entry point gets a spec at run time
(:func:`~cloudaudit.providers._registry.provider_specs`).

``import cloudaudit`` reads this module, so it imports nothing (not even ``dataclasses`` or
``typing``, whose imports cost more than the rest of ``import cloudaudit``).
"""

from __future__ import annotations

__all__ = ["BUILTINS", "ProviderSpec"]


class ProviderSpec:
    """One provider: how to build it, which extra it needs, how the CLI offers it (immutable).

    Attributes:
        name: The provider id (``aws``), also the CLI subcommand and the Lambda's ``name``.
        target: ``module:Class`` of the provider class.
        extra: The ``pip install 'cloudaudit[extra]'`` it needs (``None``: none or unknown).
        modules: The SDK modules the extra provides (checked before any work starts).
        cli: ``module`` of a hand-written ``command``; ``None`` builds one from the class's
            constructor (see :mod:`cloudaudit.cli._plugin`).
        help: One line for ``cloudaudit audit --help``.
        records: The inventory record kinds the provider turns into its model, as
            ``(kind, "module:callable")`` pairs, imported only when an import reads such a
            record (see :func:`~cloudaudit.providers._registry.record_transform`).
    """

    __slots__ = ("cli", "extra", "help", "modules", "name", "records", "target")

    name: str
    target: str
    extra: str | None
    modules: tuple[str, ...]
    cli: str | None
    help: str
    records: tuple[tuple[str, str], ...]

    def __init__(
        self,
        name: str,
        target: str,
        extra: str | None = None,
        modules: tuple[str, ...] = (),
        cli: str | None = None,
        help: str = "",
        records: tuple[tuple[str, str], ...] = (),
    ) -> None:
        init = object.__setattr__
        init(self, "name", name)
        init(self, "target", target)
        init(self, "extra", extra)
        init(self, "modules", modules)
        init(self, "cli", cli)
        init(self, "help", help)
        init(self, "records", records)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ProviderSpec is immutable: cannot set {name!r}")

    def _key(self) -> tuple[object, ...]:
        return (self.name, self.target, self.extra, self.modules, self.cli, self.help, self.records)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProviderSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"ProviderSpec({self.name!r}, {self.target!r}, extra={self.extra!r})"

    @property
    def module(self) -> str:
        """The module of the provider class (``cloudaudit.providers.aws``)."""
        return self.target.partition(":")[0]

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
        (("config-item", "cloudaudit.providers.aws:config_item_to_resource"),),
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
            "google.cloud.orgpolicy_v2",
            "requests",
        ),
        "cloudaudit.cli.gcp",
        "Audit a GCP organization, folder or project (cloudaudit[gcp]).",
        (("asset-search-result", "cloudaudit.providers.gcp:search_result_to_resource"),),
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
        (
            ("resource-graph-row", "cloudaudit.providers.azure:row_to_resource"),
            ("location", "cloudaudit.providers.azure:location_info"),
            ("locations", "cloudaudit.providers.azure:Geo"),
        ),
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
            "darabonba",
        ),
        "cloudaudit.cli.alibaba",
        "Audit an Alibaba Cloud account (cloudaudit[alibaba]).",
    ),
)
