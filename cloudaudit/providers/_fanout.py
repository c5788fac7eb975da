"""Bounded concurrent fan-out that turns a failing unit of work into a coverage gap.

This module holds the one broad ``except`` of cloudaudit: a unit (one account × region ×
service, say) that raises anything becomes a :class:`~cloudaudit.models.CoverageGap` carrying
the error code, and the audit goes on. "Could not look" is never silently "nothing there".
"""

from __future__ import annotations

import contextvars
import functools
import queue
import re
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
from typing import Protocol, TypeVar

from cloudaudit.errors import ProviderUnavailable
from cloudaudit.models import CoverageGap, Resource, ScopeRecord
from cloudaudit.providers._detail import DetailSink, collecting

__all__ = [
    "Classifier",
    "FanOut",
    "Outcome",
    "Scope",
    "Task",
    "Unit",
    "default_classifier",
    "interleave",
    "redact",
]

T = TypeVar("T")
R = TypeVar("R")
T_co = TypeVar("T_co", covariant=True)

Classifier = Callable[[BaseException], tuple[str, str] | None]
"""**Protocol:** map an exception to ``(error_code, message)``, or ``None`` if not recognised."""

_ACCESS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|LTAI)[A-Za-z0-9]{12,28}(?![A-Za-z0-9])"
)
_KEY_VALUE = re.compile(
    r"(?i)\b(secret|token|password|signature|credential|sig|key)(=|\"?:\s*\"?)([^&\s\",]+)"
)
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|x-amz-security-token)(:\s*|=)([^\r\n]+)")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}")
_GOOGLE_TOKEN = re.compile(r"\bya29\.[A-Za-z0-9._-]+")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credentials in ``text``: known secrets, access key ids, tokens and signatures."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _PEM.sub("***", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _GOOGLE_TOKEN.sub("***", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _ACCESS_KEY.sub("***", text)


@dataclass(frozen=True)
class Scope:
    """What one unit of work covers: provider, account, region and service (each optional)."""

    provider: str
    account: str | None = None
    region: str | None = None
    service: str | None = None

    def __str__(self) -> str:
        parts = [self.provider, self.account or "*", self.region or "*", self.service or "*"]
        return "/".join(parts)


@dataclass(frozen=True)
class Unit:
    """One unit of work: a scope and a function that lists its resources."""

    scope: Scope
    run: Callable[[], Sequence[Resource]]
    method: str = "api"


@dataclass(frozen=True)
class Outcome:
    """The result of one unit: resources and an audited record, or a gap.

    ``details`` holds the gaps of failed secondary calls (see
    :func:`~cloudaudit.providers._detail.lookup`) of a unit that was still audited.
    """

    scope: Scope
    resources: Sequence[Resource] = ()
    audited: ScopeRecord | None = None
    gap: CoverageGap | None = None
    details: tuple[CoverageGap, ...] = ()

    @property
    def gaps(self) -> tuple[CoverageGap, ...]:
        """Every gap of the unit: its own (if it failed) and those of its detail lookups."""
        return ((self.gap,) if self.gap is not None else ()) + self.details


class Task(Protocol[T_co]):
    """**Protocol:** a picklable unit of work for process-based or distributed executors.

    Unlike a :class:`Unit`, a task holds no live client, session or lock: it is a plain
    description (a dataclass) that builds what it needs where it runs, and returns plain,
    picklable results.
    """

    @property
    def scope(self) -> Scope:
        """What the task covers (for gaps and progress)."""
        ...

    def __call__(self) -> T_co:
        """Do the work (in a worker process or on a remote machine) and return the result."""
        ...


def default_classifier(exc: BaseException) -> tuple[str, str]:
    """Fallback classification: the exception's class name and its message."""
    return type(exc).__name__, str(exc) or type(exc).__name__


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
        unit_context: Each unit runs inside ``unit_context(str(scope))`` when given (the
            evidence recorder files what the unit reads under its scope).
    """

    max_workers: int = 16
    executor: Executor | None = None
    classifiers: list[Classifier] = field(default_factory=list)
    secrets: tuple[str, ...] = ()
    progress: Callable[[int, int, Scope], None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    unit_context: Callable[[str], AbstractContextManager[None]] | None = None
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _helpers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _slots: threading.Semaphore = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    _counts: _Counts = field(default_factory=_Counts, init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(max(1, self.max_workers))

    def gap(self, scope: Scope, exc: BaseException, code: str | None = None) -> CoverageGap:
        """Build a coverage gap for ``scope`` from an exception."""
        found: tuple[str, str] | None = None
        for classify in self.classifiers:
            found = classify(exc)
            if found is not None:
                break
        err_code, message = found or default_classifier(exc)
        return make_gap(scope, code or err_code, redact(message, self.secrets))

    def add_secrets(self, *secrets: str) -> None:
        """Mask these strings too in every later gap message (thread-safe)."""
        with self._lock:
            self.secrets = tuple(dict.fromkeys((*self.secrets, *(s for s in secrets if s))))

    def guard(self, unit: Unit) -> Outcome:
        """Run one unit; any exception becomes a gap for its scope."""
        if self.cancel.is_set():
            return Outcome(
                unit.scope,
                gap=make_gap(unit.scope, "Cancelled", "the audit stopped before this scope ran"),
            )
        sink = DetailSink(functools.partial(self._detail_gap, unit.scope))
        try:
            recording = (
                nullcontext() if self.unit_context is None else self.unit_context(str(unit.scope))
            )
            with collecting(sink), recording:  # evidence: what the unit reads is its scope's
                resources = unit.run()
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
        return Outcome(s, resources=tuple(resources), audited=record, details=tuple(sink.gaps))

    def _detail_gap(
        self, scope: Scope, exc: BaseException, what: str, target: str
    ) -> CoverageGap | None:
        """The gap of a failed secondary call, or ``None`` when no classifier knows the error."""
        for classify in self.classifiers:
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
                self._slots.acquire()

    def _helper(self, fn: Callable[[T], R], item: T) -> R:
        """Run one item of :meth:`map` in a slot; nested runs and maps stay inline."""
        with self._slots:
            self._local.in_slot = self._local.helper = True
            try:
                return fn(item)
            finally:
                self._local.in_slot = self._local.helper = False

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

    def close(self) -> None:
        """Shut the shared pool down (an executor given by the caller is left alone)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:  # first the units, which may still wait on their helpers
            pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            helpers, self._helpers = self._helpers, None
        if helpers is not None:
            helpers.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> FanOut:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def run(self, units: Iterable[Unit]) -> Iterator[Outcome]:
        """Run ``units`` concurrently under the shared bound; yield outcomes as they complete.

        At most ``2 * max_workers`` units of this run are submitted and not yet read, so a
        slow consumer (a streaming writer) holds back the listing instead of buffering it.
        """
        todo = list(units)
        if not todo:
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
        try:
            while todo or running:
                while todo and len(running) < window:
                    unit = todo.pop()
                    running[pool.submit(submit, unit)] = unit
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
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
                while pending and len(running) < window and not self.cancel.is_set():
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
                gap = make_gap(task.scope, "Cancelled", "the audit stopped before this scope ran")
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


def make_gap(scope: Scope, code: str, message: str) -> CoverageGap:
    """Build a :class:`CoverageGap` for a scope."""
    return CoverageGap(
        provider=scope.provider,
        scope=str(scope),
        code=code,
        message=message,
        account=scope.account,
        region=scope.region,
        service=scope.service,
    )


def guard_iter(
    fanout: FanOut, scope: Scope, produce: Callable[[], Iterable[object]]
) -> Iterator[object | CoverageGap]:
    """Iterate ``produce()``; if it raises, yield one gap for ``scope`` and stop.

    Used by ``audit`` around each provider's ``collect`` so that a provider that fails as a
    whole (no credentials, discovery denied) becomes a gap and the other providers go on. A
    missing SDK extra (:class:`ProviderUnavailable`) is re-raised: the caller must install it.
    """
    try:
        yield from produce()
    except ProviderUnavailable:
        raise  # a missing extra is the caller's to fix, not an audit that saw nothing
    except Exception as exc:  # noqa: BLE001 - a provider failing as a whole becomes one gap
        yield fanout.gap(scope, exc)


def interleave(
    sources: Sequence[Callable[[], Iterable[T]]],
    *,
    max_parallel: int | None = None,
    buffer: int = 8,
) -> Iterator[T]:
    """Drain several iterables on their own threads; yield items as they arrive.

    At most ``max_parallel`` sources are drained at once (all when ``None``). At most
    ``buffer`` items wait in a queue, so a slow consumer slows the producers down instead of
    growing memory. A
    source that raises re-raises in the consumer (wrap sources with :func:`guard_iter` to
    turn failures into gaps). If the consumer stops early, the producers stop too.
    """
    if not sources:
        return
    out: queue.Queue[tuple[int, object]] = queue.Queue(maxsize=max(1, buffer))
    todo: queue.SimpleQueue[Callable[[], Iterable[T]]] = queue.SimpleQueue()
    for src in sources:
        todo.put(src)
    stop = threading.Event()
    n = max(1, min(max_parallel or len(sources), len(sources)))

    def put(kind: int, item: object) -> bool:
        while not stop.is_set():
            try:
                out.put((kind, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def drain() -> None:
        try:
            while not stop.is_set():
                try:
                    src = todo.get_nowait()
                except queue.Empty:
                    break
                for item in src():
                    if not put(_ITEM, item):
                        return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, who re-raises it
            put(_ERROR, exc)
        finally:
            put(_DONE, None)

    threads = [threading.Thread(target=drain, daemon=True, name="cloudaudit-src") for _ in range(n)]
    for t in threads:
        t.start()
    remaining = n
    try:
        while remaining:
            kind, item = out.get()
            if kind == _DONE:
                remaining -= 1
            elif kind == _ERROR:
                raise item  # type: ignore[misc]
            else:
                yield item  # type: ignore[misc]
    finally:
        stop.set()  # producers still inside a source stop at their next item


_ITEM, _ERROR, _DONE = 0, 1, 2
