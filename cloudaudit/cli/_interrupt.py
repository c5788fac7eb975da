"""``--partial-on-interrupt``: the first Ctrl-C stops the audit and writes what it has.

Without it, Ctrl-C ends the command at once with exit code 130 and writes nothing (no report,
no temporary file). With it, the first Ctrl-C stops the audit the way a deadline does: units
not started become ``Cancelled`` gaps, calls still running a second later are abandoned with
gaps naming them, each provider still running gets an ``Interrupted`` gap saying the report
is incomplete, and the report is written as asked; the exit code is still 130. A second
Ctrl-C ends the command at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

__all__ = ["interrupt_stops"]


@contextmanager
def interrupt_stops(enabled: bool) -> Iterator[threading.Event | None]:
    """While inside, the first Ctrl-C sets the yielded event instead of interrupting.

    Yields ``None`` (Ctrl-C interrupts as usual) when not ``enabled`` or off the main thread
    (only the main thread may install a signal handler).
    """
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield None
        return
    event = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def first(_signum: int, _frame: FrameType | None) -> None:
        event.set()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once
        click.echo("interrupted: stopping, then writing the partial report", err=True)

    signal.signal(signal.SIGINT, first)
    try:
        yield event
    finally:
        signal.signal(signal.SIGINT, previous)
