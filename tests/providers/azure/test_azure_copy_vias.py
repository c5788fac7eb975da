"""Every copy the Azure provider reports names the declared mechanism that put it there.

The fake tenant of the provider tests (``azure_tenant.build_tenant``: geo-redundant storage,
Cosmos DB replica regions and Geo backups, vaults, SQL failover groups, replication links and
Geo backups), audited through Resource Graph and through the ARM fallback, and once with the
SQL links unreadable. Every ``data_locations`` entry of every resource must carry a ``via``
that the copy model declares for the resource's type (``tests/providers/copy_vias.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from azure_fake import FakeARM, Fault

from cloudaudit import audit
from tests.providers.copy_vias import vias, wrong_vias

pytestmark = pytest.mark.http

READ = {
    "azure.storage.geo-redundancy",
    "azure.sql.failover-group",
    "azure.sql.geo-replication",
    "azure.sql.backup-redundancy",
    "azure.cosmos.replica-regions",
    "azure.cosmos.backup-redundancy",
    "azure.keyvault.paired-region",
    "azure.recoveryservices.storage-redundancy",
}
"""The mechanisms of the copies the tenant holds."""


@pytest.mark.parametrize("graph", [True, False], ids=["resource-graph", "arm"])
@pytest.mark.parametrize("links", [True, False], ids=["links-read", "links-refused"])
def test_every_copy_names_a_declared_mechanism(
    make_provider: Any, fake: FakeARM, graph: bool, links: bool
) -> None:
    if not links:
        fake.faults.append(Fault("/failoverGroups$", 403, times=99, code="AuthorizationFailed"))
    resources = [
        f.resource for f in audit(make_provider(use_resource_graph=graph), "eu-gdpr").findings
    ]
    assert wrong_vias(resources) == []
    assert vias(resources) >= READ
