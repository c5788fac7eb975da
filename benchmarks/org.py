"""Benchmark: an AWS organization of 10, 100 and 1,000 accounts, direct and aggregated paths.

Run from the repository root (needs the ``aws`` and ``test`` extras and ``dask[distributed]``)::

    python benchmarks/org.py --accounts 10 100 1000 --paths aggregated direct --dask-workers 1 2

For each organization size a fresh moto server runs in a child process on loopback
(``_orgfake.py``), behind a WSGI middleware that adds a fixed latency (100 ms by default) to
every request, counts them by operation, and answers the two AWS Config operations moto lacks
from moto's own backends. The organization (``--accounts`` members plus the management
account) is created through the Organizations API; every account is seeded straight into
moto's backends with one resource of each ``--kinds`` (S3 bucket, DynamoDB table, EBS volume)
and a recording AWS Config recorder in each of three regions; the management account holds an
organization aggregator. Every run audits all accounts for ``--services`` in those regions:

* ``aggregated``: ``AwsOrganization(inventory="auto")``: the organization's aggregator serves
  the covered types (each account's recorders are still read through its role);
* ``direct``: ``AwsOrganization(inventory="direct")``: AssumeRole into each account and call
  each service;
* ``before``: the direct run of an older checkout (``--before DIR``), for comparison (a
  checkout from before the ``inventory`` choice runs its only path, which was direct);
* ``dask N`` (sizes up to ``--dask-max``; the paths of ``--dask-paths``): a ``LocalCluster``
  of N worker processes through ``Client.get_executor()``. On the aggregated path the driver
  runs the aggregator's queries (``plan``) and each account's task probes its recorders.

Each thread run is a fresh child process (``--run``): wall and CPU time of the audit alone,
the process's peak RSS (imports included), and a digest of the findings and gaps so that the
paths can be compared ("same findings"). API calls are counted by the server.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _motoserver import STOCK_DISPATCH
from _orgfake import REGIONS, serve

ROLE = "OrganizationAccountAccessRole"
POLICY = "us-foreign-adversaries"


def make_org(members: int) -> list[str]:
    """Create the organization, its members and its aggregator; return every account id."""
    import boto3

    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    for i in range(members):
        org.create_account(AccountName=f"member{i}", Email=f"m{i}@example.com")
    boto3.client("config", region_name="us-east-1").put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={
            "RoleArn": "arn:aws:iam::123456789012:role/aggregator",
            "AllAwsRegions": True,
        },
    )
    pages = org.get_paginator("list_accounts").paginate()
    return [a["Id"] for page in pages for a in page["Accounts"]]


# ---------------------------------------------------------------- the runs
def organization(args: argparse.Namespace, inventory: str, max_accounts: int, workers: int) -> Any:
    import boto3

    from cloudaudit.providers.aws import AwsOrganization

    if inventory == "legacy":  # an older checkout: its direct path, if it has the choice
        import inspect

        known = inspect.signature(AwsOrganization).parameters
        kwargs = {"inventory": "direct"} if "inventory" in known else {}
    else:
        kwargs = {"inventory": inventory}
    return AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=REGIONS,
        services=tuple(args.services.split(",")),
        max_accounts=max_accounts,
        max_workers=workers,
        **kwargs,
    )


def digest(report: Any) -> str:
    """Findings and gaps of a report, without timestamps, as a short hash."""
    data = json.loads(report.to_json())
    keep = {k: data[k] for k in ("findings", "summary") if k in data}
    keep["gaps"] = sorted(json.dumps(g, sort_keys=True) for g in data["coverage"]["gaps"])
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:12]


def run_child(args: argparse.Namespace, inventory: str) -> None:
    """Child process: one audit; print wall, CPU, peak RSS, findings digest as JSON."""
    import resource

    from cloudaudit import audit

    provider = organization(args, inventory, args.max_accounts, args.max_workers)
    start, cpu = time.perf_counter(), time.process_time()
    report = audit(provider, POLICY, max_workers=args.max_workers)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    methods = sorted({r.method for r in report.coverage.audited})
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "digest": digest(report),
                "findings": len(report.findings),
                "gaps": len(report.coverage.gaps),
                "methods": methods,
            }
        )
    )


def measure(args: argparse.Namespace, inventory: str, env: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--run", inventory, "--services", args.services]
    cmd += ["--max-workers", str(args.max_workers), "--max-accounts", str(args.max_accounts)]
    if inventory == "before":  # the same direct run with the checkout in --before
        env = dict(env, PYTHONPATH=args.before)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"{inventory} run failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _noop(i: int) -> int:
    return i


def run_dask(args: argparse.Namespace, workers: int, path: str) -> dict[str, Any]:
    """Start a LocalCluster of ``workers`` processes; time the audit only (``path``).

    Also measured: the workers' CPU time during the audit (``psutil`` on their processes) and
    the executor's per-task overhead (200 no-op tasks through ``Client.get_executor()``).
    """
    import dask
    import psutil
    from distributed import Client, LocalCluster

    from cloudaudit import audit

    t0 = time.perf_counter()
    with (
        # dask's profiler can deadlock thread-starting tasks on CPython < 3.11.9 (docs/scale.md)
        dask.config.set({"distributed.worker.profile.enabled": False}),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=args.threads_per_worker,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        startup = time.perf_counter() - t0
        executor = client.get_executor()
        tick = time.perf_counter()
        list(executor.map(_noop, range(200)))
        overhead = (time.perf_counter() - tick) / 200
        procs = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        before = sum(sum(p.cpu_times()[:2]) for p in procs)
        inventory = {"aggregated": "auto", "direct": "direct"}[path]
        provider = organization(
            args, inventory, workers * args.threads_per_worker, args.task_workers
        )
        start, cpu = time.perf_counter(), time.process_time()
        report = audit(provider, POLICY, executor=executor)
        wall = time.perf_counter() - start
        worker_cpu = sum(sum(p.cpu_times()[:2]) for p in procs) - before
    return {
        "startup": startup,
        "wall": wall,
        "cpu": worker_cpu + time.process_time() - cpu,
        "overhead": overhead,
        "digest": digest(report),
    }


# ---------------------------------------------------------------- memory
class Synthetic:
    """Generates ``n`` resources lazily, 500 per unit (one fake account per unit)."""

    name = "aws"

    def __init__(self, n: int) -> None:
        self.n = n

    def classifiers(self) -> Sequence[Any]:
        return ()

    def secrets(self) -> Sequence[str]:
        return ()

    def _unit(self, start: int) -> list[Any]:
        from cloudaudit.testing import make_resource

        return [
            make_resource(
                "aws", REGIONS[i % 3], account=f"{start:012d}", name=f"r{i}", id=f"arn:r{i}"
            )
            for i in range(start, min(start + 500, self.n))
        ]

    def collect(self, fanout: Any) -> Iterator[Any]:
        from cloudaudit.providers import Batch, Scope, Unit

        units = [
            Unit(Scope("aws", f"{s:012d}", None, "s3"), partial(self._unit, s))
            for s in range(0, self.n, 500)
        ]
        for o in fanout.run(units):
            yield Batch(resources=o.resources, audited=(o.audited,) if o.audited else ())


def memory(n: int, dedupe: bool) -> dict[str, Any]:
    """Child process: stream ``n`` synthetic resources; tracemalloc peak and peak RSS."""
    import resource
    import tracemalloc

    from cloudaudit import audit_iter

    tracemalloc.start()
    start = time.perf_counter()
    count = sum(1 for _ in audit_iter(Synthetic(n), POLICY, dedupe=dedupe))
    wall = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": count, "peak_mib": peak / 2**20, "rss_mib": rss, "wall_s": wall}


def measure_memory(n: int, dedupe: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--memory", str(n)] + ([] if dedupe else ["--no-dedupe"])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def memory_table(sizes: Sequence[int]) -> None:
    print("\n| resources | dedupe | tracemalloc peak (MiB) | peak RSS (MiB) | wall (s) |")
    print("|---|---|---|---|---|")
    for n in sizes:
        for dedupe in (True, False):
            m = measure_memory(n, dedupe)
            print(
                f"| {m['n']:,} | {'on' if dedupe else 'off'} | {m['peak_mib']:.1f} "
                f"| {m['rss_mib']:.0f} | {m['wall_s']:.1f} |",
                flush=True,
            )


# ---------------------------------------------------------------- driver
def _get(url: str) -> dict[str, Any]:
    import requests

    data: dict[str, Any] = requests.get(url, timeout=900).json()
    return data


def row(name: str, r: dict[str, Any], accounts: int, calls: int, same: str, extra: str) -> None:
    wall, cpu = r["wall"], r["cpu"]
    rss = f"{r['rss']:.0f}" if "rss" in r else "—"  # Dask runs: spread over processes
    print(
        f"| {accounts} | {name} | {wall:.1f} | {accounts / wall * 60:.0f} | {cpu:.1f} "
        f"| {cpu / accounts * 1000:.0f} | {calls} | {calls / accounts:.1f} "
        f"| {rss} | {same} | {extra} |",
        flush=True,
    )


def top_calls(counts: dict[str, int], n: int = 4) -> str:
    best = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{op.split(':', 1)[1]} {c}" for op, c in best)


def benchmark(args: argparse.Namespace, url: str, env: dict[str, str], members: int) -> None:
    accounts = make_org(members)
    kinds = ",".join(args.kinds)
    seeded = _get(f"{url}/__bench/seed?kinds={kinds}&accounts=" + ",".join(accounts))["seeded"]
    print(f"seeded {seeded} resources in {len(accounts)} accounts", file=sys.stderr, flush=True)
    _get(f"{url}/__bench/latency?ms={args.latency}")
    _get(f"{url}/__bench/reset")
    ref = None
    for path in args.paths:
        if path == "direct" and members > args.direct_max:
            print(f"| {len(accounts)} | direct | not run (--direct-max {args.direct_max}) |")
            continue
        r = measure(args, path, env)
        counts = _get(f"{url}/__bench/reset")["by_operation"]
        ref = ref or r["digest"]
        same = (
            "(reference)"
            if r["digest"] == ref and path == args.paths[0]
            else ("yes" if r["digest"] == ref else "NO")
        )
        note = f"{r['findings']} findings, {r['gaps']} gaps; {top_calls(counts)}"
        row(path, r, len(accounts), sum(counts.values()), same, note)
    dask = [(p, w) for p in args.dask_paths for w in args.dask_workers]
    for path, workers in dask if members <= args.dask_max else []:
        r = run_dask(args, workers, path)
        counts = _get(f"{url}/__bench/reset")["by_operation"]
        same = "yes" if r["digest"] == ref else "NO"
        extra = f"cluster start {r['startup']:.1f} s, {r['overhead'] * 1000:.1f} ms per no-op task"
        name = f"{path}, dask {workers} worker{'s' if workers > 1 else ''}"
        row(name, r, len(accounts), sum(counts.values()), same, extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-dedupe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", type=int, nargs="*", default=[10, 100], help="members")
    parser.add_argument("--paths", nargs="*", default=["aggregated", "direct"])
    parser.add_argument("--kinds", nargs="*", default=["s3", "dynamodb"], help="seeded kinds")
    parser.add_argument("--services", default="s3,dynamodb", help="audited AWS services")
    parser.add_argument("--latency", type=int, default=100, help="ms per request")
    parser.add_argument("--max-workers", type=int, default=32)
    parser.add_argument("--max-accounts", type=int, default=16)
    parser.add_argument("--direct-max", type=int, default=10**6, help="largest direct run")
    parser.add_argument("--dask-workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--dask-max", type=int, default=100, help="largest Dask run")
    parser.add_argument("--dask-paths", nargs="*", default=["direct"], help="paths on Dask")
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--task-workers", type=int, default=8)
    parser.add_argument("--before", default="", help="checkout for the 'before' path")
    parser.add_argument(
        "--stock-dispatch",
        action="store_true",
        help="keep moto's dispatcher as it is (one lock for every request; see _motoserver)",
    )
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[])
    args = parser.parse_args()
    if args.stock_dispatch:  # the server child inherits it
        os.environ[STOCK_DISPATCH] = "1"
    if args.serve:
        serve()
        return
    if args.run:
        modes = {"aggregated": "auto", "direct": "direct", "before": "legacy"}
        run_child(args, modes[args.run])
        return
    if args.memory:
        print(json.dumps(memory(args.memory, not args.no_dedupe)))
        return
    print(
        f"latency {args.latency} ms, regions {', '.join(REGIONS)}, services {args.services}, "
        f"seeded {', '.join(args.kinds)}; CPU is the client's, not the server's\n"
    )
    print(
        "| accounts | run | wall (s) | accounts/min | CPU (s) | CPU per account (ms) "
        "| API calls | calls per account | peak RSS (MiB) | same findings | notes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for members in args.accounts:
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True, env=env
        )
        try:
            assert child.stdout is not None
            url = f"http://127.0.0.1:{child.stdout.readline().strip()}"
            env.update(
                AWS_ENDPOINT_URL=url,
                AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench",
                AWS_DEFAULT_REGION="us-east-1",
            )
            for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                env.pop(var, None)
            os.environ.update(env)
            benchmark(args, url, env, members)
        finally:
            child.terminate()
            child.wait(timeout=10)
    if args.memory_sizes:
        memory_table(args.memory_sizes)


if __name__ == "__main__":
    main()
