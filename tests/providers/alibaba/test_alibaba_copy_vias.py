"""Every copy the Alibaba Cloud provider reports names the declared mechanism that put it there.

The fake account of the provider tests (``conftest.seed``: a replicated OSS bucket, an RDS
instance with a cross-region backup policy), audited as it is and with the bucket's
replication refused. Every ``data_locations`` entry of every resource must carry a ``via``
that the copy model declares for the resource's type (``tests/providers/copy_vias.py``).
"""

from __future__ import annotations

import pytest
from alibaba_fake import KEY_ID, SECRET, FakeAlibaba, Server

from cloudaudit import audit
from cloudaudit.providers.alibaba import AlibabaProvider
from tests.providers.copy_vias import vias, wrong_vias

pytestmark = pytest.mark.http


@pytest.mark.parametrize("refused", [False, True], ids=["read", "replication-refused"])
def test_every_copy_names_a_declared_mechanism(
    server: Server, fake: FakeAlibaba, refused: bool
) -> None:
    if refused:
        fake.denied_buckets.add("fra-replicated")
    provider = AlibabaProvider(KEY_ID, SECRET, endpoint=server.url)  # type: ignore[arg-type]
    resources = [f.resource for f in audit(provider, "eu-gdpr").findings]
    assert wrong_vias(resources) == []
    assert vias(resources) >= {"alibaba.oss.replication", "alibaba.rds.cross-region-backup"}
