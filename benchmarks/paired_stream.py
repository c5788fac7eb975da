"""Benchmark: evaluate + materialize against audit_iter, in turn in one process, per resource.

Runs the same inventory (``--estate``, as in evaluate.py) through each path in turn, ``--rounds``
times, so that every path sees the same load: ``evaluate`` with every finding built (the
report's findings iterated once), ``Engine.stream`` alone (the engine's streaming loop over
chunks of 4,096), and ``audit_iter`` (one provider reporting every resource) with and without
the dedupe set. Before each run with the dedupe set the resources get id strings of their
own (equal, new objects), because a string keeps its hash once computed and a streamed
resource's id is new: without this, every round after the first would skip hashing the ids.

Two floors sit beside them: the dedupe set's work done in C (each id added to one set per
provider and account with ``set.update``, the ids new strings, gathered before the clock
starts), and a plain-Python region to country lookup (one dictionary lookup per resource,
the issue's floor).

Prints CPU seconds (``time.process_time``) per path and round, the median, and each round's
audit_iter time against evaluate + materialize's.

Usage:
    python benchmarks/paired_stream.py --resources 1000000 --estate declared --rounds 5
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections import deque
from collections.abc import Callable
from itertools import groupby

from _estate import declared
from evaluate import synthetic

from cloudaudit import Resource, audit_iter, evaluate, load_policy
from cloudaudit.catalog import default_catalog
from cloudaudit.policies import Engine, Policy
from cloudaudit.testing import FakeProvider


def _new_str(s: str) -> str:
    """An equal string that is a new object (its hash not computed yet)."""
    return s[:1] + s[1:]


def fresh_ids(resources: list[Resource]) -> list[Resource]:
    """The resources as new objects whose ids are new strings (shallow copies otherwise).

    A copy shares its original's fields set, as the inventory's resources share one:
    ``model_copy`` would give each its own, and the engine would then widen each completed
    resource's set anew, a cost the other paths do not pay.
    """
    out = []
    for r in resources:
        c = r.model_copy()
        c.__dict__["id"] = _new_str(r.__dict__["id"])
        object.__setattr__(c, "__pydantic_fields_set__", r.__pydantic_fields_set__)
        out.append(c)
    return out


def run_paths(resources: list[Resource], policy: Policy) -> dict[str, Callable[[], None]]:
    """Each path as a call that runs it over ``resources`` (findings dropped as made)."""

    def evaluate_materialize() -> None:
        deque(evaluate(resources, policy).findings, maxlen=0)

    def engine_stream() -> None:
        chunks = (resources[i : i + 4096] for i in range(0, len(resources), 4096))
        deque(Engine(policy).stream(chunks), maxlen=0)

    provider = FakeProvider(resources)  # built (and frozen) before the clock, as the inventory

    def stream_off() -> None:
        deque(audit_iter(provider, policy, dedupe=False), maxlen=0)

    return {
        "evaluate_materialize": evaluate_materialize,
        "engine_stream": engine_stream,
        "audit_iter_dedupe_off": stream_off,
    }


def dedupe_floor(resources: list[Resource]) -> float:
    """CPU seconds to add new id strings to one set per provider and account, in C."""
    groups = [
        (key, [_new_str(r.__dict__["id"]) for r in group])
        for key, group in groupby(resources, key=lambda r: (r.provider, r.account))
    ]
    seen: dict[object, set[str]] = {}
    cpu = time.process_time()
    for key, ids in groups:
        seen.setdefault(key, set()).update(ids)
    return time.process_time() - cpu


def lookup_floor(resources: list[Resource]) -> float:
    """CPU seconds of a plain-Python region to country lookup per resource."""
    cat = default_catalog()
    country = {
        (pid, region): entry.country
        for pid in {r.provider for r in resources}
        for region, entry in cat.regions(pid).items()
    }
    cpu = time.process_time()
    for r in resources:
        d = r.__dict__
        country.get((d["provider"], d["location"].region))
    return time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resources", type=int, default=1_000_000)
    ap.add_argument("--estate", choices=("uniform", "declared"), default="declared")
    ap.add_argument("--policy", default="us-foreign-adversaries")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="also print the times as one JSON line")
    args = ap.parse_args()
    policy = load_policy(args.policy)
    make = declared if args.estate == "declared" else synthetic
    resources = make(args.resources)
    paths = run_paths(resources, policy)
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, run in paths.items():
            cpu = time.process_time()
            run()
            times.setdefault(name, []).append(time.process_time() - cpu)
        own = FakeProvider(fresh_ids(resources))  # before the clock: new id strings, as a
        gc.collect()  # stream has, frozen as the inventory is
        gc.freeze()
        cpu = time.process_time()
        deque(audit_iter(own, policy, dedupe=True), maxlen=0)
        times.setdefault("audit_iter_dedupe_on", []).append(time.process_time() - cpu)
        del own
        times.setdefault("floor_dedupe_set_in_c", []).append(dedupe_floor(resources))
        times.setdefault("floor_region_lookup", []).append(lookup_floor(resources))
    n = args.resources
    em = times["evaluate_materialize"]
    print(f"{n:,} resources, {args.estate} estate, {args.rounds} rounds, CPU seconds")
    for name, v in times.items():
        against = ""
        if name.startswith("audit_iter"):
            against = "  vs evaluate + materialize: " + " ".join(
                f"{v[i] / em[i] - 1:+.0%}" for i in range(args.rounds)
            )
        rate = n / statistics.median(v)
        runs = " ".join(f"{x:.2f}" for x in v)
        print(f"{name:24} median {statistics.median(v):6.3f}  {rate:>11,.0f}/s  [{runs}]{against}")
    if args.json:
        print(json.dumps({"resources": n, "estate": args.estate, "cpu_seconds": times}))


if __name__ == "__main__":
    main()
