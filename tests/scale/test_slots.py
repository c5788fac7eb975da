"""The fan-out's slots: started work (map items, a unit taking its slot back) goes first."""

from __future__ import annotations

import threading
import time

from cloudaudit.providers._slots import Slots


def _until(cond: object, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.001)


def test_a_released_slot_goes_to_the_urgent_taker_that_came_later() -> None:
    slots = Slots(1)
    slots.acquire()
    order: list[str] = []

    def take(name: str, urgent: bool) -> None:
        slots.acquire(urgent=urgent)
        order.append(name)
        slots.release()

    normal = threading.Thread(target=take, args=("unit", False))
    normal.start()
    _until(lambda: slots.waiting() == (0, 1))
    urgent = threading.Thread(target=take, args=("item", True))
    urgent.start()
    _until(lambda: slots.waiting() == (1, 1))
    slots.release()
    normal.join(10)
    urgent.join(10)
    assert order == ["item", "unit"]


def test_the_bound_holds_with_both_kinds_of_takers() -> None:
    slots = Slots(3)
    held = 0
    most = 0
    lock = threading.Lock()

    def take(urgent: bool) -> None:
        nonlocal held, most
        for _ in range(50):
            slots.acquire(urgent=urgent)
            with lock:
                held += 1
                most = max(most, held)
            time.sleep(0.0005)
            with lock:
                held -= 1
            slots.release()

    threads = [threading.Thread(target=take, args=(i % 2 == 0,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most == 3
    assert slots.waiting() == (0, 0)
