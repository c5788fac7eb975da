"""The organization's AWS Config aggregator on a distributed executor (``AwsOrganization.plan``).

Same mixed estate as ``test_org_aggregated`` (moto server over real HTTP, the two Config
operations moto lacks answered in botocore's shapes by ``tests/providers/aws/config_fake.py``).
On Dask the aggregator is queried once by the driver; each account's task probes its own
recorders and buckets and audits the rest directly. The report must be the one the threads
give, part by part, and say which aggregator was read.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from cloudaudit import Report, audit
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers import FanOut
from cloudaudit.providers.aws import AccountTask, AggregatedAccountTask, AwsOrganization
from tests.providers.aws import config_fake
from tests.scale.conftest import ROLE, Org
from tests.scale.test_org_aggregated import REGIONS, methods, seed, verdicts

pytestmark = pytest.mark.http
pytest.importorskip("distributed")


def _org(inventory: str = "auto", **kw: Any) -> AwsOrganization:
    return AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=REGIONS,
        services=kw.pop("services", ["s3", "ec2"]),
        inventory=inventory,
        **kw,
    )


def _comparable(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.to_json())
    data.pop("started_at")
    data.pop("finished_at")
    return data


def _mixed(org_factory: Callable[..., Org]) -> Org:
    org = org_factory(4)
    status = seed(org)
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, status)
    org.gate.targets["SelectAggregateResourceConfig"] = config_fake.select
    return org


def test_dask_reads_the_aggregator_once_and_gives_the_threads_report(
    org_factory: Callable[..., Org], dask_executor: Any
) -> None:
    org = _mixed(org_factory)
    a, b, c, d = org.members
    on_threads = audit(_org(), "eu-gdpr")
    org.gate.ops.clear()
    _org().plan(FanOut())  # what the driver alone calls
    planned = org.gate.ops.count("SelectAggregateResourceConfig")
    org.gate.ops.clear()
    on_dask = audit(_org(), "eu-gdpr", executor=dask_executor)

    assert _comparable(on_dask) == _comparable(on_threads)  # findings, gaps, audited scopes
    assert len(verdicts(on_dask)) > 20
    assert verdicts(on_dask) == verdicts(audit(_org("direct"), "eu-gdpr"))
    how = methods(on_dask)
    assert how[(None, "us-east-1", "config")] == {"config-aggregator:organization"}
    assert how[(a, "eu-central-1", "ec2")] == {"config", "api"}  # instances+volumes / snapshots
    assert how[(a, None, "s3")] == {"config"}
    assert how[(b, "eu-central-1", "ec2")] == {"api"}  # no recorder there
    assert how[(c, None, "s3")] == {"api"}  # its recorder excludes buckets
    assert how[(c, "us-east-1", "ec2")] == {"api"}  # its source failed there
    assert (d, "AccessDenied") in {(g.account, g.code) for g in on_dask.coverage.gaps}
    # the driver queries the aggregator for the whole organization; the tasks never do
    assert planned >= 3 * len(REGIONS)  # 3 types, every region; pages of 2 rows
    assert org.gate.ops.count("SelectAggregateResourceConfig") == planned
    assert org.gate.ops.count("DescribeConfigurationAggregators") == 1


def test_plan_makes_aggregated_tasks_that_carry_only_their_accounts_items(
    org_factory: Callable[..., Org],
) -> None:
    org = _mixed(org_factory)
    a, _b, _c, d = org.members
    plan = _org().plan(FanOut())
    by_account = {t.scope.account: t for t in plan.tasks}
    task = by_account[a]
    assert isinstance(task, AggregatedAccountTask)
    assert isinstance(by_account[d], AggregatedAccountTask)  # a source; its task makes the gap
    assert {r["accountId"] for rows in task.rows.values() for r in rows} == {a}
    assert task.regions == {"x1-eu-central-1": "eu-central-1"}  # its replica's bucket only
    assert pickle.loads(pickle.dumps(task)).rows == task.rows
    direct = _org("direct").plan(FanOut())
    assert all(type(t) is AccountTask for t in direct.tasks)
    assert not [b for b in direct.batches if b.audited]


def test_aggregated_without_an_aggregator_audits_nothing_and_says_why(
    org_factory: Callable[..., Org], dask_executor: Any
) -> None:
    org_factory(2)  # no aggregator anywhere
    for report in (
        audit(_org("aggregated"), "eu-gdpr"),
        audit(_org("aggregated"), "eu-gdpr", executor=dask_executor),
    ):
        assert not report.findings and not report.coverage.audited
        [gap] = report.coverage.gaps
        assert gap.code == "AggregatorUnavailable" and "us-east-1" in gap.message
    auto = audit(_org("auto"), "eu-gdpr", executor=dask_executor)
    assert auto.findings and {m for ms in methods(auto).values() for m in ms} == {"api"}


def test_inventory_mode_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="'auto', 'aggregated', 'direct'"):
        _org("fast")
    with pytest.raises(ConfigurationError, match="none of them is among the services"):
        _org("aggregated", services=["rds"])
