"""Benchmark: the AWS provider against a naive threaded boto3 script, over moto with latency.

Run from the repository root::

    python benchmarks/aws.py

A moto server runs in a child process on loopback, behind a WSGI middleware that adds a fixed
latency to every request and counts them. It is seeded straight into moto's backends with a
bucket and an EBS volume and snapshot in every region of the aws partition (about 100
resources over about 30 regions; some buckets replicate into another region). Each side lists
the same services (S3 buckets with region and replication; EC2 instances, volumes, owned
snapshots and owned AMIs in every region) at 0 ms and 100 ms latency. Reported: wall time,
API calls (counted by the server) and peak RSS of each side (each runs in a fresh process).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ACCOUNT = "123456789012"


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
                seed()
            return Response(answer, content_type="application/json")(environ, start_response)
        with lock:
            state["count"] += 1
        if state["latency"]:
            time.sleep(state["latency"])
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def seed() -> None:
    """Seed a bucket, a volume and a snapshot in every aws-partition region (moto backends)."""
    from moto.ec2.models import ec2_backends
    from moto.s3.models import s3_backends

    s3 = s3_backends[ACCOUNT]["aws"]
    for region in ec2_backends[ACCOUNT].regions:
        if not region.startswith(("us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-")):
            continue
        if region.startswith(("us-gov", "us-iso", "eu-isoe")):
            continue
        s3.create_bucket(f"bench-{region}", region)
        ec2 = ec2_backends[ACCOUNT][region]
        vol = ec2.create_volume(size=8, zone_name=f"{region}a")
        ec2.create_snapshot(vol.id, f"bench {region}")


# ---------------------------------------------------------------- the two contenders
def run_provider(max_workers: int) -> int:
    """The provider under test: S3 + EC2 collectors, all regions, one session."""
    import boto3

    from cloudaudit.providers._fanout import FanOut
    from cloudaudit.providers.aws import AwsProvider
    from cloudaudit.providers.aws.services import ec2, s3

    provider = AwsProvider(
        session=boto3.Session(region_name="us-east-1"),
        collectors=(*s3.COLLECTORS, *ec2.COLLECTORS),
        max_workers=max_workers,
    )
    fanout = FanOut(max_workers=max_workers, classifiers=list(provider.classifiers()))
    total = 0
    for batch in provider.collect(fanout):
        total += len(batch.resources)
        assert not batch.gaps, batch.gaps
    return total


def run_baseline(max_workers: int) -> int:
    """A naive but reasonable script: thread pool over regions, a client per call site."""
    import boto3

    def region_task(region: str) -> int:
        session = boto3.session.Session(region_name=region)  # one per thread: thread-safe
        n = 0
        for page in session.client("ec2").get_paginator("describe_instances").paginate():
            n += sum(len(r["Instances"]) for r in page["Reservations"])
        for page in session.client("ec2").get_paginator("describe_volumes").paginate():
            n += len(page["Volumes"])
        pager = session.client("ec2").get_paginator("describe_snapshots")
        for page in pager.paginate(OwnerIds=["self"]):
            n += len(page["Snapshots"])
        for page in (
            session.client("ec2").get_paginator("describe_images").paginate(Owners=["self"])
        ):
            n += len(page["Images"])
        return n

    regions = [
        r["RegionName"]
        for r in boto3.client("ec2", region_name="us-east-1").describe_regions(AllRegions=True)[
            "Regions"
        ]
        if r["RegionName"].split("-")[0] not in ("cn",) and "gov" not in r["RegionName"]
    ]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        total = sum(pool.map(region_task, regions))
    s3 = boto3.client("s3", region_name="us-east-1")
    for bucket in s3.list_buckets()["Buckets"]:
        s3.get_bucket_location(Bucket=bucket["Name"])
        with contextlib.suppress(s3.exceptions.ClientError):
            s3.get_bucket_replication(Bucket=bucket["Name"])
        total += 1
    return total


# ---------------------------------------------------------------- driver
def _get(url: str) -> dict[str, Any]:
    import requests

    data: dict[str, Any] = requests.get(url, timeout=60).json()
    return data


def measure(url: str, side: str, max_workers: int) -> dict[str, Any]:
    """Run one side in a fresh interpreter; return wall time, API calls and peak RSS."""
    _get(f"{url}/__bench/reset")
    out = subprocess.run(
        [sys.executable, __file__, "--side", side, "--max-workers", str(max_workers)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["calls"] = _get(f"{url}/__bench/reset")["count"]
    return result


def run_side(side: str, max_workers: int) -> None:
    """Child process: import, then time one side; print wall time, resources and peak RSS."""
    import resource

    import boto3  # noqa: F401 - imported before the clock starts, for both sides

    import cloudaudit.providers.aws  # noqa: F401

    fn = run_provider if side == "provider" else run_baseline
    start = time.perf_counter()
    resources = fn(max_workers)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": round(wall, 2), "peak_mib": round(rss, 1), "resources": resources}))


def main() -> None:
    """Start the server, seed it, run both sides at 0 ms and 100 ms, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--side", choices=["provider", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=int, nargs="*", default=[0, 100])
    parser.add_argument("--max-workers", type=int, default=16)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.side:
        run_side(args.side, args.max_workers)
        return
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
        )
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            os.environ.pop(var, None)
        _get(f"{url}/__bench/seed")
        print("| latency | side | wall (s) | API calls | peak RSS (MiB) | resources |")
        print("|---|---|---|---|---|---|")
        for ms in args.latency:
            _get(f"{url}/__bench/latency?ms={ms}")
            base = measure(url, "baseline", args.max_workers)
            ours = measure(url, "provider", args.max_workers)
            for side, r in (("baseline", base), ("cloudaudit", ours)):
                print(
                    f"| {ms} ms | {side} | {r['wall_s']} | {r['calls']} | {r['peak_mib']} "
                    f"| {r['resources']} |",
                    flush=True,
                )
            print(f"| {ms} ms | ratio | {ours['wall_s'] / base['wall_s']:.2f}× | | | |")
    finally:
        child.terminate()
        child.wait(timeout=10)


if __name__ == "__main__":
    main()
