"""Benchmark: evaluate synthetic resources against a policy.

Builds N synthetic resources spread over every catalogued region of AWS, GCP, Azure and Alibaba
(with a share of copies, unmapped regions and multi-regions), then times
``cloudaudit.evaluate(resources, policy)`` and reports resources per second (wall and CPU)
and peak memory (ru_maxrss of the process, which includes building the inventory).

Resources share their location objects and copy tuples, as a provider that builds each
location once does (the engine caches verdicts by their identity). ``--fresh-locations``
gives every resource objects of its own instead, as a provider that builds a location per
resource does: the engine then builds a value key per resource, and the inventory is larger.

``evaluate`` builds each finding when it is read, so ``--materialize`` then times iterating
every finding of the report, and ``--write-json`` also times writing the report's JSON (to the
null device): rows of their own, each with the peak RSS after it. ``--write FORMAT`` writes
another format instead (``sarif``, ``csv``, ``ocsf``..., through ``write_report`` as the CLI
does); its rows are named after the format (``sarif_write_seconds``...).

With ``--stream``, the same resources then go through ``audit_iter`` (one provider that
reports them all; each finding is dropped as soon as it is made), with and without the dedupe
set, to compare the streaming path's time per resource with ``evaluate``'s.

Usage:
    python benchmarks/evaluate.py --resources 1000000 --policy us-foreign-adversaries \
        --materialize --stream
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import sys
import time

from _estate import UnitProvider, declared

from cloudaudit import Location, ProviderId, Resource, evaluate, load_policy
from cloudaudit.catalog import default_catalog


def synthetic(n: int, seed: int = 7, *, fresh: bool = False) -> list[Resource]:
    """Build ``n`` resources; locations are shared objects unless ``fresh``."""
    rng = random.Random(seed)
    cat = default_catalog()
    locs: list[Location] = []
    for pid in (ProviderId.AWS, ProviderId.GCP, ProviderId.AZURE, ProviderId.ALIBABA):
        for region, entry in cat.regions(pid).items():
            locs.append(Location(provider=pid, region=region, kind=entry.kind))
    locs += [Location(provider=ProviderId.AWS, region=f"xx-unmapped-{i}") for i in range(5)]
    copy_sets = [(), (), (), (), (rng.choice(locs),), (rng.choice(locs), rng.choice(locs))]
    tags = {"team": "data", "env": "prod"}
    fields = set(Resource.model_fields)  # shared, as pydantic would otherwise copy it per object
    out = []
    for i in range(n):
        loc = locs[i % len(locs)]
        copies = copy_sets[i % len(copy_sets)]
        if fresh:  # equal values, new objects (model_copy keeps them validated)
            loc = loc.model_copy()
            copies = tuple(c.model_copy() for c in copies)
        out.append(
            Resource.model_construct(
                fields,
                provider=loc.provider,
                account="123456789012",
                service="s3",
                type="bucket",
                id=f"arn:aws:s3:::bucket-{i}",
                name=f"bucket-{i}",
                location=loc,
                data_locations=copies,
                tags=tags,
            )
        )
    return out


def stream(resources: list[Resource], policy: object, *, units: bool) -> dict[str, object]:
    """Resources per second through ``audit_iter``, dedupe on and off (findings dropped).

    ``units``: the provider reports a batch per unit of work (the ``declared`` estate's
    groups) instead of one batch of every resource.
    """
    from collections import deque

    from cloudaudit import audit_iter
    from cloudaudit.testing import FakeProvider

    out: dict[str, object] = {}
    for dedupe in (True, False):
        provider = UnitProvider(resources) if units else FakeProvider(resources)
        start, cpu = time.perf_counter(), time.process_time()
        deque(audit_iter(provider, policy, dedupe=dedupe), maxlen=0)  # type: ignore[arg-type]
        name = f"audit_iter_dedupe_{'on' if dedupe else 'off'}"
        out[f"{name}_per_second"] = round(len(resources) / (time.perf_counter() - start))
        out[f"{name}_per_cpu_second"] = round(len(resources) / (time.process_time() - cpu))
    return out


def timed_evaluate(resources: list[Resource], policy: object) -> dict[str, object]:
    """Wall and CPU time of ``evaluate`` and the peak RSS once it returned."""
    n = len(resources)
    t1, c1 = time.perf_counter(), time.process_time()
    report = evaluate(resources, policy)  # type: ignore[arg-type]
    eval_s, eval_cpu = time.perf_counter() - t1, time.process_time() - c1
    return {
        "evaluate_seconds": round(eval_s, 2),
        "resources_per_second": round(n / eval_s),
        "evaluate_cpu_seconds": round(eval_cpu, 2),
        "resources_per_cpu_second": round(n / eval_cpu),
        "peak_rss_mb": _peak_mb(),
        "summary": report.summary.model_dump(),
        "report": report,
    }


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def read_back(report: object, fmt: str | None) -> dict[str, object]:
    """Build every finding of the report (iterate, dropping each), then write it in ``fmt``.

    ``evaluate`` defers building findings until they are read; this times that work as rows
    of its own: iterating ``report.findings`` once, and writing the report in ``fmt`` (with
    ``write_report``, as the CLI does; JSON is the text of ``Report.to_json``) to the null
    device.
    """
    from collections import deque

    from cloudaudit.formats import write_report

    n = len(report.findings)  # type: ignore[attr-defined]
    out: dict[str, object] = {}
    t, c = time.perf_counter(), time.process_time()
    deque(report.findings, maxlen=0)  # type: ignore[attr-defined]
    cpu = time.process_time() - c
    out["materialize_seconds"] = round(time.perf_counter() - t, 2)
    out["materialize_cpu_seconds"] = round(cpu, 2)
    out["materialized_per_cpu_second"] = round(n / cpu)
    out["peak_rss_after_materialize_mb"] = _peak_mb()
    if fmt is not None:
        import os

        name = fmt.replace("-", "_")
        t, c = time.perf_counter(), time.process_time()
        with open(os.devnull, "w", encoding="utf-8") as sink:
            write_report(report, fmt, sink)  # type: ignore[arg-type]
        cpu = time.process_time() - c
        out[f"{name}_write_seconds"] = round(time.perf_counter() - t, 2)
        out[f"{name}_write_cpu_seconds"] = round(cpu, 2)
        out[f"{name}_written_per_cpu_second"] = round(n / cpu)
        out[f"peak_rss_after_{name}_mb"] = _peak_mb()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resources", type=int, default=1_000_000)
    ap.add_argument("--policy", default="us-foreign-adversaries")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    ap.add_argument("--stream", action="store_true", help="also time audit_iter")
    ap.add_argument(
        "--stream-only",
        action="store_true",
        help="time audit_iter and not evaluate (the peak RSS is then the stream's)",
    )
    ap.add_argument(
        "--materialize", action="store_true", help="then build every finding of the report"
    )
    ap.add_argument(
        "--write-json",
        action="store_true",
        help="then build every finding and write the report's JSON (to the null device)",
    )
    ap.add_argument(
        "--write",
        metavar="FORMAT",
        default=None,
        help="then build every finding and write the report in FORMAT (to the null device)",
    )
    ap.add_argument(
        "--fresh-locations", action="store_true", help="new location objects per resource"
    )
    ap.add_argument(
        "--batches",
        choices=("one", "unit"),
        default="one",
        help="how the provider of --stream reports: one batch of every resource (the engine's "
        "streaming path alone), or a batch per unit of work of the declared estate (with the "
        "fan-out's cost per unit: thread hand-offs, scope records)",
    )
    ap.add_argument(
        "--estate",
        choices=("uniform", "declared"),
        default="uniform",
        help="uniform: every resource an s3 bucket on any cloud (77%% of them of a type with "
        "no copy declaration); declared: the types each cloud's collectors report, grouped "
        "by unit of work, a batch per unit when streamed (see benchmarks/_estate.py)",
    )
    args = ap.parse_args()
    policy = load_policy(args.policy)
    t0 = time.perf_counter()
    if args.estate == "declared":
        if args.fresh_locations:
            ap.error("--fresh-locations is for the uniform estate")
        resources = declared(args.resources)
    else:
        resources = synthetic(args.resources, fresh=args.fresh_locations)
    build_s = time.perf_counter() - t0
    inventory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    gc.freeze()  # the inventory is long-lived; keep the cyclic GC from rescanning it
    evaluated = {} if args.stream_only else timed_evaluate(resources, policy)
    report = evaluated.pop("report", None)
    fmt = args.write or ("json" if args.write_json else None)
    if args.materialize or fmt is not None:
        evaluated.update(read_back(report, fmt))
    del report
    units = args.batches == "unit"
    if units and args.estate != "declared":
        ap.error("--batches unit needs --estate declared (the uniform estate has no units)")
    streamed = stream(resources, policy, units=units) if args.stream or args.stream_only else {}
    if args.stream_only:
        streamed["peak_rss_mb"] = _peak_mb()
    result = {
        "resources": args.resources,
        "policy": args.policy,
        "estate": args.estate,
        "fresh_locations": args.fresh_locations,
        "build_seconds": round(build_s, 2),
        "peak_rss_after_building_inventory_mb": round(inventory_mb),
        **evaluated,
        **streamed,
        "python": platform.python_version(),
        "cpus": __import__("os").cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>22}: {v}")
    sys.exit(0)


if __name__ == "__main__":
    main()
