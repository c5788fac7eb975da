"""Benchmark: the fan-out's own CPU cost per unit of work, with nothing to list.

Runs ``--units`` units that return at once, first through ``FanOut.run`` alone (submitting,
slots, the unit's guard and scope record, picking up each outcome), then through
``audit_iter`` with one provider whose units each list a few resources of the ``declared``
estate (benchmarks/_estate.py): the fan-out plus the provider's thread, the hand-off of each
batch, the dedupe set and the engine's per-batch work. Prints the CPU microseconds per unit
(``time.process_time``, every thread of the process), the minimum of ``--repeat`` runs.

An audit's units wait on the network for far longer than this; the figure is what each
costs in CPU on top (an AWS organization has about 15 units per account and region set).

Usage:
    python benchmarks/fanout.py --units 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import time
from collections import deque

from _estate import UnitProvider, declared

from cloudaudit import audit_iter, load_policy
from cloudaudit.providers import FanOut, Scope, Unit


def fanout_run(n: int) -> float:
    """CPU microseconds per unit of ``FanOut.run`` over ``n`` empty units."""
    units = [Unit(scope=Scope("p", "a", f"r{i % 30}", "s"), run=tuple) for i in range(n)]
    cpu = time.process_time()
    with FanOut(max_workers=16) as fan:
        deque(fan.run(units), maxlen=0)
    return (time.process_time() - cpu) / n * 1e6


def streamed(resources: int) -> tuple[float, int]:
    """CPU microseconds per unit of ``audit_iter`` over the estate, and the number of units."""
    provider = UnitProvider(declared(resources))
    units = len(provider._units)
    policy = load_policy("us-foreign-adversaries")
    cpu = time.process_time()
    deque(audit_iter(provider, policy), maxlen=0)
    return (time.process_time() - cpu) / units * 1e6, units


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=20000, help="empty units for FanOut.run")
    ap.add_argument("--resources", type=int, default=20000, help="resources of the estate")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    runs = [fanout_run(args.units) for _ in range(args.repeat)]
    streams = [streamed(args.resources) for _ in range(args.repeat)]
    print(
        json.dumps(
            {
                "fanout_run_cpu_us_per_unit": round(min(runs), 1),
                "fanout_run_cpu_us_per_unit_all": [round(x, 1) for x in runs],
                "audit_iter_units": streams[0][1],
                "audit_iter_cpu_us_per_unit": round(min(s[0] for s in streams), 1),
                "audit_iter_cpu_us_per_unit_all": [round(s[0], 1) for s in streams],
            }
        )
    )


if __name__ == "__main__":
    main()
