"""The slots of a fan-out: a bounded count where work already started goes first."""

from __future__ import annotations

import threading

__all__ = ["Slots"]


class Slots:
    """``n`` slots; a waiting *urgent* taker (started work) is served before any other.

    A unit that hands its per-item calls to ``FanOut.map`` (S3's per-bucket lookups) gives
    its slot back while the items run; the items, and the unit when it takes a slot again,
    are work that has already started. With a plain semaphore they wait on the same footing
    as the units still queued, and a pool thread that has just released a slot usually takes
    it back for its next unit at once: the items of the one unit that has them then run
    nearly one at a time, behind every other unit, and finish last. Here a released slot
    goes to an urgent taker whenever one waits; the bound itself is unchanged.

    Args:
        n: Number of slots (at least 1).
    """

    def __init__(self, n: int) -> None:
        self._free = max(1, n)
        self._lock = threading.Lock()
        self._urgent_turn = threading.Condition(self._lock)
        self._normal_turn = threading.Condition(self._lock)
        self._urgent_waiting = 0
        self._normal_waiting = 0

    def acquire(self, urgent: bool = False) -> None:
        """Take a slot, waiting for one; an urgent taker goes before every waiting one."""
        with self._lock:
            if urgent:
                self._urgent_waiting += 1
                try:
                    while not self._free:
                        self._urgent_turn.wait()
                finally:
                    self._urgent_waiting -= 1
            else:
                self._normal_waiting += 1
                try:
                    while not self._free or self._urgent_waiting:
                        self._normal_turn.wait()
                finally:
                    self._normal_waiting -= 1
            self._free -= 1
            self._wake()

    def release(self) -> None:
        """Give a slot back and wake the next taker (an urgent one first)."""
        with self._lock:
            self._free += 1
            self._wake()

    def free(self) -> int:
        """Slots nobody holds now."""
        with self._lock:
            return self._free

    def waiting(self) -> tuple[int, int]:
        """``(urgent, other)`` takers waiting now."""
        with self._lock:
            return self._urgent_waiting, self._normal_waiting

    def _wake(self) -> None:
        if not self._free:
            return
        if self._urgent_waiting:
            self._urgent_turn.notify()
        elif self._normal_waiting:  # nobody waiting (the usual case): no notify to pay for
            self._normal_turn.notify()

    def __enter__(self) -> Slots:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
