"""The Lambda over an organization on moto (real HTTP): a partial run does not lose its baseline.

Run 1 sees every account; run 2 cannot assume the role in one of them; run 3 sees them all
again. Run 2's ``latest.json`` (the baseline of run 3) carries that account's last known
verdicts over, marked as such, so run 3 reports nothing as new; a resource deleted meanwhile
that run 3 looked for and did not find is *removed*, not kept as a ghost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from cloudaudit import aws_lambda
from cloudaudit.diff import CARRIED
from cloudaudit.report import Report
from tests.scale.conftest import ROLE, Org

pytestmark = pytest.mark.http

BUCKET = "reports"
POLICY = b"id: only-us\nversion: '1'\nallowed: [US]\n"  # every seeded resource violates it


def _event() -> dict[str, Any]:
    provider = {"name": "aws", "organization": True, "role_name": ROLE}
    provider.update({"regions": ["eu-west-1"], "services": ["s3"], "inventory": "direct"})
    return {"bucket": BUCKET, "policy": f"s3://{BUCKET}/only-us.yaml", "providers": [provider]}


def _latest(s3: Any) -> Report:
    return Report.from_json(
        s3.get_object(Bucket=BUCKET, Key="cloudaudit/latest.json")["Body"].read()
    )


def test_partial_then_complete_reports_nothing_new(org_factory: Callable[..., Org]) -> None:
    org = org_factory(2)
    session = boto3.Session(region_name="us-east-1")
    s3 = session.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="only-us.yaml", Body=POLICY)

    def run() -> dict[str, Any]:
        return aws_lambda.run(_event(), lambda: 600_000, session=session)

    first = run()
    assert first["summary"]["violation"] == 3 and first["summary"]["gaps"] == 0
    hidden = org.members[0]
    org.gate.denied.add(hidden)
    second = run()
    assert second["drift"]["unverified"] == 1 and second["drift"]["removed"] == 0
    stored = s3.get_object(Bucket=BUCKET, Key=second["keys"]["report"])["Body"].read()
    assert hidden not in {f.resource.account for f in Report.from_json(stored).findings}
    carried = [f for f in _latest(s3).findings if f.resource.account == hidden]
    assert [f.status.value for f in carried] == ["violation"]  # its last known verdict
    assert carried[0].reasons[-1].startswith(CARRIED) and "AccessDenied" in carried[0].reasons[-1]
    assert second["carried_over"] == 1

    org.gate.denied.clear()
    third = run()
    assert third["drift"]["new_violations"] == 0 and third["new_violations"] == []
    assert third["carried_over"] == 0 and not third["notify"]
    assert _latest(s3).summary.violation == 3  # a complete run's baseline is its report

    # the account hidden again, once more carried; then seen, and its bucket is gone: removed
    org.gate.denied.add(hidden)
    assert run()["carried_over"] == 1
    org.gate.denied.clear()
    from moto.s3.models import s3_backends

    for name in list(s3_backends[hidden]["aws"].buckets):
        s3_backends[hidden]["aws"].delete_bucket(name)
    last = run()
    assert last["drift"]["removed"] == 1 and last["drift"]["new_violations"] == 0
    assert hidden not in {f.resource.account for f in _latest(s3).findings}
