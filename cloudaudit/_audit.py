"""audit() and evaluate(): collect inventories, judge them, build a Report."""

from __future__ import annotations

import functools
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime

from cloudaudit._version import __version__
from cloudaudit.catalog import Catalog
from cloudaudit.models import (
    Coverage,
    CoverageGap,
    Finding,
    Report,
    Resource,
    ScopeRecord,
    Status,
    Summary,
)
from cloudaudit.policies import Engine, Policy, load_policy
from cloudaudit.providers._fanout import FanOut, Scope, guard_iter, interleave
from cloudaudit.providers._protocol import Batch, Distributable, Provider

__all__ = ["audit", "audit_iter", "evaluate"]

PolicyLike = Policy | str


def _policy(policy: PolicyLike) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def evaluate(
    resources: Iterable[Resource],
    policy: PolicyLike,
    *,
    coverage: Coverage | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
) -> Report:
    """Judge ``resources`` under ``policy`` and return a Report. Pure: no cloud calls.

    Args:
        resources: The resources to judge (from a provider, a file, or your own code).
        policy: A :class:`Policy` or the name/path of one.
        coverage: What was and was not audited, if known; gaps go into the report as is.
        catalog: Region catalog to use; defaults to the packaged one.
        today: Date for exemption expiry; defaults to today (UTC).
    """
    started = datetime.now(UTC)
    pol = _policy(policy)
    with _no_cyclic_gc():
        findings = tuple(Engine(pol, catalog, today).findings(resources))
    cov = coverage or Coverage()
    return _report(pol, findings, cov, started)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while findings are built in bulk.

    Findings form no reference cycles, but a million new container objects would trigger
    repeated full collections that rescan the whole inventory (about a third of the run time
    at one million resources). Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _report(pol: Policy, findings: tuple[Finding, ...], cov: Coverage, started: datetime) -> Report:
    counts = {s: 0 for s in Status}
    for f in findings:
        counts[f.status] += 1
    summary = Summary(
        total=len(findings),
        violation=counts[Status.VIOLATION],
        compliant=counts[Status.COMPLIANT],
        unknown=counts[Status.UNKNOWN],
        exempt=counts[Status.EXEMPT],
        gaps=len(cov.gaps),
    )
    return Report(
        tool_version=__version__,
        policy_id=pol.id,
        policy_version=pol.version,
        started_at=started,
        finished_at=datetime.now(UTC),
        findings=findings,
        coverage=cov,
        summary=summary,
    )


def _collect(
    providers: Sequence[Provider], fanout: FanOut, tasks_on: Executor | None = None
) -> Iterator[Batch]:
    """Run every provider on its own thread; yield batches as they arrive.

    Every provider's units share ``fanout`` (one pool, one bound, one progress count). When
    ``tasks_on`` is given, providers that can :meth:`~Distributable.plan` run as picklable
    tasks on that executor instead; the others still run in this process.
    """
    for p in providers:
        fanout.classifiers.extend(c for c in _classifiers(p) if c not in fanout.classifiers)
        fanout.add_secrets(*_secrets(p))

    def source(provider: Provider) -> Callable[[], Iterable[Batch]]:
        scope = Scope(provider=_name(provider))
        if tasks_on is not None and isinstance(provider, Distributable):
            run = functools.partial(_distributed, provider, fanout, tasks_on)
        else:
            run = functools.partial(provider.collect, fanout)
        return lambda: (_as_batch(i) for i in guard_iter(fanout, scope, run))

    yield from interleave([source(p) for p in providers])


def _as_batch(item: object) -> Batch:
    return Batch(gaps=(item,)) if isinstance(item, CoverageGap) else item  # type: ignore[return-value]


def _distributed(provider: Distributable, fanout: FanOut, executor: Executor) -> Iterator[Batch]:
    """Plan on the driver, run the tasks on ``executor``, and yield their batches."""
    plan = provider.plan(fanout)
    yield from plan.batches
    for _task, result, gap in fanout.distribute(
        executor, plan.tasks, max_in_flight=plan.max_in_flight
    ):
        if gap is not None:
            yield Batch(gaps=(gap,))
        yield from result or ()


def _name(provider: Provider) -> str:
    name = getattr(provider, "name", None)
    return str(name) if name else type(provider).__name__


def _classifiers(provider: Provider) -> list[Callable[[BaseException], tuple[str, str] | None]]:
    get = getattr(provider, "classifiers", None)
    return list(get()) if callable(get) else []


def _secrets(provider: Provider) -> tuple[str, ...]:
    """Credentials a provider was given, to be masked in gap messages (optional method)."""
    get = getattr(provider, "secrets", None)
    return tuple(s for s in get() if s) if callable(get) else ()


def audit_iter(
    providers: Provider | Sequence[Provider],
    policy: PolicyLike,
    *,
    max_workers: int = 16,
    executor: Executor | None = None,
    progress: Callable[[int, int, Scope], None] | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
    coverage_sink: list[Coverage] | None = None,
    dedupe: bool = True,
) -> Iterator[Finding]:
    """Yield findings as providers report resources (streaming; no full inventory in memory).

    Resources are judged as they arrive and then dropped; only counts, audited scopes and
    gaps are kept. A resource seen twice (same provider, account and id) is judged once: for
    that, a 16-byte digest of each resource's key is remembered (about 100 bytes per
    resource with the set's overhead, roughly 100 MB for a million). Pass ``dedupe=False``
    when the providers cannot overlap, to keep memory flat whatever the estate's size. When
    the iterator is exhausted, the final :class:`Coverage` is appended to ``coverage_sink``.

    Args:
        providers: One provider or several; they run concurrently.
        policy: A :class:`Policy` or the name/path of one.
        max_workers: Most units in flight at once, over every provider and account.
        executor: Any ``concurrent.futures.Executor``. A ``ThreadPoolExecutor`` runs the
            units in this process; any other executor (processes, ``dask.distributed``'s
            ``Client.get_executor()``, Ray) runs distributable providers' tasks (an AWS
            organization's accounts, say), and the other providers run here.
        progress: Called with ``(done, total, scope)``; counts are per provider, cumulative.
        catalog: Region catalog to use; defaults to the packaged one.
        today: Date for exemption expiry; defaults to today (UTC).
        coverage_sink: Receives the final :class:`Coverage`.
        dedupe: Judge a resource reported twice only once.
    """
    plist = [providers] if isinstance(providers, Provider) else list(providers)
    pol = _policy(policy)
    engine = Engine(pol, catalog, today)
    in_process = executor if isinstance(executor, ThreadPoolExecutor) else None
    tasks_on = executor if executor is not None and in_process is None else None
    seen: set[bytes] = set()
    audited: list[ScopeRecord] = []
    gaps: list[CoverageGap] = []
    with FanOut(max_workers=max_workers, executor=in_process, progress=progress) as fanout:
        for batch in _collect(plist, fanout, tasks_on):
            audited.extend(batch.audited)
            gaps.extend(batch.gaps)
            for r in batch.resources:
                if dedupe:
                    key = _digest(r)
                    if key in seen:
                        continue
                    seen.add(key)
                yield engine.finding(r)
    if coverage_sink is not None:
        coverage_sink.append(_coverage(audited, gaps))


def _digest(r: Resource) -> bytes:
    raw = f"{r.provider.value}\x00{r.account}\x00{r.id}".encode()
    return hashlib.blake2b(raw, digest_size=16).digest()


def _coverage(audited: list[ScopeRecord], gaps: list[CoverageGap]) -> Coverage:
    return Coverage(
        # Several collectors may share a scope (EC2 instances, volumes...): sort on every
        # field so that the order never depends on which unit finished first.
        audited=tuple(sorted(audited, key=lambda a: (a.scope, a.method, a.resources))),
        gaps=tuple(sorted(gaps, key=lambda g: (g.scope, g.code, g.message))),
    )


def audit(
    providers: Provider | Sequence[Provider],
    policy: PolicyLike,
    *,
    max_workers: int = 16,
    executor: Executor | None = None,
    progress: Callable[[int, int, Scope], None] | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
) -> Report:
    """Audit one or more providers against a policy and return a Report.

    Every unit of work (account × region × service) of every provider runs concurrently
    under one bound, ``max_workers`` (or on a thread-pool ``executor``). With any other
    executor (``dask.distributed``, processes, Ray), distributable providers run as picklable
    tasks on it and their results merge into the same report (see :func:`audit_iter`). A unit
    that fails becomes a coverage gap; it is never reported as empty or compliant. Findings
    are sorted by provider, account and resource id.

    Example:
        >>> from cloudaudit.testing import FakeProvider, make_resource
        >>> report = audit([FakeProvider([make_resource("aws", "ap-east-1")])],
        ...                "us-foreign-adversaries")
        >>> report.summary.violation
        1
    """
    started = datetime.now(UTC)
    pol = _policy(policy)
    sink: list[Coverage] = []
    findings = list(
        audit_iter(
            providers,
            pol,
            max_workers=max_workers,
            executor=executor,
            progress=progress,
            catalog=catalog,
            today=today,
            coverage_sink=sink,
        )
    )
    findings.sort(key=lambda f: (f.resource.provider.value, f.resource.account, f.resource.id))
    return _report(pol, tuple(findings), sink[0], started)
