"""interleave: several sources drained on their own threads into one bounded stream."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator

import pytest

from cloudaudit.providers._stream import POLL_SECONDS, interleave


def _counting(n: int, made: list[int], tag: str) -> Iterator[str]:
    for i in range(n):
        made.append(i)
        yield f"{tag}{i}"


def test_every_item_of_every_source_arrives_in_each_sources_order() -> None:
    made: list[int] = []
    sources = [lambda t=t: _counting(50, made, t) for t in "abc"]
    got = list(interleave(sources, buffer=3))
    assert sorted(got) == sorted(f"{t}{i}" for t in "abc" for i in range(50))
    for t in "abc":
        assert [g for g in got if g[0] == t] == [f"{t}{i}" for i in range(50)]


def test_a_slow_consumer_holds_the_producers_back() -> None:
    """At most ``buffer`` items wait unread; the producer stops before making more."""
    made: list[int] = []
    stream = interleave([lambda: _counting(100, made, "x")], buffer=4)
    assert next(stream) == "x0"
    # x0 was taken and its place given back: four wait in the buffer and one more was made,
    # which waits for room (a producer makes an item before it asks for a place)
    _wait_for(lambda: len(made) >= 6)
    time.sleep(0.3)  # and it goes no further
    assert len(made) == 6
    assert list(stream) == [f"x{i}" for i in range(1, 100)]


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the producer did not get there"
        time.sleep(0.01)


def test_a_source_that_raises_raises_in_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("listing broke")

    with pytest.raises(ValueError, match="listing broke"):
        list(interleave([failing, lambda: iter(range(3))]))


def test_a_consumer_that_stops_early_stops_the_producers() -> None:
    """The producer, blocked on the full buffer, gives up and its source is closed."""
    made: list[int] = []
    closed = threading.Event()

    def source() -> Iterator[str]:
        try:
            yield from _counting(10_000, made, "x")
        finally:
            closed.set()

    stream = interleave([source], buffer=2)
    assert next(stream) == "x0"
    _wait_for(lambda: len(made) >= 4)  # the buffer is full and the producer waits for room
    assert isinstance(stream, Generator)
    stream.close()
    assert closed.wait(5), "the producer went on waiting after the consumer left"
    assert len(made) == 4


def test_stop_when_ends_the_stream_though_a_source_is_stuck() -> None:
    release = threading.Event()

    def stuck() -> Iterator[str]:
        yield "first"
        release.wait(5)  # a call that does not answer
        yield "late"

    stop_at = time.monotonic() + 0.3
    started = time.monotonic()
    got = list(interleave([stuck], stop_when=lambda: time.monotonic() >= stop_at))
    release.set()
    assert got == ["first"]
    assert time.monotonic() - started < 2


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_stop_when_survives_a_signal_handler_slower_than_its_poll() -> None:
    """Ctrl-C while the consumer waits: the handler runs longer than the time left to wait.

    CPython 3.11's ``SimpleQueue.get(timeout=...)`` then waits for ever (the time left is
    negative, which it reads as "no timeout"); ``--partial-on-interrupt`` hung so in CI. Here
    a signal to the main thread runs a handler that asks the stream to stop; a second signal
    five seconds on fails the test instead of hanging it, and the stream must end well before
    that. (SIGUSR1, sent by timers: pytest-timeout keeps SIGALRM.)
    """
    main = threading.main_thread()
    if threading.current_thread() is not main:
        pytest.skip("signal handlers run on the main thread only")
    release = threading.Event()
    stopped = threading.Event()
    calls: list[float] = []

    def handler(_signum: int, _frame: object) -> None:
        calls.append(time.monotonic())
        if len(calls) > 1:
            raise AssertionError("the consumer still waits 5 s after the stop")
        time.sleep(3 * POLL_SECONDS)  # longer than any wait left to the consumer
        stopped.set()

    def signal_main() -> None:
        assert main.ident is not None
        signal.pthread_kill(main.ident, signal.SIGUSR1)

    def stuck() -> Iterator[str]:
        yield "first"
        release.wait(10)  # a call that does not answer

    previous = signal.signal(signal.SIGUSR1, handler)
    timers = [threading.Timer(0.25, signal_main), threading.Timer(5.25, signal_main)]
    try:
        for t in timers:
            t.start()
        got = list(interleave([stuck], stop_when=stopped.is_set))
    finally:
        for t in timers:
            t.cancel()
        signal.signal(signal.SIGUSR1, previous)
        release.set()
    assert got == ["first"]
    assert len(calls) == 1
