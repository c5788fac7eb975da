"""audit() and evaluate(): collect inventories, judge them, build a Report."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cloudaudit._dedupe import CHUNK, Conflict, Seen, conflict_gap, unseen
from cloudaudit._evaluate import PolicyLike, as_policy, evaluate, make_report, no_cyclic_gc
from cloudaudit._guardrail_model import Guardrail, GuardrailScope, GuardrailSection
from cloudaudit._sources import Sources, sources_of
from cloudaudit.catalog import Catalog
from cloudaudit.errors import ConfigurationError
from cloudaudit.guardrails import compare_guardrails
from cloudaudit.models import Coverage, CoverageGap, Finding, Resource, ScopeRecord
from cloudaudit.policies import Engine, Policy
from cloudaudit.providers import Batch, FanOut, Provider, Scope, guard_iter, redact
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.providers._protocol import Distributable
from cloudaudit.providers._stop import drain_until_stopped
from cloudaudit.report import Report

if TYPE_CHECKING:
    from cloudaudit.evidence._bundle import EvidenceRun, GuardrailReadings

__all__ = ["audit", "audit_iter", "evaluate"]


class GuardrailSink:
    """Collects the guardrails that providers read during an audit."""

    def __init__(self) -> None:
        self.guardrails: list[Guardrail] = []
        self.scopes: list[GuardrailScope] = []
        self.read = False

    def add(self, batch: Batch) -> None:
        """Keep a batch's guardrails; note whether any guardrail reading happened."""
        self.guardrails.extend(batch.guardrails)
        self.scopes.extend(batch.guardrail_scopes)
        if (
            batch.guardrails
            or batch.guardrail_scopes
            or any(g.service == "guardrails" for g in batch.gaps)
        ):
            self.read = True

    def section(self, resources: Iterable[Resource], engine: Engine) -> GuardrailSection | None:
        """Compare what was read (``None`` when no provider read guardrails)."""
        if not self.read:
            return None
        return compare_guardrails(self.guardrails, self.scopes, resources, engine)


def _collect(
    providers: Sequence[Provider],
    fanout: FanOut,
    tasks_on: Executor | None = None,
    stop_when_set: bool = False,
) -> Iterator[Batch]:
    """Run every provider on its own thread; yield batches as they arrive.

    Every provider's units share ``fanout`` (one pool, one bound, one progress count). When
    ``tasks_on`` is given, providers that can :meth:`~Distributable.plan` run as picklable
    tasks on that executor instead; the others still run in this process. With a deadline
    (or ``stop_when_set``: the caller may set ``fanout.cancel``), what is still running once
    the audit stops is abandoned with gaps naming it (:mod:`cloudaudit.providers._stop`).
    """
    for p in providers:
        fanout.classifiers.extend(c for c in p.classifiers() if c not in fanout.classifiers)
        fanout.add_secrets(*p.secrets())

    def source(provider: Provider) -> tuple[str, Callable[[], Iterable[Batch]]]:
        scope = Scope(provider=provider.name)
        if tasks_on is not None and isinstance(provider, Distributable):
            run = functools.partial(_distributed, provider, fanout, tasks_on)
        else:
            run = functools.partial(provider.collect, fanout)
        return provider.name, lambda: (Batch.of(i) for i in guard_iter(fanout, scope, run))

    stoppable = fanout.deadline is not None or stop_when_set
    clock = fanout.clock if stoppable else None
    yield from drain_until_stopped([source(p) for p in providers], clock, fanout.running)


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


_MEMBERS = ("name", "classifiers", "secrets", "collect")


def _providers(providers: Provider | Sequence[Provider]) -> list[Provider]:
    """The providers as a list, each checked to have every member of :class:`Provider`.

    Raises:
        TypeError: an object lacks a required member (``name``, ``classifiers``, ``secrets``,
            ``collect``).
    """
    plist = list(providers) if isinstance(providers, Sequence) else [providers]
    for p in plist:
        missing = [m for m in _MEMBERS if not hasattr(p, m)]
        if missing:
            raise TypeError(
                f"{type(p).__name__} is not a cloudaudit Provider: it lacks "
                f"{', '.join(missing)} (see cloudaudit.providers.Provider; return () from "
                "classifiers() or secrets() when there is nothing to declare)"
            )
    return plist


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
    sources_sink: list[Sources] | None = None,
    dedupe: bool = True,
    guardrail_sink: GuardrailSink | None = None,
    evidence: str | Path | None = None,
    deadline: float | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Finding]:
    """Findings as providers report resources (streaming; no full inventory in memory).

    The providers start when the first finding is asked for. Closing the iterator (or
    dropping it) stops their units; the sinks below are filled once it is exhausted.

    Resources are judged as they arrive and then dropped; only counts, audited scopes and
    gaps are kept. A resource seen twice (same provider, account and id) is judged once: for
    that, each resource's id is remembered with tags of its region and copies (one set per
    provider and account: 33-43 bytes per resource plus the id string, 49 bytes and one per
    ASCII character; roughly 110 MB for a million 26-character ids, 225 MB for 140-character
    ones), and a later report in another region or with other copies is a
    ``conflicting-reports`` gap. Pass ``dedupe=False`` when the providers cannot overlap, to
    keep memory flat whatever the estate's size. When the iterator is exhausted, the final
    :class:`Coverage` is appended to ``coverage_sink``.

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
        sources_sink: Receives the :class:`~cloudaudit.report.Sources` the verdicts used.
        dedupe: Judge a resource reported twice only once.
        guardrail_sink: Receives the guardrails and guardrail scopes providers read (for
            :func:`~cloudaudit.guardrails.compare_guardrails`).
        evidence: Write an evidence bundle to this new folder (see :mod:`cloudaudit.evidence`);
            it is put in place when the iterator is exhausted, and removed if the audit stops.
        deadline: A :func:`time.monotonic` instant (``time.monotonic() + 600``). From then on
            no new unit of work starts: units already running finish, and every unit not
            started becomes a ``Cancelled`` coverage gap, so the report says what it did not
            reach. ``None``: no deadline. Calls still running one second after it (a silent
            endpoint during scope discovery, say) are abandoned: each is a ``Cancelled`` gap
            naming it, and the provider gets a gap saying it was cut short.
        cancel: Set this event (from a signal handler or another thread) to stop the audit
            now, as if its deadline had passed: the findings so far are yielded, and an
            ``Interrupted`` gap per provider still running marks the report incomplete.

    Raises:
        TypeError: a provider lacks a member of :class:`~cloudaudit.providers.Provider`
            (raised by this call, before any provider runs).
    """
    plist = _providers(providers)
    pol = as_policy(policy)
    engine = Engine(pol, catalog, today)
    chunks = _arriving(
        plist,
        pol,
        today,
        _RunOptions(max_workers, executor, progress, deadline, cancel),
        coverage_sink=coverage_sink,
        dedupe=dedupe,
        guardrail_sink=guardrail_sink,
        evidence=evidence,
        when_done=None
        if sources_sink is None
        else functools.partial(_sources, engine, today, sources_sink),
    )
    # One pass of the engine's hot loop over the stream, a chunk of a batch at a time, and no
    # frame of this function's own per finding: the iterator holds the chunks, so closing or
    # dropping it closes them, which stops the providers' units.
    return engine.stream(chunks)


def _sources(engine: Engine, today: date | None, sink: list[Sources]) -> None:
    """Append the sources of the places an audit's engine judged to ``sink``."""
    as_of = today or datetime.now(UTC).date()
    sink.append(sources_of(engine.places_seen(), engine.policy, as_of))


class _RunOptions(NamedTuple):
    """How the units of an audit run (see :func:`audit_iter`'s arguments)."""

    max_workers: int
    executor: Executor | None
    progress: Callable[[int, int, Scope], None] | None
    deadline: float | None
    cancel: threading.Event | None


def _arriving(
    plist: list[Provider],
    pol: Policy,
    today: date | None,
    opts: _RunOptions,
    *,
    coverage_sink: list[Coverage] | None,
    dedupe: bool,
    guardrail_sink: GuardrailSink | None,
    evidence: str | Path | None,
    when_done: Callable[[], None] | None = None,
) -> Generator[Sequence[Resource], None, None]:
    """Run the providers and yield their resources a chunk at a time, deduplicated.

    The audit's scopes and gaps are kept; when every provider is done, the final
    :class:`Coverage` goes to ``coverage_sink``, the evidence bundle (if any) is finished,
    and ``when_done`` is called (not when the chunks are closed early).
    """
    in_process = opts.executor if isinstance(opts.executor, ThreadPoolExecutor) else None
    tasks_on = opts.executor if opts.executor is not None and in_process is None else None
    run = _evidence_run(evidence, tasks_on)
    seen: Seen = {}
    conflicts: list[Conflict] = []
    audited: list[ScopeRecord] = []
    gaps: list[CoverageGap] = []
    cancel = opts.cancel

    def arriving(fanout: FanOut) -> Iterator[Sequence[Resource]]:
        for batch in _collect(plist, fanout, tasks_on, stop_when_set=cancel is not None):
            audited.extend(batch.audited)
            gaps.extend(batch.gaps)
            if guardrail_sink is not None:
                guardrail_sink.add(batch)
            resources = batch.resources
            for start in range(0, len(resources), CHUNK):
                # Deduplicated a chunk at a time: its resources are still in the CPU's cache
                # when the engine reads them.
                chunk = resources[start : start + CHUNK]
                if dedupe:
                    chunk = unseen(chunk, seen, conflicts)
                    if conflicts:  # reported again elsewhere: a gap, never a silent drop
                        gaps.extend(conflict_gap(r, batch.audited, why) for r, why in conflicts)
                        conflicts.clear()
                    if not chunk:
                        continue
                yield chunk if run is None else [run.resource(r) for r in chunk]

    try:
        fan = FanOut(
            max_workers=opts.max_workers,
            executor=in_process,
            progress=opts.progress,
            deadline=opts.deadline,
            cancel=cancel or threading.Event(),
        )
        with fan as fanout, masking_logs(lambda: fanout.secrets):
            if run is not None:
                fanout.unit_context = run.unit_context(lambda s: redact(s, fanout.secrets))
            yield from arriving(fanout)
        coverage = _coverage(audited, gaps)
        if run is not None:
            run.finish(coverage, pol, today, _readings(guardrail_sink))
    except BaseException:
        if run is not None:
            run.abort()
        raise
    if coverage_sink is not None:
        coverage_sink.append(coverage)
    if when_done is not None:
        when_done()


def _readings(sink: GuardrailSink | None) -> GuardrailReadings | None:
    """The guardrails an audit read, for its evidence bundle (``None``: it read none)."""
    from cloudaudit.evidence._bundle import GuardrailReadings

    if sink is None or not sink.read:
        return None
    return GuardrailReadings(guardrails=tuple(sink.guardrails), scopes=tuple(sink.scopes))


def _evidence_run(target: str | Path | None, tasks_on: Executor | None) -> EvidenceRun | None:
    if target is None:
        return None
    if tasks_on is not None:
        raise ConfigurationError(
            "evidence bundles are recorded in this process; with a process or distributed "
            "executor they cannot be. Fix: drop --evidence or run on threads."
        )
    from cloudaudit.evidence._bundle import EvidenceRun

    return EvidenceRun(target)


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
    evidence: str | Path | None = None,
    deadline: float | None = None,
    cancel: threading.Event | None = None,
) -> Report:
    """Audit one or more providers against a policy and return a Report.

    Every unit of work (account × region × service) of every provider runs concurrently
    under one bound, ``max_workers`` (or on a thread-pool ``executor``). With any other
    executor (``dask.distributed``, processes, Ray), distributable providers run as picklable
    tasks on it and their results merge into the same report (see :func:`audit_iter`). A unit
    that fails becomes a coverage gap; it is never reported as empty or compliant. Findings
    are sorted by provider, account and resource id, and kept as :func:`evaluate` keeps them:
    the resources and one record number each, every finding built when it is read. With a
    ``deadline`` (a :func:`time.monotonic` instant), units not started by then become
    ``Cancelled`` gaps; setting ``cancel`` stops the audit the same way at once (see
    :func:`audit_iter`).

    Example:
        >>> from cloudaudit.testing import FakeProvider, make_resource
        >>> report = audit([FakeProvider([make_resource("aws", "ap-east-1")])],
        ...                "us-foreign-adversaries")
        >>> report.summary.violation
        1
    """
    started = datetime.now(UTC)
    pol = as_policy(policy)
    engine = Engine(pol, catalog, today)
    sink: list[Coverage] = []
    grd = GuardrailSink()
    chunks = _arriving(
        _providers(providers),
        pol,
        today,
        _RunOptions(max_workers, executor, progress, deadline, cancel),
        coverage_sink=sink,
        dedupe=True,
        guardrail_sink=grd,
        evidence=evidence,
    )
    try:
        resources = [r for chunk in chunks for r in chunk]
    finally:
        chunks.close()
    resources.sort(key=_order)
    with no_cyclic_gc():
        findings = engine.table(resources)  # findings built when read, as evaluate()'s
    section = grd.section(findings.resources(), engine)
    sources = sources_of(engine.places_seen(), pol, today or started.date())
    return make_report(pol, findings, sink[0], started, section, sources)


def _order(r: Resource) -> tuple[str, str, str]:
    """A report's order: provider, account, resource id."""
    d = r.__dict__
    return (d["provider"].value, d["account"], d["id"])
