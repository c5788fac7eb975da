"""The ``cloudaudit`` console script and ``python -m cloudaudit``.

``cloudaudit --version`` is answered here, before the command line is built: building it
imports click, pydantic, the formats and the policy engine (about half a second), which a
version check does not need. Every other invocation goes to :func:`cloudaudit.cli.main`.

The command is a short-lived process that builds a large, long-lived heap (the imported
modules, then botocore's service models: hundreds of thousands of dicts) and then allocates
many small short-lived objects (API answers, resources). With CPython's default collector
thresholds every full collection walks that whole heap again: 0.4-0.6 s of the 3-4 s of
CPU an AWS audit of four services over 34 regions costs. The console script therefore
freezes the heap it has after its imports (:func:`gc.freeze`: later collections skip it)
and collects the youngest generation every 50,000 allocations instead of 700: cyclic
garbage is still collected, about 0.1 s of collection remains, and the peak memory of that
audit is unchanged (measured in docs/benchmarks/aws.md). The library itself (``import
cloudaudit``) leaves the collector of its host process alone.
"""

from __future__ import annotations

import gc
import os
import sys
import threading

from cloudaudit._version import __version__

__all__ = ["run"]

VERSION_LINE = f"cloudaudit, version {__version__}"
"""What ``--version`` prints (the same line as click's ``version_option``)."""

GC_THRESHOLDS = (50_000, 20, 20)
"""The collector's thresholds for the command's process (CPython's default: 700, 10, 10)."""


def run() -> None:
    """Run the command line with ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        print(VERSION_LINE)  # noqa: T201 - the command's output
        return
    gc.set_threshold(*GC_THRESHOLDS)
    from cloudaudit.cli import main

    gc.freeze()  # the imported modules live as long as the process: no collection walks them
    try:
        main()
    except SystemExit as exc:
        _leave_now_if_stuck(exc.code)
        raise


def _leave_now_if_stuck(code: object) -> None:
    """Exit at once when calls the audit abandoned would hold the interpreter's exit.

    A deadline or a Ctrl-C leaves calls to a silent endpoint running on worker threads (each
    bounded only by its timeouts, a minute or more); Python would wait for them before
    exiting. The report is written by then, so the process ends now, with its exit code.
    """
    main = threading.main_thread()
    # the pools' threads are joined at exit even when daemonic (concurrent.futures does)
    waited = [t for t in threading.enumerate() if not t.daemon or t.name.startswith("cloudaudit")]
    if not any(t is not main and t.is_alive() for t in waited):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
