"""Every copy the GCP provider reports names the declared mechanism that put it there.

The fakes of the provider tests (``conftest.build_estate`` and the copies estate of
``test_gcp_copies``), with a Secret Manager secret and a Pub/Sub topic replicated to two
regions and a snapshot stored in two (asset shapes as in ``test_gcp_provider``), audited
through Cloud Asset and through the per-project fallback. Every ``data_locations`` entry of
every resource must carry a ``via`` that the copy model declares for the resource's type
(``tests/providers/copy_vias.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gcp_fake import FakeGcp
from test_gcp_copies import _estate

from cloudaudit import audit
from cloudaudit.models import Resource
from cloudaudit.providers.gcp import GcpProvider
from tests.providers.copy_vias import vias, wrong_vias
from tests.providers.gcp.conftest import build_estate

pytestmark = pytest.mark.http
Make = Callable[..., GcpProvider]
SECRET = "//secretmanager.googleapis.com/projects/1001/secrets/s1"
TOPIC = "//pubsub.googleapis.com/projects/eu-data/topics/t1"


def _replicated(fake: FakeGcp) -> FakeGcp:
    replicas = {
        "userManaged": {"replicas": [{"location": "europe-west3"}, {"location": "us-east1"}]}
    }
    fake.add_asset(
        "eu-data",
        "secretmanager.googleapis.com/Secret",
        SECRET,
        "global",
        {"replication": replicas},
    )
    policy = {"allowedPersistenceRegions": ["europe-west1", "us-east1"]}
    fake.add_asset(
        "eu-data", "pubsub.googleapis.com/Topic", TOPIC, "global", {"messageStoragePolicy": policy}
    )
    fake.add_stored(
        "eu-data", "snapshots", "fra-snap-two", ["europe-west3", "us"], "europe-west3-a"
    )
    return fake


def _resources(fake: FakeGcp, provider: Make) -> list[Resource]:
    return [f.resource for f in audit(provider(fake), "eu-gdpr").findings]


@pytest.mark.parametrize("fallback", [False, True], ids=["asset", "fallback"])
def test_every_copy_names_a_declared_mechanism(provider: Make, fallback: bool) -> None:
    found: list[Resource] = []
    for fake, scopes in (
        (
            _replicated(build_estate(FakeGcp())),
            {"organizations/123", "projects/eu-data", "projects/apac-data"},
        ),
        (_estate(), {"organizations/123", "projects/apac-data"}),
    ):
        with fake.serve() as served:
            if fallback:
                served.asset_disabled.update(scopes)
            found += _resources(served, provider)
    assert wrong_vias(found) == []
    expected = {"gcp.storage.multi-region", "gcp.compute.snapshot-storage"}
    if not fallback:  # the fallback lists buckets and compute only
        expected |= {
            "gcp.secretmanager.replicas",
            "gcp.pubsub.persistence-regions",
            "gcp.sql.backup-location",
        }
    assert vias(found) >= expected
