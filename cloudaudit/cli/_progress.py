"""Progress for logs: a plain line every few seconds when stderr is not a terminal.

A CI job or a cron mail has no progress bar, and a long audit would look hung. Every
``interval`` seconds (``CLOUDAUDIT_PROGRESS_SECONDS``, default 5; at most one line per
interval, none for an audit that ends sooner) one line says how far each provider got.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import click

__all__ = ["LineProgress", "interval"]

DEFAULT_INTERVAL = 5.0


def interval() -> float:
    """Seconds between two progress lines (``CLOUDAUDIT_PROGRESS_SECONDS``, default 5)."""
    try:
        return max(0.0, float(os.environ.get("CLOUDAUDIT_PROGRESS_SECONDS", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


class LineProgress:
    """A progress callback ``(done, total, scope)`` that logs a line every ``every`` seconds.

    Safe to call from the fan-out's worker threads.
    """

    def __init__(
        self, every: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._every = interval() if every is None else every
        self._clock = clock
        self._start = clock()
        self._last = self._start
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def __call__(self, done: int, total: int, scope: Any) -> None:
        provider = str(getattr(scope, "provider", scope))
        with self._lock:
            self._counts[provider] = (done, total)
            now = self._clock()
            if now - self._last < self._every:
                return
            self._last = now
            parts = ", ".join(f"{p} {d}/{t}" for p, (d, t) in sorted(self._counts.items()))
        click.echo(f"progress: {now - self._start:.0f}s, units done: {parts}", err=True)
