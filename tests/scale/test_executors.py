"""Pluggable executors: the same organization audit on a thread pool and on dask.distributed.

Dask pickles every task it is given (even with in-process workers), so these runs prove that
an account travels as a plain :class:`AccountTask` and comes back as plain batches.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from cloudaudit import audit
from cloudaudit.providers import Batch, FanOut, Scope, Unit
from cloudaudit.providers.aws import AwsOrganization
from cloudaudit.report import Report
from cloudaudit.testing import make_resource
from tests.scale.conftest import MANAGEMENT, ROLE, Org

distributed = pytest.importorskip("distributed")

POLICY = "us-foreign-adversaries"


def _comparable(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.to_json())
    data.pop("started_at")
    data.pop("finished_at")
    return data


def _org(**kw: Any) -> AwsOrganization:
    return AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=["eu-west-1"],
        services=["s3", "ec2"],
        **kw,
    )


@pytest.mark.slow
def test_fifty_accounts_same_report_on_threads_and_on_dask(
    org_factory: Callable[..., Org], dask_executor: Any
) -> None:
    org = org_factory(50)
    org.gate.denied.add(org.members[7])  # one gap, which must match too
    local = audit(_org(), POLICY, max_workers=8)
    on_dask = audit(_org(max_accounts=4), POLICY, executor=dask_executor)
    assert len({f.resource.account for f in local.findings}) == 50  # 49 members + management
    assert [g.account for g in local.coverage.gaps] == [org.members[7]]
    assert MANAGEMENT in {a.account for a in local.coverage.audited}
    assert _comparable(on_dask) == _comparable(local)


def test_dask_task_failure_is_a_gap_for_that_account(
    org_factory: Callable[..., Org], dask_executor: Any
) -> None:
    org = org_factory(2)
    provider = _org()
    plan = provider.plan(FanOut())

    class Broken:
        """A provider whose second task cannot even be pickled (it holds a lock)."""

        name = "aws"
        lock = threading.Lock()

        def classifiers(self) -> Sequence[Any]:
            return provider.classifiers()

        def secrets(self) -> Sequence[str]:
            return provider.secrets()

        def collect(self, fanout: FanOut) -> Iterator[Batch]:
            raise AssertionError("collect must not be called with a distributed executor")

        def plan(self, fanout: FanOut) -> Any:
            from dataclasses import replace

            tasks = list(plan.tasks)
            tasks[1] = _Unpicklable(tasks[1])  # type: ignore[assignment]
            return replace(plan, tasks=tasks)

    report = audit(Broken(), POLICY, executor=dask_executor)
    bad = plan.tasks[1].scope.account
    assert [g.account for g in report.coverage.gaps] == [bad]
    assert {f.resource.account for f in report.findings} == ({*org.members, MANAGEMENT} - {bad})


class _Unpicklable:
    def __init__(self, task: Any) -> None:
        self.task = task
        self.scope = task.scope
        self.lock = threading.Lock()

    def __call__(self) -> Any:
        return self.task()


def test_thread_pool_executor_runs_units_in_process() -> None:
    """A ThreadPoolExecutor is the in-process path: units (closures) run on it directly."""
    seen: list[str] = []

    class Local:
        name = "fake"

        def classifiers(self) -> Sequence[Any]:
            return ()

        def secrets(self) -> Sequence[str]:
            return ()

        def collect(self, fanout: FanOut) -> Iterator[Batch]:
            def run() -> list[Any]:
                seen.append(threading.current_thread().name)
                return [make_resource("aws", "eu-west-1", name="x")]

            for o in fanout.run([Unit(Scope("fake", "1"), run)]):
                yield Batch(resources=o.resources)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="mine") as pool:
        report = audit(Local(), POLICY, executor=pool)
    assert report.summary.total == 1 and seen[0].startswith("mine")


def test_process_pool_runs_accounts_as_tasks(org_factory: Callable[..., Org]) -> None:
    """A plain ProcessPoolExecutor works too: the tasks travel to fresh interpreters."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    org_factory(2)
    local = audit(_org(), POLICY)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter, nothing inherited
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        remote = audit(_org(), POLICY, executor=pool)
    assert len({f.resource.account for f in remote.findings}) == 3
    assert _comparable(remote) == _comparable(local)
