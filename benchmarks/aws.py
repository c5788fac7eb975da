"""Benchmark: cloudaudit's CLI against a competent boto3 script and the floor, over moto.

Run from the repository root (with the ``aws`` and ``test`` extras installed)::

    python benchmarks/aws.py --latency 0 100 300 --rounds 5

A moto server runs in a child process on loopback (``_motoserver.py``): every request is
counted by operation and held for the injected latency. The account is seeded over HTTP: a
bucket in every region DescribeRegions lists, an EBS volume and a snapshot in 20 of them, EC2
instances, RDS instances and a snapshot, DynamoDB tables, and two buckets replicating into
another region. Every contender reads the same things for ``--services s3,ec2,rds,dynamodb``
in every region DescribeRegions lists: EC2 instances, volumes, owned snapshots and owned AMIs,
and the snapshots and AMIs in the Recycle Bin; RDS DB instances, clusters (and global clusters
when a cluster is global), DB snapshots, cluster snapshots and retained automated backups;
DynamoDB tables (ListTables, DescribeTable each, DescribeGlobalTable for a legacy global
table) and backups; S3 buckets with their region and replication (read in the bucket's
region) and each replication destination's region. The contenders:

* ``fair``: what a competent engineer writes: one ``boto3.Session``, one client per service
  and region built once (under a lock: sessions are not thread-safe), a pool of 32 threads
  over regions, then the per-bucket calls on a pool of 32;
* ``floor``: clients pre-built before the clock starts, then every call of a wave issued at
  once (first the listings, then the per-item calls that need their answers);
* ``cloudaudit``: ``python -m cloudaudit audit aws --services s3,ec2,rds,dynamodb --format
  json`` with default settings, as a user runs it;
* ``cloudaudit (before)`` (``--before DIR``): the same command run from an earlier checkout
  of the package (how much this version changed);
* ``naive`` (``--naive``): the earlier baseline (a Session per region task, a client per call
  site, buckets one after the other), labelled as such;
* ``cloudaudit ×2 processes`` (``--split``): what processes per region batch could give at
  best on this machine: two CLI processes at once, each with half the regions
  (``--regions``), S3 in the first only; wall until both exit, CPU and peak RSS summed, no
  merging of the two reports counted.

Each contender is a fresh process. Before the rounds, the measured checkouts' ``cloudaudit``
packages and this folder are byte-compiled (``compileall``), as ``pip install`` does: a child
run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module of a checkout
from source at each start (about 0.1 s of CPU for the CLI), which an installed package never
does. Wall time is from spawn to exit (interpreter start and imports included) for every row;
``work`` is the script's own timing after its imports (for the floor: after its clients are
built). CPU is the child's user + system time and peak RSS its maximum resident set
(``wait4``). API calls are counted by the server. Rounds are paired: each round runs every
contender once, in rotating order; the table shows medians and the
spread (max - min) over rounds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _motoserver import STOCK_DISPATCH, Server, serve

SERVICES = "s3,ec2,rds,dynamodb"
POOL = 32
Row = tuple[str, str, tuple[str, ...]]  # (id, region, copy regions)


# ---------------------------------------------------------------- seeding (over HTTP)
def seed(env: dict[str, str]) -> dict[str, Any]:
    """Create the account's resources through the server; return what was made."""
    import boto3

    os.environ.update(env)
    session = boto3.Session(region_name="us-east-1")
    regions = aws_regions(session.client("ec2"))
    lock = threading.Lock()

    def client(service: str, region: str) -> Any:
        with lock:
            return session.client(service, region_name=region)

    def per_region(i_region: tuple[int, str]) -> None:
        i, region = i_region
        s3 = client("s3", region)
        conf = {} if region == "us-east-1" else {"LocationConstraint": region}
        s3.create_bucket(Bucket=f"bench-{region}", CreateBucketConfiguration=conf)
        if i % 2 == 0:
            ec2 = client("ec2", region)
            vol = ec2.create_volume(Size=8, AvailabilityZone=f"{region}a")
            ec2.create_snapshot(VolumeId=vol["VolumeId"], Description=f"bench {region}")
        if i % 10 == 1:
            client("ec2", region).run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
        if i % 12 == 2:
            rds = client("rds", region)
            rds.create_db_instance(
                DBInstanceIdentifier=f"db-{region}",
                DBInstanceClass="db.t3.micro",
                Engine="postgres",
                MasterUsername="bench",
                MasterUserPassword="bench-password",
                AllocatedStorage=20,
            )
            rds.create_db_snapshot(
                DBInstanceIdentifier=f"db-{region}", DBSnapshotIdentifier=f"snap-{region}"
            )
        if i % 12 == 5:
            client("dynamodb", region).create_table(
                TableName=f"table-{region}",
                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(per_region, enumerate(regions)))
    for source, dest in (("eu-west-1", "ap-east-1"), ("us-east-1", "eu-central-1")):
        for name in (source, dest):
            client("s3", name).put_bucket_versioning(
                Bucket=f"bench-{name}", VersioningConfiguration={"Status": "Enabled"}
            )
        client("s3", source).put_bucket_replication(
            Bucket=f"bench-{source}",
            ReplicationConfiguration={
                "Role": "arn:aws:iam::123456789012:role/replication",
                "Rules": [
                    {
                        "ID": "all",
                        "Status": "Enabled",
                        "Priority": 1,
                        "Filter": {},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": {"Bucket": f"arn:aws:s3:::bench-{dest}"},
                    }
                ],
            },
        )
    return {"regions": len(regions)}


# ---------------------------------------------------------------- what every side reads
def aws_regions(ec2: Any) -> list[str]:
    """The regions DescribeRegions lists as enabled, in the aws partition.

    moto also lists the China and GovCloud regions, which real AWS never returns to an
    aws-partition account; every contender (cloudaudit too) leaves them out.
    """
    regions = ec2.describe_regions()["Regions"]
    return [r["RegionName"] for r in regions if not r["RegionName"].startswith(("cn-", "us-gov-"))]


def regional_reads(clients: dict[str, Any], region: str) -> list[Row]:
    """Every regional listing cloudaudit makes for ec2, rds and dynamodb, one region."""
    ec2, rds, ddb = clients["ec2"], clients["rds"], clients["dynamodb"]
    rows: list[Row] = []
    for res in pages(ec2, "describe_instances", "Reservations"):
        rows += [(i["InstanceId"], region, ()) for i in res.get("Instances", [])]
    rows += [(v["VolumeId"], region, ()) for v in pages(ec2, "describe_volumes", "Volumes")]
    snaps = pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"])
    rows += [(s["SnapshotId"], region, ()) for s in snaps]
    images = pages(ec2, "describe_images", "Images", Owners=["self"])
    rows += [(i["ImageId"], region, ()) for i in images]
    for operation, key, field in RECYCLE_BIN:  # kept after a delete, still in the region
        rows += [(i[field], region, ()) for i in pages(ec2, operation, key)]
    for db in pages(rds, "describe_db_instances", "DBInstances"):
        copies = tuple(r.split(":")[3] for r in db.get("ReadReplicaDBInstanceIdentifiers", []))
        rows.append((db["DBInstanceArn"], region, copies))
    clusters = pages(rds, "describe_db_clusters", "DBClusters")
    if any(c.get("GlobalClusterIdentifier") for c in clusters):
        pages(rds, "describe_global_clusters", "GlobalClusters")
    rows += [(c["DBClusterArn"], region, ()) for c in clusters]
    for snap in pages(rds, "describe_db_snapshots", "DBSnapshots"):
        rows.append((snap["DBSnapshotArn"], region, ()))
    for snap in pages(rds, "describe_db_cluster_snapshots", "DBClusterSnapshots"):
        rows.append((snap["DBClusterSnapshotArn"], region, ()))
    backups = pages(rds, "describe_db_instance_automated_backups", "DBInstanceAutomatedBackups")
    rows += [
        (b["DBInstanceAutomatedBackupsArn"], region, ())
        for b in backups
        if b.get("Status") == "retained"  # left by a deleted instance
    ]
    for name in [
        n
        for page in ddb.get_paginator("list_tables").paginate()
        for n in page.get("TableNames", [])
    ]:
        table = ddb.describe_table(TableName=name)["Table"]
        copies = tuple(r["RegionName"] for r in table.get("Replicas") or ())
        if table.get("GlobalTableVersion") == "2017.11.29":
            ddb.describe_global_table(GlobalTableName=name)
        rows.append((table["TableArn"], region, copies))
    backups = pages(ddb, "list_backups", "BackupSummaries", BackupType="ALL")
    rows += [(b["BackupArn"], region, ()) for b in backups]  # kept after a table is deleted
    return rows


RECYCLE_BIN = (
    ("list_snapshots_in_recycle_bin", "Snapshots", "SnapshotId"),
    ("list_images_in_recycle_bin", "Images", "ImageId"),
)
"""The EC2 Recycle Bin's listings (operation, result key, id field)."""


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of ``key`` over every page of ``operation``."""
    return [i for p in client.get_paginator(operation).paginate(**kwargs) for i in p.get(key, [])]


def bucket_row(s3_in: Callable[[str], Any], bucket: dict[str, Any]) -> Row:
    """One bucket: its region, its replication (in its region), its destinations' regions."""
    from botocore.exceptions import ClientError

    home = s3_in("us-east-1")
    name = bucket["Name"]
    region = bucket.get("BucketRegion") or location(home, name)
    try:
        rules = s3_in(region).get_bucket_replication(Bucket=name)["ReplicationConfiguration"]
    except ClientError:
        rules = {"Rules": []}
    dests = {r["Destination"]["Bucket"].rsplit(":", 1)[-1] for r in rules["Rules"]}
    return (name, region, tuple(location(home, d) for d in sorted(dests)))


def location(s3: Any, bucket: str) -> str:
    """A bucket's region from GetBucketLocation."""
    return s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"


# ---------------------------------------------------------------- the contenders (child side)
def run_fair() -> dict[str, Any]:
    """One session, clients once per service x region, 32 threads over regions."""
    import boto3

    start = time.perf_counter()
    session = boto3.Session(region_name="us-east-1")
    lock = threading.Lock()
    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        with lock:  # a Session is not thread-safe: build under a lock, once
            if (service, region) not in cache:
                cache[service, region] = session.client(service, region_name=region)
            return cache[service, region]

    regions = aws_regions(client("ec2", "us-east-1"))

    def region_task(region: str) -> list[Row]:
        return regional_reads({s: client(s, region) for s in ("ec2", "rds", "dynamodb")}, region)

    with ThreadPoolExecutor(POOL) as pool:
        rows = [row for part in pool.map(region_task, regions) for row in part]
        buckets = pages(client("s3", "us-east-1"), "list_buckets", "Buckets")
        rows += pool.map(lambda b: bucket_row(lambda r: client("s3", r), b), buckets)
    return {"work_s": time.perf_counter() - start, "resources": len(rows)}


def run_floor() -> dict[str, Any]:
    """Clients pre-built (not timed); every call of a wave issued at once."""
    import boto3

    build = time.perf_counter()
    session = boto3.Session(region_name="us-east-1")
    ec2 = session.client("ec2", region_name="us-east-1")
    regions = aws_regions(ec2)
    clients = {
        (s, r): session.client(s, region_name=r)
        for r in regions
        for s in ("ec2", "rds", "dynamodb", "s3")
    }
    build_s = time.perf_counter() - build
    start = time.perf_counter()
    listings: list[tuple[str, str, str, dict[str, Any]]] = [
        (r, s, op, kw)
        for r in regions
        for s, op, kw in (
            ("ec2", "describe_instances", {}),
            ("ec2", "describe_volumes", {}),
            ("ec2", "describe_snapshots", {"OwnerIds": ["self"]}),
            ("ec2", "describe_images", {"Owners": ["self"]}),
            ("ec2", "list_snapshots_in_recycle_bin", {}),
            ("ec2", "list_images_in_recycle_bin", {}),
            ("rds", "describe_db_instances", {}),
            ("rds", "describe_db_clusters", {}),
            ("rds", "describe_db_snapshots", {}),
            ("rds", "describe_db_cluster_snapshots", {}),
            ("rds", "describe_db_instance_automated_backups", {}),
            ("dynamodb", "list_tables", {}),
            ("dynamodb", "list_backups", {"BackupType": "ALL"}),
        )
    ]
    listings.append(("us-east-1", "s3", "list_buckets", {}))
    with ThreadPoolExecutor(len(listings)) as pool:
        answers = list(pool.map(lambda c: getattr(clients[c[1], c[0]], c[2])(**c[3]), listings))
        rows = sum(count(op, a) for (_, _, op, _), a in zip(listings, answers, strict=True))
        tables = [
            (r, n)
            for (r, _, op, _), a in zip(listings, answers, strict=True)
            if op == "list_tables"
            for n in a["TableNames"]
        ]
        buckets = answers[-1]["Buckets"]
        s3_in: Callable[[str], Any] = lambda r: clients["s3", r]  # noqa: E731
        wave = [
            lambda t=t: clients["dynamodb", t[0]].describe_table(TableName=t[1]) for t in tables
        ]
        wave += [lambda b=b: bucket_row(s3_in, b) for b in buckets]
        done = list(ThreadPoolExecutor(max(1, len(wave))).map(lambda f: f(), wave))
    rows += len(done)
    return {"work_s": time.perf_counter() - start, "resources": rows, "build_s": build_s}


def count(operation: str, answer: dict[str, Any]) -> int:
    """Resources in one listing answer (tables and buckets are counted in the second wave)."""
    if operation == "describe_instances":
        return sum(len(r["Instances"]) for r in answer["Reservations"])
    keys = {
        "describe_volumes": "Volumes",
        "describe_snapshots": "Snapshots",
        "describe_images": "Images",
        "list_snapshots_in_recycle_bin": "Snapshots",
        "list_images_in_recycle_bin": "Images",
        "list_backups": "BackupSummaries",
        "describe_db_instances": "DBInstances",
        "describe_db_clusters": "DBClusters",
        "describe_db_snapshots": "DBSnapshots",
        "describe_db_cluster_snapshots": "DBClusterSnapshots",
    }
    if operation == "describe_db_instance_automated_backups":
        backups = answer["DBInstanceAutomatedBackups"]
        return sum(1 for b in backups if b.get("Status") == "retained")
    return len(answer[keys[operation]]) if operation in keys else 0


def run_naive() -> dict[str, Any]:
    """The earlier baseline: a Session per region task, a client per call site."""
    import boto3

    start = time.perf_counter()
    regions = aws_regions(boto3.client("ec2", region_name="us-east-1"))

    def region_task(region: str) -> list[Row]:
        session = boto3.session.Session(region_name=region)
        fresh = _Fresh(session)
        return regional_reads(fresh, region)  # type: ignore[arg-type]

    with ThreadPoolExecutor(16) as pool:
        rows = [row for part in pool.map(region_task, regions) for row in part]
    s3 = boto3.client("s3", region_name="us-east-1")
    for bucket in s3.list_buckets()["Buckets"]:
        with contextlib.suppress(Exception):
            rows.append(bucket_row(lambda r: boto3.client("s3", region_name=r), bucket))
    return {"work_s": time.perf_counter() - start, "resources": len(rows)}


class _Fresh(dict[str, Any]):
    """``clients[service]`` that builds a new client at every call site."""

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def __getitem__(self, service: str) -> Any:
        return self.session.client(service)


SPLIT = "cloudaudit ×2 processes"
SIDES: dict[str, Callable[[], dict[str, Any]]] = {
    "fair": run_fair,
    "floor": run_floor,
    "naive": run_naive,
}


# ---------------------------------------------------------------- the driver (parent side)
def cli_argv(
    out_file: str, services: str = SERVICES, regions: list[str] | None = None
) -> list[str]:
    """The CLI command every cloudaudit row runs (default settings)."""
    argv = [sys.executable, "-m", "cloudaudit", "audit", "aws", "--services", services]
    argv += ["--regions", ",".join(regions)] if regions else []
    return [*argv, "--format", "json", "--output", out_file, "--fail-on", "never"]


def measure_split(server: Server, env: dict[str, str], out_file: str) -> dict[str, Any]:
    """Two CLI processes at once, the regions split in halves (S3 in the first only)."""
    import boto3

    server.get("reset")
    ec2 = boto3.Session(region_name="us-east-1").client("ec2", endpoint_url=server.url)
    regions = aws_regions(ec2)
    server.get("reset")
    outs = [f"{out_file}.{i}" for i in (0, 1)]
    argvs = [
        cli_argv(outs[0], SERVICES, regions[0::2]),
        cli_argv(outs[1], SERVICES.replace("s3,", ""), regions[1::2]),
    ]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        procs = [subprocess.Popen(a, env=env, stdout=errors, stderr=errors) for a in argvs]
        usages = []
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)
            usages.append(usage)
            if os.waitstatus_to_exitcode(status) != 0:
                errors.seek(0)
                raise RuntimeError(f"split child failed: {errors.read().decode()[-3000:]}")
    wall = time.perf_counter() - start
    calls = server.get("reset")
    findings = 0
    for out in outs:
        with open(out, encoding="utf-8") as fh:
            findings += len(json.load(fh)["findings"])
    return {
        "wall_s": wall,
        "cpu_s": sum(u.ru_utime + u.ru_stime for u in usages),
        "rss_mib": sum(u.ru_maxrss for u in usages) / 1024,
        "calls": calls["count"],
        "by_operation": calls["by_operation"],
        "resources": findings,
    }


def measure(server: Server, side: str, env: dict[str, str], out_file: str) -> dict[str, Any]:
    """Run one contender in a fresh process; add the server's call counts."""
    if side == SPLIT:
        return measure_split(server, env, out_file)
    server.get("reset")
    if side.startswith("cloudaudit"):
        argv = cli_argv(out_file)
    else:
        argv = [sys.executable, __file__, "--side", side]
    cwd = None
    if side == "cloudaudit (before)":  # an earlier checkout of the package, same command
        cwd = os.environ["CLOUDAUDIT_BEFORE"]  # ``-m`` puts the working directory first
        env = dict(env, PYTHONPATH=cwd)
    result = run_child(argv, env, cwd)
    calls = server.get("reset")
    result["calls"] = calls["count"]
    result["by_operation"] = calls["by_operation"]
    if side.startswith("cloudaudit"):
        with open(out_file, encoding="utf-8") as fh:
            report = json.load(fh)
        result["resources"] = len(report["findings"])
        result["gaps"] = len(report["coverage"]["gaps"])
    else:
        inner = json.loads(result["stdout"].strip().splitlines()[-1])
        result.update(inner)
    return result


def run_child(argv: list[str], env: dict[str, str], cwd: str | None = None) -> dict[str, Any]:
    """Spawn, wait with ``wait4`` (CPU and peak RSS of that child alone)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=errors, cwd=cwd)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        errors.seek(0)
        err = errors.read()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited {proc.returncode}: {err.decode()[-3000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "stdout": out.decode(),
    }


def median_row(runs: list[dict[str, Any]], key: str) -> tuple[float, float]:
    """Median and spread (max - min) of ``key`` over the rounds."""
    values = [r[key] for r in runs]
    return statistics.median(values), max(values) - min(values)


def table(results: dict[tuple[int, str], list[dict[str, Any]]], sides: Iterable[str]) -> str:
    """The Markdown table of medians, spreads and ratios."""
    lines = [
        "| latency | contender | wall (s) | work (s) | CPU (s) | API calls | peak RSS (MiB) "
        "| resources | wall ÷ fair | wall ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ms in sorted({k[0] for k in results}):
        fair = median_row(results[ms, "fair"], "wall_s")[0]
        floor = median_row(results[ms, "floor"], "floor_s")[0]
        for side in sides:
            runs = results[ms, side]
            wall, wall_spread = median_row(runs, "wall_s")
            cpu, cpu_spread = median_row(runs, "cpu_s")
            work = f"{median_row(runs, 'work_s')[0]:.2f}" if "work_s" in runs[0] else "—"
            calls = int(statistics.median(r["calls"] for r in runs))
            rss = statistics.median(r["rss_mib"] for r in runs)
            res = int(statistics.median(r["resources"] for r in runs))
            lines.append(
                f"| {ms} ms | {side} | {wall:.2f} ± {wall_spread / 2:.2f} | {work} "
                f"| {cpu:.2f} ± {cpu_spread / 2:.2f} | {calls} | {rss:.0f} | {res} "
                f"| {wall / fair:.2f}× | {wall / floor:.2f}× |"
            )
    return "\n".join(lines)


def compile_checkouts(before: str | None) -> None:
    """Byte-compile what the children import from checkouts, as an installed package is."""
    import compileall

    here = os.path.dirname(os.path.abspath(__file__))
    folders = [here, os.path.join(os.getcwd(), "cloudaudit")]
    folders += [os.path.join(os.path.abspath(before), "cloudaudit")] if before else []
    for folder in folders:
        if os.path.isdir(folder):
            compileall.compile_dir(folder, quiet=1)


def main() -> None:
    """Start the server, seed it, run the paired rounds, print the table and the calls."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=int, nargs="*", default=[0, 100, 300])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--naive", action="store_true", help="add the per-region-Session row")
    parser.add_argument("--split", action="store_true", help="add the two-process CLI row")
    parser.add_argument("--json", help="also write every run's figures to this file")
    parser.add_argument(
        "--stock-dispatch",
        action="store_true",
        help="keep moto's dispatcher as it is (one lock for every request; see _motoserver)",
    )
    parser.add_argument(
        "--before", help="also run the CLI from this earlier checkout's directory (a row)"
    )
    args = parser.parse_args()
    if args.stock_dispatch:  # the server child inherits it
        os.environ[STOCK_DISPATCH] = "1"
    if args.serve:
        serve({})
        return
    if args.side:
        print(json.dumps(SIDES[args.side]()))
        return
    server = Server(__file__)
    sides = ["fair", "floor", "cloudaudit", *(["naive"] if args.naive else [])]
    sides += [SPLIT] if args.split else []
    if args.before:
        os.environ["CLOUDAUDIT_BEFORE"] = os.path.abspath(args.before)
        sides.append("cloudaudit (before)")
    results: dict[tuple[int, str], list[dict[str, Any]]] = {}
    compile_checkouts(args.before)
    try:
        env = server.environ()
        seeded = seed(env)
        print(f"seeded: {seeded}", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            out_file = os.path.join(tmp, "report.json")
            for ms in args.latency:
                server.get(f"latency?ms={ms}")
                for i in range(args.rounds):
                    order = sides[i % len(sides) :] + sides[: i % len(sides)]
                    for side in order:
                        r = measure(server, side, env, out_file)
                        # the floor's wall: its process minus the untimed client building
                        r["floor_s"] = r["wall_s"] - r.get("build_s", 0.0)
                        results.setdefault((ms, side), []).append(r)
                        print(f"{ms} ms round {i} {side}: {r['wall_s']:.2f} s", file=sys.stderr)
    finally:
        server.close()
    print(table(results, sides))
    print()
    for side in sides:
        ops = results[args.latency[0], side][0]["by_operation"]
        print(f"{side}: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({f"{k[0]} {k[1]}": v for k, v in results.items()}, fh, indent=1)


if __name__ == "__main__":
    main()
