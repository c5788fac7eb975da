"""The executor of an audit: bounded concurrent fan-out that turns a failing unit into a gap.

:class:`FanOut` implements :class:`~cloudaudit.providers.Work`, the seam providers are written
against. It holds the broad ``except`` clauses of the run (one per way a unit can fail: the
unit raises, the executor loses it, a task cannot be sent): a unit (one account × region ×
service, say) that raises anything becomes a :class:`~cloudaudit.models.CoverageGap` carrying
the error code, and the audit goes on. "Could not look" is never silently "nothing there".
The work types live in :mod:`~cloudaudit.providers._work`, credential masking in
:mod:`~cloudaudit.providers._redact`, the merging of provider streams in
:mod:`~cloudaudit.providers._stream`.
"""

from __future__ import annotations

import contextvars
import functools
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ThreadPoolExecutor,
    wait,
)
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TypeVar

from cloudaudit.models import CoverageGap, ScopeRecord
from cloudaudit.providers._answers import classify_own
from cloudaudit.providers._calls import with_call
from cloudaudit.providers._detail import DetailSink, collecting
from cloudaudit.providers._redact import redact
from cloudaudit.providers._slots import Slots
from cloudaudit.providers._stop import Running, StopClock
from cloudaudit.providers._work import (
    CANCELLED,
    Classifier,
    Outcome,
    Scope,
    Task,
    Unit,
    default_classifier,
    make_gap,
)

__all__ = ["FanOut"]

T = TypeVar("T")
R = TypeVar("R")

_NOT_REACHED = "the audit stopped before this scope ran"


class _Counts:
    """Cumulative (done, total) unit counts per provider, shared by every run of a FanOut."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: dict[str, int] = {}
        self.total: dict[str, int] = {}

    def add(self, provider: str, n: int) -> None:
        with self.lock:
            self.total[provider] = self.total.get(provider, 0) + n

    def finish(self, scope: Scope, progress: Callable[[int, int, Scope], None] | None) -> None:
        with self.lock:
            done = self.done[scope.provider] = self.done.get(scope.provider, 0) + 1
            if progress is not None:
                # Called under the lock so that each provider's ``done`` arrives in order.
                progress(done, self.total.get(scope.provider, done), scope)


@dataclass
class FanOut:
    """Runs units concurrently under one bound and converts failures into coverage gaps.

    One FanOut is shared by every provider (and every account of an organization) of an
    audit: all of their units run on one pool of ``max_workers`` threads, so the bound holds
    for the whole audit however many providers, accounts or regions there are. A unit that
    itself calls :meth:`run` (from a pool thread) runs those units inline, in its own slot.

    Every unit holds one of ``max_workers`` *slots* while it runs. A unit that needs many
    small calls of its own (S3's per-bucket lookups) hands them to :meth:`map`: each item runs
    on a helper thread holding a slot of the same set, while the waiting unit gives its own
    slot back, so units and items together never exceed ``max_workers`` and a unit waiting
    for its items never holds a slot they need (no deadlock, even with ``max_workers=1``).

    Args:
        max_workers: Most units in flight at once (when no executor is given).
        executor: Any ``concurrent.futures.Executor`` that runs units in this process (a
            thread pool); the caller owns its lifetime. Process-based and distributed
            executors take picklable tasks instead (see :meth:`distribute`).
        classifiers: Provider-specific exception classifiers, tried in order.
        secrets: Strings to mask in gap messages (credentials the caller passed in).
        progress: Called with ``(done, total, scope)`` after each unit; ``done`` and
            ``total`` count the units of ``scope.provider`` over every run so far.
        unit_context: Each unit runs inside ``unit_context(str(scope), True)`` when given
            (the evidence recorder files what the unit reads under its scope), a discovery
            step (:meth:`evidence`) inside ``unit_context(str(scope), False)`` (filed, and
            never searched for the resources' records).
        cancel: Set it to stop the run: units not started yet become ``Cancelled`` gaps.
        deadline: A :func:`time.monotonic` instant; from then on the run is cancelled.

    Attributes:
        running: The units running now (a stopped audit names those it abandons).
        clock: When the run stops (:attr:`deadline` or :attr:`cancel`).
    """

    max_workers: int = 16
    executor: Executor | None = None
    classifiers: list[Classifier] = field(default_factory=list)
    secrets: tuple[str, ...] = ()
    progress: Callable[[int, int, Scope], None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    deadline: float | None = None
    unit_context: Callable[[str, bool], AbstractContextManager[None]] | None = None
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _helpers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _slots: Slots = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    _counts: _Counts = field(default_factory=_Counts, init=False, repr=False)
    running: Running = field(default_factory=Running, init=False, repr=False)
    clock: StopClock = field(init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = Slots(self.max_workers)
        self.clock = StopClock(self.cancel, self.deadline)

    @property
    def cancelled(self) -> bool:
        """True once :attr:`cancel` is set or the :attr:`deadline` has passed."""
        return self.clock.stopped()

    def gap(self, scope: Scope, exc: BaseException, code: str | None = None) -> CoverageGap:
        """Build a coverage gap for ``scope`` from an exception."""
        found: tuple[str, str] | None = None
        for classify in (classify_own, *self.classifiers):
            found = classify(exc)
            if found is not None:
                break
        err_code, message = found or default_classifier(exc)
        return make_gap(scope, code or err_code, redact(with_call(exc, message), self.secrets))

    def add_secrets(self, *secrets: str) -> None:
        """Mask these strings too in every later gap message (thread-safe)."""
        with self._lock:
            self.secrets = tuple(dict.fromkeys((*self.secrets, *(s for s in secrets if s))))

    def evidence(self, scope: Scope) -> AbstractContextManager[None]:
        """Record the answers read in the body as ``scope``'s (see :meth:`Work.evidence`)."""
        # not linked: no resource is read from what discovery reads, so resources are never
        # searched for in it (an organization's account list, an aggregator's source status)
        return nullcontext() if self.unit_context is None else self.unit_context(str(scope), False)

    def guard(self, unit: Unit) -> Outcome:
        """Run one unit; any exception becomes a gap for its scope."""
        if self.cancelled:
            return Outcome(unit.scope, gap=make_gap(unit.scope, CANCELLED, _NOT_REACHED))
        sink = DetailSink(functools.partial(self._detail_gap, unit.scope))
        try:
            recording = (
                nullcontext()
                if self.unit_context is None
                else self.unit_context(str(unit.scope), True)
            )
            with collecting(sink), recording, self.running.unit(unit.scope):
                resources = unit.run()  # evidence: what the unit reads is its scope's
        except Exception as exc:  # noqa: BLE001 - the one place failures become coverage gaps
            return Outcome(unit.scope, gap=self.gap(unit.scope, exc), details=tuple(sink.gaps))
        s = unit.scope
        record = ScopeRecord(
            provider=s.provider,
            scope=str(s),
            account=s.account,
            region=s.region,
            service=s.service,
            resources=len(resources),
            method=unit.method,
        )
        # A unit's own list is kept as it is: copying it would cost a pass over it and, while
        # the copy is young, the collector's scans of a second container as large.
        kept = resources if type(resources) in (list, tuple) else tuple(resources)
        return Outcome(s, resources=kept, audited=record, details=tuple(sink.gaps))

    def _detail_gap(
        self, scope: Scope, exc: BaseException, what: str, target: str
    ) -> CoverageGap | None:
        """The gap of a failed secondary call, or ``None`` when no classifier knows the error."""
        for classify in (classify_own, *self.classifiers):
            found = classify(exc)
            if found is not None:
                code, message = found
                gap = make_gap(scope, code, redact(f"{what}: {message}", self.secrets))
                return gap.model_copy(update={"target": target})
        return None

    def _in_slot(self, unit: Unit) -> Outcome:
        """Run a unit on a pool thread, holding a slot; nested runs stay inline."""
        with self._slots:
            self._local.in_slot = True
            try:
                return self.guard(unit)
            finally:
                self._local.in_slot = False

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply ``fn`` to every item concurrently, within the shared bound; keep the order.

        Each item runs on a helper thread holding one slot. Called from a unit, the unit
        gives its slot back while it waits and takes one again before it goes on, so the
        items use the slots the unit would hold. Called from an item (a nested ``map``), the
        items run inline in that item's slot. The first exception of an item is raised once
        the items already started have finished; items not started are dropped.

        Args:
            fn: Called once per item (one or a few API calls).
            items: The items.

        Returns:
            ``fn(item)`` for every item, in the order of ``items``.
        """
        todo = list(items)
        if self._closed:  # a provider left behind by a stopped audit: start nothing more
            raise RuntimeError("the audit has stopped")
        if len(todo) <= 1 or getattr(self._local, "helper", False):
            return [fn(item) for item in todo]
        pool = self._helper_pool()
        holding = getattr(self._local, "in_slot", False)
        if holding:
            self._slots.release()
        try:
            # each item sees the calling unit's context (its detail-gap sink, its evidence)
            futures = [
                pool.submit(contextvars.copy_context().run, self._helper, fn, item) for item in todo
            ]
            try:
                return [f.result() for f in futures]
            finally:
                for f in futures:
                    f.cancel()
                wait(futures)
        finally:
            if holding:
                self._slots.acquire(urgent=True)

    def _helper(self, fn: Callable[[T], R], item: T) -> R:
        """Run one item of :meth:`map` in a slot; nested runs and maps stay inline.

        Items (and the unit that waits for them) take their slot before any unit not started
        yet (:class:`~cloudaudit.providers._slots.Slots`): started work finishes first.
        """
        self._slots.acquire(urgent=True)
        try:
            self._local.in_slot = self._local.helper = True
            try:
                return fn(item)
            finally:
                self._local.in_slot = self._local.helper = False
        finally:
            self._slots.release()

    def _helper_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._helpers is None:
                self._helpers = ThreadPoolExecutor(
                    max_workers=max(1, self.max_workers), thread_name_prefix="cloudaudit-map"
                )
            return self._helpers

    def pool(self) -> Executor:
        """The executor units run on: the given one, or the shared pool of ``max_workers``."""
        if self.executor is not None:
            return self.executor
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=max(1, self.max_workers), thread_name_prefix="cloudaudit"
                )
            return self._pool

    def close(self, *, wait_for_running: bool = True) -> None:
        """Shut the shared pool down (an executor given by the caller is left alone).

        Units still running are waited for, unless the run was stopped or ``wait_for_running``
        is false: then they are left to end on their own (their calls are bounded by the
        providers' timeouts) and nothing new starts.
        """
        wait_all = wait_for_running and not self.cancelled
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:  # first the units, which may still wait on their helpers
            pool.shutdown(wait=wait_all, cancel_futures=True)
        with self._lock:
            helpers, self._helpers = self._helpers, None
        if helpers is not None:
            helpers.shutdown(wait=wait_all, cancel_futures=True)

    def __enter__(self) -> FanOut:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:  # Ctrl-C or a failure: stop now, do not wait for hung calls
            self.cancel.set()
        self.close(wait_for_running=exc_type is None)

    def run(self, units: Iterable[Unit]) -> Iterator[Outcome]:
        """Run ``units`` concurrently under the shared bound; yield outcomes as they complete.

        At most ``2 * max_workers`` units of this run are submitted and not yet read, so a
        slow consumer (a streaming writer) holds back the listing instead of buffering it.
        """
        todo = list(units)
        if not todo:
            return
        if self._closed:  # left behind by a stopped audit: nothing more starts
            for unit in todo:
                yield Outcome(unit.scope, gap=make_gap(unit.scope, CANCELLED, _NOT_REACHED))
            return
        for provider, n in Counter(u.scope.provider for u in todo).items():
            self._counts.add(provider, n)
        if getattr(self._local, "in_slot", False):
            for unit in todo:  # nested in a unit: already holds a slot, run inline
                outcome = self.guard(unit)
                self._counts.finish(unit.scope, self.progress)
                yield outcome
            return
        submit = self.guard if self.executor is not None else self._in_slot
        pool = self.pool()
        todo.reverse()
        window = 2 * max(1, self.max_workers)  # finished outcomes never pile up unread
        running: dict[Future[Outcome], Unit] = {}
        # Each future puts itself here when it is done: one C call per unit, where waiting
        # with concurrent.futures.wait takes and drops the lock of every future in flight.
        finished: queue.SimpleQueue[Future[Outcome]] = queue.SimpleQueue()
        try:
            while todo or running:
                while todo and len(running) < window:
                    unit = todo.pop()
                    fut = pool.submit(submit, unit)
                    running[fut] = unit
                    fut.add_done_callback(finished.put)
                fut = finished.get()
                unit = running.pop(fut)
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - executor failure (a lost worker)
                    outcome = Outcome(unit.scope, gap=self.gap(unit.scope, exc))
                self._counts.finish(unit.scope, self.progress)
                yield outcome
        finally:
            for fut in running:  # the consumer stopped early: drop what has not started
                fut.cancel()

    def distribute(
        self, executor: Executor, tasks: Sequence[Task[T]], *, max_in_flight: int | None = None
    ) -> Iterator[tuple[Task[T], T | None, CoverageGap | None]]:
        """Run picklable ``tasks`` on any executor (processes, Dask, Ray); yield as they finish.

        At most ``max_in_flight`` tasks are submitted at once (all of them when ``None``). A
        task that raises, or that the executor loses or cannot serialise, yields a gap for
        its scope instead of a result.
        """
        pending = list(tasks)
        pending.reverse()
        if not pending:
            return
        for t in pending:
            self._counts.add(t.scope.provider, 1)
        window = max(1, max_in_flight or len(pending))
        running: dict[Future[T], Task[T]] = {}
        try:
            while pending or running:
                while pending and len(running) < window and not self.cancelled:
                    task = pending.pop()
                    fut = self._submit(executor, task)
                    if isinstance(fut, CoverageGap):
                        yield task, None, fut
                    else:
                        running[fut] = task
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = running.pop(fut)
                    yield self._settle(task, fut)
            for task in reversed(pending):  # cancelled before submission
                gap = make_gap(task.scope, CANCELLED, _NOT_REACHED)
                self._counts.finish(task.scope, self.progress)
                yield task, None, gap
        finally:
            for fut in running:
                fut.cancel()

    def _submit(self, executor: Executor, task: Task[T]) -> Future[T] | CoverageGap:
        try:
            return executor.submit(task)
        except Exception as exc:  # noqa: BLE001 - e.g. the task cannot be serialised: a gap
            self._counts.finish(task.scope, self.progress)
            return self.gap(task.scope, exc)

    def _settle(
        self, task: Task[T], fut: Future[T]
    ) -> tuple[Task[T], T | None, CoverageGap | None]:
        try:
            result = fut.result()
        except Exception as exc:  # noqa: BLE001 - a task or its executor failed: a gap, not silence
            self._counts.finish(task.scope, self.progress)
            return task, None, self.gap(task.scope, exc)
        self._counts.finish(task.scope, self.progress)
        return task, result, None
