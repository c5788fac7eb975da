"""Stopping an audit on time (its deadline, or an interrupt), naming whatever was cut short.

A unit not started when the audit stops is a ``Cancelled`` gap (see :class:`FanOut`). What
is already running (a provider's first calls, such as scope discovery, or a unit waiting on
a silent endpoint) is given :data:`GRACE_SECONDS` to finish; then the audit stops waiting for
it: :func:`drain_until_stopped` returns what arrived, plus a gap for every unit still running,
one for every scope a provider had found and not started yet (:func:`waiting`), and one per
provider still running, naming the call it was making (:func:`phase`). Nothing cut short is
ever silently missing from the report.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

from cloudaudit.models import CoverageGap
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stream import interleave
from cloudaudit.providers._work import CANCELLED, Scope, make_gap

__all__ = [
    "GRACE_SECONDS",
    "INTERRUPTED",
    "Running",
    "StopClock",
    "drain_until_stopped",
    "phase",
    "waiting",
]

GRACE_SECONDS = 1.0
"""How long work already running may go on after the audit is stopped before it is abandoned."""

INTERRUPTED = "Interrupted"
"""Gap code of a provider that was still running when the audit was interrupted (Ctrl-C)."""

_PHASE: ContextVar[list[str] | None] = ContextVar("cloudaudit_phase", default=None)
_WAITING: ContextVar[tuple[list[Waiting], StopClock] | None] = ContextVar(
    "cloudaudit_waiting", default=None
)


@contextmanager
def phase(what: str) -> Iterator[None]:
    """Name the calls a provider makes outside its units while it makes them.

    When the audit stops while a provider is inside ``phase("sts:GetCallerIdentity")``, the
    provider's gap names that call. Outside an audit (no tracking), this does nothing.
    """
    cell = _PHASE.get()
    if cell is None:
        yield
        return
    cell.append(what)
    try:
        yield
    finally:
        cell.pop()


class Waiting:
    """Scopes a provider has found (discovery) and not started yet; see :func:`waiting`."""

    def __init__(self, scopes: Iterable[Scope], clock: StopClock | None = None) -> None:
        self._left = dict.fromkeys(scopes)
        self._clock = clock

    def started(self, scope: Scope) -> None:
        """``scope``'s work has begun: if the audit stops now, its own gaps name it."""
        self._left.pop(scope, None)

    def begin(self, scope: Scope) -> CoverageGap | None:
        """Begin ``scope``'s work, unless the audit has stopped: then return its gap instead.

        A stopped audit starts no new work (no call after the deadline): the scope is not
        audited, and the gap returned (``Cancelled``, "not started") says so. Either way the
        scope is no longer waiting, so it is never named twice.
        """
        self.started(scope)
        if self._clock is None or not self._clock.stopped():
            return None
        return _not_started_gap(scope, self._clock)

    def left(self) -> list[Scope]:
        """The scopes not started yet."""
        return list(self._left.copy())  # one C call: sources start meanwhile


@contextmanager
def waiting(scopes: Iterable[Scope]) -> Iterator[Waiting]:
    """Name the scopes a provider will work on, so that a stopped audit names those not begun.

    An organization lists its accounts, then audits a few at a time: when the audit stops,
    each account not started yet is a ``Cancelled`` gap of its own (not only the provider's
    one gap). Call :meth:`Waiting.started` as each scope begins. Outside an audit (no
    tracking), the names are kept nowhere.
    """
    cell = _WAITING.get()
    if cell is None:
        yield Waiting(scopes)
        return
    pending, clock = cell
    tracked = Waiting(scopes, clock)
    pending.append(tracked)
    try:
        yield tracked
    finally:
        pending.remove(tracked)


class Running:
    """The units running right now (thread-safe), so that a stopped audit can name them."""

    def __init__(self) -> None:
        self._now: dict[int, Scope] = {}
        self._ids = itertools.count()

    def unit(self, scope: Scope) -> AbstractContextManager[None]:
        """Count ``scope`` as running for the duration of the block."""
        return _RunningUnit(self._now, next(self._ids), scope)

    def of(self, provider: str) -> list[Scope]:
        """The scopes of ``provider`` running now."""
        now = self._now.copy()  # one C call: units may start or end meanwhile
        return [s for s in now.values() if s.provider == provider]

    def __bool__(self) -> bool:
        return bool(self._now)


class _RunningUnit:
    """One unit counted as running while its block runs (see :meth:`Running.unit`).

    Each unit has a key of its own, so that adding and removing it are single dictionary
    operations, atomic without a lock.
    """

    __slots__ = ("_key", "_now", "_scope")

    def __init__(self, now: dict[int, Scope], key: int, scope: Scope) -> None:
        self._now, self._key, self._scope = now, key, scope

    def __enter__(self) -> None:
        self._now[self._key] = self._scope

    def __exit__(self, *_: object) -> None:
        self._now.pop(self._key, None)


class StopClock:
    """When an audit stops (deadline or cancel event) and when it stops waiting.

    Args:
        cancel: Set by whoever interrupts the audit (a Ctrl-C handler, another thread).
        deadline: A :func:`time.monotonic` instant, or ``None``.
    """

    def __init__(self, cancel: threading.Event, deadline: float | None) -> None:
        self.cancel = cancel
        self.deadline = deadline
        self.interrupted = False
        self._at: float | None = None

    def stopped(self) -> bool:
        """True once the deadline has passed or the cancel event is set (sets it then)."""
        if self._at is not None:
            return True
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            self._at = self.deadline
            self.cancel.set()
        elif self.cancel.is_set():
            self._at, self.interrupted = now, True
        return self._at is not None

    def give_up(self) -> bool:
        """True once the audit has been stopped for :data:`GRACE_SECONDS`."""
        return self.stopped() and time.monotonic() >= (self._at or 0.0) + GRACE_SECONDS

    @property
    def reason(self) -> str:
        """Why the audit stopped, as a phrase for gap messages."""
        return "the audit was interrupted" if self.interrupted else "the audit's deadline passed"


def _running_gap(scope: Scope, units: int, clock: StopClock) -> CoverageGap:
    if units == 1:
        return make_gap(
            scope, CANCELLED, f"still running when {clock.reason}: what it read is not reported"
        )
    return make_gap(
        scope,
        CANCELLED,
        f"{units} units still running when {clock.reason}: what they read is not reported",
    )


def _not_started_gap(scope: Scope, clock: StopClock) -> CoverageGap:
    message = f"found, but not started when {clock.reason}: it is not audited"
    return make_gap(scope, CANCELLED, message)


def _cut_short(
    name: str,
    doing: Sequence[str],
    running: Sequence[Scope],
    clock: StopClock,
    pending: Sequence[Waiting] = (),
) -> list[CoverageGap]:
    # one gap per scope: the units of one service in one region (EC2 instances, volumes...)
    # share their scope, and identical gaps would read as a duplicate
    gaps = [_running_gap(s, n, clock) for s, n in Counter(running).items()]
    gaps.extend(_not_started_gap(s, clock) for w in pending for s in w.left())
    what = f"calling {doing[-1]}" if doing else "running"
    code = INTERRUPTED if clock.interrupted else CANCELLED
    message = (
        f"{clock.reason} while {name} was still {what}: this report is incomplete, and no "
        f"scope of {name} that is not listed as audited was audited"
    )
    gaps.append(make_gap(Scope(provider=name), code, message))
    return gaps


def drain_until_stopped(
    sources: Sequence[tuple[str, Callable[[], Iterable[Batch]]]],
    clock: StopClock | None,
    running: Running,
) -> Iterator[Batch]:
    """Drain every provider's batches; once stopped, stop waiting and name what was cut short.

    Args:
        sources: ``(provider name, batches)`` per provider.
        clock: The audit's stop clock; ``None``: wait for every provider to finish.
        running: The units running now (see :class:`Running`).
    """
    if clock is None:
        yield from interleave([src for _, src in sources])
        return
    finished: set[int] = set()
    doing: list[list[str]] = [[] for _ in sources]
    pending: list[list[Waiting]] = [[] for _ in sources]

    def tracked(i: int, src: Callable[[], Iterable[Batch]]) -> Callable[[], Iterator[Batch]]:
        def run() -> Iterator[Batch]:
            _PHASE.set(doing[i])  # this source's own thread: what it calls is named here
            _WAITING.set((pending[i], clock))
            yield from src()
            finished.add(i)

        return run

    wrapped = [tracked(i, src) for i, (_, src) in enumerate(sources)]
    yield from interleave(wrapped, stop_when=clock.give_up)
    if not clock.give_up():
        return
    for i, (name, _) in enumerate(sources):
        if i not in finished:
            cut = _cut_short(name, list(doing[i]), running.of(name), clock, list(pending[i]))
            yield Batch(gaps=tuple(cut))
