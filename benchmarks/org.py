"""Benchmark: an AWS organization of 10, 100 (or more) accounts on threads and on Dask workers.

Run from the repository root (needs the ``aws`` and ``test`` extras and ``dask[distributed]``)::

    python benchmarks/org.py --accounts 10 100 --dask-workers 1 2

For each organization size a fresh moto server runs in a child process on loopback, behind a
WSGI middleware that adds a fixed latency (100 ms by default) to every request and counts them.
The organization (``--accounts`` members plus the management account) is created through the
Organizations API; each account is then seeded straight into moto's backends with one S3
bucket and one EBS volume in each of three regions. Every run audits all accounts (AssumeRole
into each) for S3 and EC2 in those three regions, on the direct path (the members have no
AWS Config aggregator):

* ``threads``: the in-process path, one machine, one shared pool of ``--max-workers``;
* ``dask N``: a ``LocalCluster`` of N worker processes (``--threads-per-worker`` accounts at a
  time each, each account with its own bound of ``--task-workers``), through
  ``Client.get_executor()``.

Reported: wall time, accounts per minute, client CPU time (this process's, plus the Dask
workers' for Dask runs; the server's is not counted) in total and per account, API calls (by
the server) in total and per account, whether the findings are the same as the thread run's,
the cluster's start and the executor's per-task overhead (200 no-op tasks). With
``--memory-sizes``, memory per 100,000 resources streamed through ``audit_iter``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

REGIONS = ("eu-west-1", "us-east-1", "ap-northeast-1")
ROLE = "OrganizationAccountAccessRole"
POLICY = "us-foreign-adversaries"


# ---------------------------------------------------------------- server (child process)
def serve() -> None:
    """Run moto behind a latency + counting middleware; print the port; serve forever."""
    import logging

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_app = DomainDispatcherApplication(create_backend_app)
    state = {"latency": 0.0, "count": 0}
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            req = Request(environ)
            if path == "/__bench/latency":
                state["latency"] = float(req.args["ms"]) / 1000
            answer = json.dumps(state)
            if path == "/__bench/reset":
                state["count"] = 0
            elif path == "/__bench/seed":
                answer = json.dumps({"seeded": seed(req.args["accounts"].split(","))})
            return Response(answer, content_type="application/json")(environ, start_response)
        with lock:
            state["count"] += 1
        if state["latency"]:
            time.sleep(state["latency"])
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def seed(accounts: Sequence[str]) -> int:
    """One bucket and one EBS volume per account and region, straight into moto's backends."""
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    n = 0
    for account in accounts:
        for region in REGIONS:
            s3_backends[account]["aws"].create_bucket(f"b-{account}-{region}", region)
            ec2_backends[account][region].create_volume(size=8, zone_name=f"{region}a")
            n += 2
    return n


def make_org(members: int) -> list[str]:
    """Create the organization and its member accounts; return every account id."""
    import boto3

    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    for i in range(members):
        org.create_account(AccountName=f"member{i}", Email=f"m{i}@example.com")
    return [
        a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]
    ]


# ---------------------------------------------------------------- the runs
def organization(max_accounts: int, max_workers: int) -> Any:
    import boto3

    from cloudaudit.providers.aws import AwsOrganization

    return AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=REGIONS,
        services=("s3", "ec2"),
        max_accounts=max_accounts,
        max_workers=max_workers,
    )


def comparable(report: Any) -> str:
    data = json.loads(report.to_json())
    data.pop("started_at")
    data.pop("finished_at")
    return json.dumps(data, sort_keys=True)


def run_threads(args: argparse.Namespace) -> tuple[float, float, Any]:
    """In-process run: wall time, CPU time of this process (every thread), the report."""
    from cloudaudit import audit

    provider = organization(args.max_accounts, args.max_workers)
    start, cpu = time.perf_counter(), time.process_time()
    report = audit(provider, POLICY, max_workers=args.max_workers)
    return time.perf_counter() - start, time.process_time() - cpu, report


def _noop(i: int) -> int:
    return i


def run_dask(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    """Start a LocalCluster of ``workers`` processes; time the audit only.

    Also measured: the workers' CPU time during the audit (``psutil`` on their processes) and
    the executor's per-task overhead (200 no-op tasks through ``Client.get_executor()``).
    """
    import psutil
    from distributed import Client, LocalCluster

    from cloudaudit import audit

    t0 = time.perf_counter()
    with (
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
        provider = organization(workers * args.threads_per_worker, args.task_workers)
        start, cpu = time.perf_counter(), time.process_time()
        report = audit(provider, POLICY, executor=executor)
        wall = time.perf_counter() - start
        worker_cpu = sum(sum(p.cpu_times()[:2]) for p in procs) - before
    return {
        "startup": startup,
        "wall": wall,
        "cpu": worker_cpu + time.process_time() - cpu,
        "overhead": overhead,
        "report": report,
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


# ---------------------------------------------------------------- driver
def _get(url: str) -> dict[str, Any]:
    import requests

    data: dict[str, Any] = requests.get(url, timeout=120).json()
    return data


def row(
    name: str, wall: float, cpu: float, accounts: int, calls: int, same: str, extra: str
) -> None:
    per_min = accounts / wall * 60
    print(
        f"| {accounts} | {name} | {wall:.1f} | {per_min:.0f} | {cpu:.1f} "
        f"| {cpu / accounts * 1000:.0f} | {calls} | {calls / accounts:.1f} | {same} | {extra} |",
        flush=True,
    )


def benchmark(args: argparse.Namespace, url: str, members: int) -> None:
    import resource

    accounts = make_org(members)
    seeded = _get(f"{url}/__bench/seed?accounts=" + ",".join(accounts))["seeded"]
    print(f"seeded {seeded} resources in {len(accounts)} accounts", file=sys.stderr, flush=True)
    _get(f"{url}/__bench/latency?ms={args.latency}")
    _get(f"{url}/__bench/reset")
    wall, cpu, local = run_threads(args)
    assert not local.coverage.gaps, local.coverage.gaps
    calls = _get(f"{url}/__bench/reset")["count"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row(
        "threads",
        wall,
        cpu,
        len(accounts),
        calls,
        "(reference)",
        f"max_workers={args.max_workers}, max_accounts={args.max_accounts}, peak RSS {rss:.0f} MiB",
    )
    ref = comparable(local)
    base = None
    for workers in args.dask_workers:
        r = run_dask(args, workers)
        calls = _get(f"{url}/__bench/reset")["count"]
        base = base or r["wall"]
        same = "yes" if comparable(r["report"]) == ref else "NO"
        row(
            f"dask {workers} worker(s)",
            r["wall"],
            r["cpu"],
            len(accounts),
            calls,
            same,
            f"speed-up {base / r['wall']:.2f}×, cluster start {r['startup']:.1f} s, "
            f"{r['overhead'] * 1000:.1f} ms per task",
        )


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-dedupe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--accounts", type=int, nargs="*", default=[10, 100], help="member accounts, per run"
    )
    parser.add_argument("--latency", type=int, default=100, help="ms per request")
    parser.add_argument("--max-workers", type=int, default=32)
    parser.add_argument("--max-accounts", type=int, default=16)
    parser.add_argument("--dask-workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--task-workers", type=int, default=8)
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[])
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.memory:
        print(json.dumps(memory(args.memory, not args.no_dedupe)))
        return
    print(
        f"latency {args.latency} ms, regions {', '.join(REGIONS)}, services s3, ec2; CPU is "
        "this process's (threads) or the Dask workers' and this process's, not the server's\n"
    )
    print(
        "| accounts | run | wall (s) | accounts/min | CPU (s) | CPU per account (ms) "
        "| API calls | calls per account | same findings | notes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for members in args.accounts:
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True, env=env
        )
        try:
            assert child.stdout is not None
            url = f"http://127.0.0.1:{child.stdout.readline().strip()}"
            os.environ.update(
                AWS_ENDPOINT_URL=url,
                AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench",
                AWS_DEFAULT_REGION="us-east-1",
                MOTO_EC2_LOAD_DEFAULT_AMIS="false",
            )
            for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(var, None)
            benchmark(args, url, members)
        finally:
            child.terminate()
            child.wait(timeout=10)
    if args.memory_sizes:
        memory_table(args.memory_sizes)


if __name__ == "__main__":
    main()
