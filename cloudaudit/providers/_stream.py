"""Merging the providers' streams: each provider's batches on its own thread, one consumer.

:func:`guard_iter` turns a provider that fails as a whole into one coverage gap;
:func:`interleave` drains several providers at once with bounded buffering.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from cloudaudit.errors import ProviderUnavailable
from cloudaudit.models import CoverageGap
from cloudaudit.providers._work import Scope, Work

__all__ = ["guard_iter", "interleave"]

T = TypeVar("T")


def guard_iter(
    work: Work, scope: Scope, produce: Callable[[], Iterable[T]]
) -> Iterator[T | CoverageGap]:
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
        yield work.gap(scope, exc)


def interleave(
    sources: Sequence[Callable[[], Iterable[T]]],
    *,
    max_parallel: int | None = None,
    buffer: int = 8,
    stop_when: Callable[[], bool] | None = None,
) -> Iterator[T]:
    """Drain several iterables on their own threads; yield items as they arrive.

    At most ``max_parallel`` sources are drained at once (all when ``None``). At most
    ``buffer`` items wait in a queue, so a slow consumer slows the producers down instead of
    growing memory. A source that raises re-raises in the consumer (wrap sources with
    :func:`guard_iter` to turn failures into gaps). If the consumer stops early, the
    producers stop too.

    With ``stop_when``, the consumer checks it at least every :data:`POLL_SECONDS`: once it is
    true, the items already queued are yielded and the iterator ends, whether or not every
    source has finished (a source stuck in a call is left behind on its daemon thread).
    """
    if not sources:
        return
    # Two C queues, no Python-level lock: the items, and one token per free place in the
    # buffer (a producer takes one before it puts an item, the consumer gives it back after).
    # Nobody waits on either with a timeout: CPython 3.11's SimpleQueue.get(timeout=...) waits
    # for ever once a signal handler outlasts the time left (Ctrl-C while the consumer polls).
    # A consumer that must poll waits on a doorbell lock instead, rung after each put.
    out: queue.SimpleQueue[tuple[int, object]] = queue.SimpleQueue()
    room: queue.SimpleQueue[None] = queue.SimpleQueue()
    for _ in range(max(1, buffer)):
        room.put(None)
    todo: queue.SimpleQueue[Callable[[], Iterable[T]]] = queue.SimpleQueue()
    for src in sources:
        todo.put(src)
    stop = threading.Event()
    bell = threading.Lock()  # held by a polling consumer while it waits; a put releases it
    n = max(1, min(max_parallel or len(sources), len(sources)))

    def put(kind: int, item: object) -> bool:
        if stop.is_set():
            return False
        room.get()  # a place in the buffer; the consumer gives every producer one when it stops
        if stop.is_set():
            return False
        out.put((kind, item))
        _ring(bell)
        return True

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
    take = out.get if stop_when is None else _until(out, stop_when, bell)
    give_back = room.put
    try:
        while remaining:
            got = take()
            if got is None:
                break
            give_back(None)
            kind, item = got
            if kind == _DONE:
                remaining -= 1
            elif kind == _ERROR:
                raise item  # type: ignore[misc]
            else:
                yield item  # type: ignore[misc]
    finally:
        stop.set()  # producers still inside a source stop at their next item
        for _ in threads:
            give_back(None)  # and those waiting for room wake up to see it


_ITEM, _ERROR, _DONE = 0, 1, 2

POLL_SECONDS = 0.1
"""How often a consumer with a ``stop`` condition checks it while nothing arrives."""


def _ring(bell: threading.Lock) -> None:
    """Wake a consumer waiting on ``bell`` (it holds the lock while it waits)."""
    if bell.locked():
        with contextlib.suppress(RuntimeError):  # another producer rang it first
            bell.release()


def _until(
    out: queue.SimpleQueue[tuple[int, object]], stop: Callable[[], bool], bell: threading.Lock
) -> Callable[[], tuple[int, object] | None]:
    """``out.get`` that returns ``None`` once ``stop()`` holds and nothing is queued.

    Between checks it waits on ``bell`` (a lock's timed acquire survives signal handlers,
    unlike ``SimpleQueue.get``'s on CPython 3.11): it holds the lock, checks the queue once
    more, and waits for a producer to release it after a put, or for :data:`POLL_SECONDS`.
    """

    def take() -> tuple[int, object] | None:
        while True:
            if stop():
                try:
                    return out.get_nowait()
                except queue.Empty:
                    return None
            try:
                return out.get_nowait()  # the usual case when the consumer is the slower
            except queue.Empty:
                pass
            bell.acquire(blocking=False)  # armed: a put from now on releases it
            try:
                return out.get_nowait()  # put before the bell was armed
            except queue.Empty:
                pass
            bell.acquire(timeout=POLL_SECONDS)

    return take
