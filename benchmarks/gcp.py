"""Benchmark: GCP provider (Cloud Asset search split by asset type) vs a per-project baseline.

Builds a fake organization (folders, ``--projects`` projects, ``--per-project`` resources each:
buckets, instances, disks, snapshots and images) served over HTTP by the test fake, with a
random latency per request. In the same run it times:

1. the provider at organization scope (Cloud Asset ``searchAllResources``, one unit per asset
   type, pages downloaded concurrently);
2. a naive baseline that lists every project with Resource Manager, then every service of every
   project one call after another (buckets, aggregated instances and disks, snapshots, images,
   machine images);
3. the provider's own per-project fallback (Cloud Asset disabled), concurrent.

Usage:
    python benchmarks/gcp.py --projects 50 --per-project 200 --latency-ms 50 100
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "providers" / "gcp"))

from gcp_fake import FakeGcp  # noqa: E402
from google.auth.credentials import AnonymousCredentials  # noqa: E402

from cloudaudit import audit  # noqa: E402
from cloudaudit.providers.gcp import GcpProvider, default_retry  # noqa: E402
from cloudaudit.providers.gcp._clients import Clients  # noqa: E402
from cloudaudit.providers.gcp._fallback import (  # noqa: E402
    FALLBACK_SERVICES,
    fetch_buckets,
    fetch_compute,
)
from cloudaudit.providers.gcp._scope import fetch_children  # noqa: E402

ZONES = ("europe-west3-a", "us-central1-b", "asia-east2-a", "europe-west1-c")
BUCKET_LOCS = ("EUROPE-WEST3", "US", "ASIA-EAST2", "EU", "NAM4")


def build(projects: int, per_project: int, latency: tuple[float, float]) -> FakeGcp:
    """A fake org: 5 folders, ``projects`` projects, ``per_project`` resources each."""
    fake = FakeGcp(latency=latency)
    folders = [fake.add_folder(str(100 + i)) for i in range(5)]
    share = {"buckets": 0.3, "instances": 0.3, "disks": 0.25, "snapshots": 0.1, "images": 0.05}
    for p in range(projects):
        pid = f"bench-{p:03d}"
        fake.add_project(pid, 90000 + p, parent=folders[p % len(folders)])
        counts = {k: round(per_project * v) for k, v in share.items()}
        for i in range(counts["buckets"]):
            fake.add_bucket(pid, f"{pid}-b{i}", BUCKET_LOCS[i % len(BUCKET_LOCS)])
        for kind in ("instances", "disks"):
            for i in range(counts[kind]):
                fake.add_zonal(pid, kind, ZONES[i % len(ZONES)], f"{kind[0]}{i}")
        for kind in ("snapshots", "images"):
            for i in range(counts[kind]):
                fake.add_stored(pid, kind, f"{kind[0]}{i}", ["us"], ZONES[i % len(ZONES)])
    return fake


def timed(fake: FakeGcp, run: Callable[[], int]) -> tuple[float, int, int]:
    """Run ``run`` and return (seconds, API calls, resources)."""
    fake.calls.clear()
    start = time.perf_counter()
    found = run()
    return time.perf_counter() - start, fake.total_calls, found


def provider_run(fake: FakeGcp, workers: int) -> Callable[[], int]:
    def run() -> int:
        provider = GcpProvider(
            credentials=AnonymousCredentials(),
            organization="123",
            client_options={"api_endpoint": fake.url},
            max_workers=workers,
            retry=default_retry(initial=0.1, maximum=1.0),
        )
        report = audit(provider, "eu-gdpr", max_workers=workers)
        return len(report.findings)

    return run


def baseline_run(fake: FakeGcp) -> Callable[[], int]:
    """Per project, per service, one call after another (what a simple script does)."""

    def run() -> int:
        clients = Clients(AnonymousCredentials(), {"api_endpoint": fake.url})
        call: dict[str, Any] = {"retry": default_retry(initial=0.1, maximum=1.0), "timeout": 60}
        parents, projects = ["organizations/123"], []
        while parents:
            children = fetch_children(clients.folders(), clients.projects(), parents.pop(), **call)
            parents += [f.name for f in children.folders]
            projects += [p.project_id for p in children.projects if p.active]
        total = 0
        for pid in projects:
            total += len(fetch_buckets(clients.storage(pid), pid, **call))
            for client_name, _kind, aggregated in FALLBACK_SERVICES.values():
                client = clients.compute(client_name)
                total += len(fetch_compute(client, pid, aggregated, **call))
        return total

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--per-project", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, nargs=2, default=(50.0, 100.0))
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--write", type=Path, default=None, help="write a Markdown section here")
    args = parser.parse_args()
    latency = (args.latency_ms[0] / 1000, args.latency_ms[1] / 1000)
    fake = build(args.projects, args.per_project, latency)
    rows = []
    with fake.serve():
        rows.append(
            ("provider, Cloud Asset split by type", *timed(fake, provider_run(fake, args.workers)))
        )
        rows.append(
            ("baseline, per project per service, sequential", *timed(fake, baseline_run(fake)))
        )
        fake.asset_disabled.add("organizations/123")
        fake.asset_disabled.update(f"projects/{p}" for p in fake.projects)
        rows.append(
            (
                "provider fallback (Cloud Asset disabled), concurrent",
                *timed(fake, provider_run(fake, args.workers)),
            )
        )
    header = (
        f"{args.projects} projects, {len(fake.assets):,} resources, latency "
        f"{args.latency_ms[0]:.0f}-{args.latency_ms[1]:.0f} ms per request, "
        f"{args.workers} workers, Python {platform.python_version()}"
    )
    lines = [header, "", "| path | wall time (s) | API calls | resources |", "|---|---|---|---|"]
    lines += [
        f"| {name} | {secs:.2f} | {calls:,} | {found:,} |" for name, secs, calls, found in rows
    ]
    print("\n".join(lines))
    if args.write is not None:
        args.write.write_text(_section(args, lines), encoding="utf-8")


def _section(args: argparse.Namespace, lines: list[str]) -> str:
    lo, hi = args.latency_ms
    command = (
        f"python benchmarks/gcp.py --projects {args.projects} --per-project {args.per_project} "
        f"--latency-ms {lo:.0f} {hi:.0f} --workers {args.workers}"
    )
    return "\n".join(
        [
            "## GCP provider: Cloud Asset search vs per-project listing",
            "",
            "Command (from the repository root, with the `gcp` and `test` extras installed):",
            "",
            "```",
            command,
            "```",
            "",
            "The script serves a fake organization over HTTP (the test suite's fake of",
            "Resource Manager, Cloud Asset, Cloud Storage and Compute, with a random sleep per",
            "request) and, in the same run, times the provider at organization scope, a",
            "sequential per-project, per-service baseline and the provider's own concurrent",
            "fallback path. The real Google client libraries make every call. API calls are",
            "counted by the fake, including Resource Manager discovery and the failed Cloud",
            "Asset calls of the fallback path. The fake runs in the same process, so on a",
            "2-core machine its CPU time (and the clients' JSON parsing) shares the GIL with the",
            "provider; wall times on a real network are dominated by latency instead.",
            "",
            *lines,
            "",
            "The Cloud Asset path needs one call per asset type and page (21 asset types, 500",
            "results per page), independent of the number of projects; the baseline needs six",
            "calls per project for storage and compute alone (a per-service baseline for all 21",
            "asset types would need one or more calls per project and service).",
            "",
        ]
    )


if __name__ == "__main__":
    main()
