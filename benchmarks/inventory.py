"""Benchmark: ``cloudaudit audit inventory`` on a generated Cloud Asset export or Config snapshot.

Generates a file of N assets in the shape the tools write (Cloud Asset export: JSON Lines of
``asset_type`` + ``resource.data``; AWS Config snapshot: one JSON object whose
``configurationItems`` list holds every item), then runs, each in a fresh process:

* **floor**: read the file and parse every record with ``json`` (nothing judged): what any
  reader of this file must pay;
* **in memory**: a competent hand-written script: parse every record, build every resource with
  the same transform, keep them in a list, then ``cloudaudit.evaluate`` the list and write the
  findings (memory grows with the file);
* **cloudaudit**: ``cloudaudit audit inventory FILE --format jsonl --output OUT`` as a user runs
  it (process start included): streamed, findings written as they are decided;
* with ``--json-report``, also ``cloudaudit audit inventory FILE --format json --output
  OUT.json``: the whole sorted report (``audit()``), written as one JSON document; with
  ``--before DIR`` the same command from the checkout in DIR too.

Reported: wall time, peak RSS of the process (ru_maxrss), resources judged. Nothing is timed in
the test suite; this script is the only place the figures come from.

Usage:
    python benchmarks/inventory.py --assets 1000000 --shape gcp-export
    python benchmarks/inventory.py --assets 1000000 --shape config-snapshot
    python benchmarks/inventory.py --assets 100000 --skip-in-memory --json-report --before DIR
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GCP_REGIONS = ["europe-west3", "us-central1", "asia-east2", "asia-northeast1", "us-east4"]
AWS_REGIONS = ["eu-central-1", "us-east-1", "ap-east-1", "eu-west-1", "sa-east-1"]


def _gcp_line(i: int, rng: random.Random) -> dict[str, object]:
    region = GCP_REGIONS[i % len(GCP_REGIONS)]
    parent = f"//cloudresourcemanager.googleapis.com/projects/{1000 + i % 50}"
    kind = i % 4
    if kind == 0:
        name, atype = f"//storage.googleapis.com/bucket-{i}", "storage.googleapis.com/Bucket"
        data: dict[str, object] = {
            "name": f"bucket-{i}",
            "location": region.upper(),
            "locationType": "region",
            "storageClass": "STANDARD",
            "labels": {"team": "data"},
        }
    elif kind == 1:
        zone = f"{region}-{'abc'[i % 3]}"
        name = f"//compute.googleapis.com/projects/p{i % 50}/zones/{zone}/disks/disk-{i}"
        atype = "compute.googleapis.com/Disk"
        data = {"name": f"disk-{i}", "zone": f"https://www.googleapis.com/compute/v1/{zone}"}
    elif kind == 2:
        name = f"//compute.googleapis.com/projects/p{i % 50}/global/snapshots/snap-{i}"
        atype = "compute.googleapis.com/Snapshot"
        data = {
            "name": f"snap-{i}",
            "storageLocations": [rng.choice(["us", "eu", "asia"])],
            "sourceDisk": f"projects/p/zones/{region}-a/disks/d{i}",
        }
    else:
        zone = f"{region}-b"
        name = f"//compute.googleapis.com/projects/p{i % 50}/zones/{zone}/instances/vm-{i}"
        atype = "compute.googleapis.com/Instance"
        data = {"name": f"vm-{i}", "zone": zone, "status": "RUNNING", "labels": {"env": "prod"}}
    location = region if kind in (0, 2) else data.get("zone", region)
    return {
        "name": name,
        "asset_type": atype,
        "resource": {
            "version": "v1",
            "discovery_name": atype.rsplit("/", 1)[-1],
            "parent": parent,
            "location": location if kind != 2 else "global",
            "data": data,
        },
        "ancestors": [parent.rsplit("/", 2)[-2] + "/" + parent.rsplit("/", 1)[-1]],
        "update_time": "2026-12-01T00:00:00Z",
    }


def _config_item(i: int, _rng: random.Random) -> dict[str, object]:
    region = AWS_REGIONS[i % len(AWS_REGIONS)]
    if i % 2:
        return {
            "configurationItemVersion": "1.3",
            "awsAccountId": "123456789012",
            "configurationItemStatus": "OK",
            "resourceType": "AWS::EC2::Volume",
            "resourceId": f"vol-{i:012x}",
            "ARN": f"arn:aws:ec2:{region}:123456789012:volume/vol-{i:012x}",
            "awsRegion": region,
            "availabilityZone": f"{region}a",
            "tags": {"env": "prod"},
            "configuration": {"volumeId": f"vol-{i:012x}", "size": 8, "state": "in-use"},
            "supplementaryConfiguration": {},
        }
    # One bucket in five replicates to a bucket listed before it (as often as not in another
    # region); the destination's region comes from its own item.
    dest = f"bucket-{i - 2}" if i % 10 == 0 and i >= 2 else None
    rules = [
        {"id": "r", "status": "Enabled", "destinationConfig": {"bucketARN": f"arn:aws:s3:::{dest}"}}
    ]
    supplementary: dict[str, object] = {"IsRequesterPaysEnabled": False}
    if dest:
        supplementary["BucketReplicationConfiguration"] = {
            "roleARN": "arn:aws:iam::1:role/r",
            "rules": rules,
        }
    return {
        "configurationItemVersion": "1.3",
        "awsAccountId": "123456789012",
        "configurationItemStatus": "OK",
        "resourceType": "AWS::S3::Bucket",
        "resourceId": f"bucket-{i}",
        "resourceName": f"bucket-{i}",
        "ARN": f"arn:aws:s3:::bucket-{i}",
        "awsRegion": region,
        "availabilityZone": "Regional",
        "tags": {},
        "configuration": {"name": f"bucket-{i}"},
        "supplementaryConfiguration": supplementary,
    }


def generate(path: Path, n: int, shape: str) -> None:
    """Write ``n`` assets of ``shape`` to ``path`` (streamed: the generator is flat too)."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        if shape == "gcp-export":
            for i in range(n):
                f.write(json.dumps(_gcp_line(i, rng), separators=(",", ":")) + "\n")
            return
        f.write('{"fileVersion":"1.0","configSnapshotId":"bench","configurationItems":[\n')
        for i in range(n):
            f.write(("," if i else "") + json.dumps(_config_item(i, rng)) + "\n")
        f.write("]}\n")


FLOOR = """
import json, sys
path, shape = sys.argv[1], sys.argv[2]
count = 0
if shape == "gcp-export":
    with open(path, "rb") as f:
        for line in f:
            json.loads(line); count += 1
else:
    with open(path, "rb") as f:
        count = len(json.load(f)["configurationItems"])
print(count)
"""

IN_MEMORY = """
import json, sys
from cloudaudit import evaluate
from cloudaudit.formats.jsonl import write_jsonl
from cloudaudit.inventory import read_resources
path, out = sys.argv[1], sys.argv[3]
resources = list(read_resources([path]))  # every resource held, as a script would
report = evaluate(resources, "us-foreign-adversaries")
with open(out, "w") as f:
    write_jsonl(report.findings, f)
print(len(resources))
"""


def _run(
    argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[float, float, str]:
    """Run a child process; return wall seconds, its peak RSS in MiB, and its stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{argv[:3]} failed: {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out


def _total(report: Path) -> str:
    """The report's summary total, read from its tail (the findings come before it)."""
    with report.open("rb") as f:
        f.seek(max(0, report.stat().st_size - 2**20))
        found = re.search(rb'"summary": \{\s*"total": (\d+)', f.read())
    return found.group(1).decode() if found else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--assets", type=int, default=1_000_000)
    ap.add_argument("--shape", choices=["gcp-export", "config-snapshot"], default="gcp-export")
    ap.add_argument("--skip-in-memory", action="store_true", help="skip the in-memory script")
    ap.add_argument("--json-report", action="store_true", help="also write the JSON report")
    ap.add_argument("--before", type=Path, help="a checkout to run the JSON report from too")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suffix = ".jsonl" if args.shape == "gcp-export" else ".json"
        path, out = Path(tmp, f"export{suffix}"), Path(tmp, "findings.jsonl")
        start = time.perf_counter()
        generate(path, args.assets, args.shape)
        size = path.stat().st_size
        print(
            f"generated {args.assets:,} assets, {size / 2**20:,.0f} MiB in "
            f"{time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        py = sys.executable
        runs = {
            "floor (json parse only)": [py, "-c", FLOOR, str(path), args.shape],
            "cloudaudit audit inventory --format jsonl": [
                py,
                "-m",
                "cloudaudit",
                "audit",
                "inventory",
                str(path),
                "--format",
                "jsonl",
                "--output",
                str(out),
                "--quiet",
            ],
        }
        if not args.skip_in_memory:
            runs["in memory (list, then evaluate)"] = [py, "-c", IN_MEMORY, str(path), "", str(out)]
        report = Path(tmp, "report.json")
        json_run = [py, "-m", "cloudaudit", "audit", "inventory", str(path), "--format", "json"]
        json_run += ["--output", str(report), "--quiet"]
        checkouts: dict[str, Path | None] = {"": None}
        if args.before is not None:
            checkouts[" (before)"] = args.before.resolve()
        rows = []
        for label, argv in runs.items():
            wall, rss, stdout = _run(argv)
            judged = stdout.strip() if stdout.strip().isdigit() else ""
            if not judged and out.exists():
                last = out.read_text().splitlines()[-1]
                judged = str(json.loads(last).get("total", ""))
            rows.append((label, wall, rss, judged))
        for tag, checkout in checkouts.items() if args.json_report else ():
            env = dict(os.environ, PYTHONPATH=str(checkout)) if checkout else None
            wall, rss, _ = _run(json_run, env, cwd=tmp)  # not the working tree's package
            label = f"cloudaudit audit inventory --format json{tag}"
            rows.append((label, wall, rss, _total(report)))
            print(f"{label}: {wall:.1f} s, {rss:,.0f} MiB", file=sys.stderr)
    print(
        f"\n{args.assets:,} assets ({args.shape}, {size / 2**20:,.0f} MiB), "
        f"Python {platform.python_version()}, {os.cpu_count()} cores\n"
    )
    print("| run | wall (s) | peak RSS (MiB) | resources |")
    print("|---|---|---|---|")
    for label, wall, rss, judged in rows:
        print(f"| {label} | {wall:.1f} | {rss:,.0f} | {judged} |")


if __name__ == "__main__":
    main()
