"""Benchmark: Azure Resource Graph fast path against per-subscription ARM listing.

Runs the real azure-mgmt clients over HTTPS against the test suite's fake ARM (werkzeug +
trustme) with injected latency on every request, over a synthetic tenant of ``--subscriptions``
subscriptions with ``--per-subscription`` resources each. Both paths run in the same process
against the same data; the script prints wall time, API calls and resources per path and can
write a Markdown section.

Usage:
    python benchmarks/azure.py --subscriptions 120 --per-subscription 100 --latency 0.075
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# This file is called azure.py: drop its directory from sys.path so that ``import azure``
# finds the Azure SDK namespace package, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "tests" / "providers" / "azure"))

from azure_fake import FakeARM, Tenant, resource  # noqa: E402
from azure_tenant import _locations  # noqa: E402

from cloudaudit.providers import FanOut, Inventory  # noqa: E402
from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential  # noqa: E402

TYPES = [
    ("Microsoft.Storage/storageAccounts", {"sku": {"name": "Standard_GRS"}}),
    ("Microsoft.Compute/disks", {"sku": {"name": "Premium_LRS"}}),
    ("Microsoft.Compute/virtualMachines", {}),
    ("Microsoft.Compute/snapshots", {}),
    ("Microsoft.KeyVault/vaults", {}),
    ("Microsoft.Web/sites", {"kind": "app"}),
    (
        "Microsoft.DocumentDB/databaseAccounts",
        {
            "properties": {
                "locations": [{"locationName": "West Europe"}, {"locationName": "North Europe"}]
            }
        },
    ),
    ("Microsoft.Network/networkInterfaces", {}),
]
REGIONS = ["westeurope", "northeurope", "eastus", "brazilsouth", "eastasia", "germanywestcentral"]


def build_tenant(subs: int, per_sub: int) -> Tenant:
    """A synthetic tenant: ``subs`` subscriptions of ``per_sub`` resources each."""
    ids = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(subs)]
    resources: dict[str, list[dict[str, Any]]] = {}
    for n, sub in enumerate(ids):
        rows = []
        for i in range(per_sub):
            arm_type, extra = TYPES[i % len(TYPES)]
            loc = REGIONS[(n + i) % len(REGIONS)]
            rows.append(resource(sub, f"rg-{i % 7}", arm_type, f"r{n}-{i}", loc, **extra))
        resources[sub] = rows
    return Tenant(
        subscriptions=[{"id": f"/subscriptions/{s}", "subscriptionId": s} for s in ids],
        locations=_locations(),
        resources=resources,
    )


def run(fake: FakeARM, graph: bool, workers: int) -> dict[str, Any]:
    """Audit the fake tenant once; return wall time, calls by kind and resource count."""
    fake.log.clear()
    provider = AzureProvider(
        credential=StaticTokenCredential("bench-token"),
        arm_endpoint=fake.url,
        connection_verify=fake.ca_file,
        use_resource_graph=graph,
        retry_backoff_factor=0,
    )
    inv = Inventory()
    start = time.perf_counter()
    for batch in provider.collect(
        FanOut(max_workers=workers, classifiers=list(provider.classifiers()))
    ):
        inv.add(batch)
    wall = time.perf_counter() - start
    kinds: Counter[str] = Counter()
    for _m, path, _s in fake.log:
        if path.startswith("/providers/Microsoft.ResourceGraph"):
            kinds["resourcegraph"] += 1
        elif "/locations" in path:
            kinds["list_locations"] += 1
        elif "/resources" in path:
            kinds["resources.list"] += 1
        else:
            kinds["subscriptions.list"] += 1
    return {
        "wall": wall,
        "calls": sum(kinds.values()),
        "kinds": dict(kinds),
        "resources": len(inv.resources),
        "gaps": len(inv.gaps),
    }


def markdown(args: argparse.Namespace, results: dict[str, dict[str, Any]], command: str) -> str:
    """The docs/benchmarks section."""
    lines = [
        "## Azure: Resource Graph against per-subscription listing",
        "",
        f"Command: `{command}`",
        "",
        f"Synthetic tenant: {args.subscriptions} subscriptions x {args.per_subscription} "
        f"resources = {args.subscriptions * args.per_subscription} resources; fake ARM over HTTPS "
        f"(werkzeug + trustme) with {int(args.latency * 1000)} ms injected latency per request; "
        f"`resources.list` pages of {args.arm_page} rows, Resource Graph pages of 1,000 rows; "
        f"FanOut max_workers={args.workers}; real azure-mgmt clients.",
        "",
        f"Median of {args.repeat} alternating rounds after one warm-up round.",
        "",
        "| Path | Wall time (s) | API calls | by kind | Resources | Gaps |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for name, r in results.items():
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items()))
        row = [
            name,
            f"{r['wall']:.2f}",
            str(r["calls"]),
            kinds,
            str(r["resources"]),
            str(r["gaps"]),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Both paths call `list_locations` once per subscription (catalog check and paired "
        "regions). Resource Graph replaces one or more `resources.list` pages per subscription "
        "with one query per 1,000 rows over up to 1,000 subscriptions, and also returns the "
        "properties needed for copies (Cosmos DB locations, vault redundancy), which "
        "`resources.list` does not.",
        "",
        "Reading: on a 2-core machine where the fake server and the clients share one process, "
        "wall time is dominated by CPU (TLS, JSON, building 12,000 resources) and by the "
        "`list_locations` calls both paths make, so the two paths finish within run-to-run "
        "noise of each other. The robust differences are the API calls (listing: "
        f"{results['Resource Graph']['kinds'].get('resourcegraph', 0)} Resource Graph pages "
        f"against {results['resources.list per subscription']['kinds'].get('resources.list', 0)}"
        " `resources.list` pages) and completeness: the fallback cannot read Cosmos DB "
        "locations or vault redundancy, so it reports one `CopiesUnavailable` gap per "
        "subscription and those copies as unknown.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run both paths and print (and optionally write) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=120)
    parser.add_argument("--per-subscription", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.075, help="seconds per request")
    parser.add_argument("--arm-page", type=int, default=100, help="rows per resources.list page")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--write", type=Path, default=None, help="write a Markdown section here")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tenant = build_tenant(args.subscriptions, args.per_subscription)
    results: dict[str, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeARM(tenant, Path(tmp), page_size=args.arm_page, latency=args.latency) as fake,
    ):
        run(fake, True, args.workers)  # warm-up: imports, TLS, fake caches
        paths = (("Resource Graph", True), ("resources.list per subscription", False))
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in paths}
        for i in range(args.repeat):
            for name, graph in paths if i % 2 == 0 else paths[::-1]:
                rounds[name].append(run(fake, graph, args.workers))
        for name, runs in rounds.items():
            results[name] = r = sorted(runs, key=lambda x: x["wall"])[len(runs) // 2]
            walls = ", ".join(f"{x['wall']:.2f}" for x in runs)
            print(f"{name}: median {r['wall']:.2f}s of [{walls}], {r['calls']} calls", end=" ")
            print(f"{r['kinds']}, {r['resources']} resources, {r['gaps']} gaps")
    expected = args.subscriptions * args.per_subscription
    for name, r in results.items():
        if r["resources"] != expected:
            raise SystemExit(f"{name}: {r['resources']} resources, expected {expected}")
    command = (
        "python benchmarks/azure.py "
        + " ".join(sys.argv[1:]).replace(str(args.write or ""), "docs/benchmarks/azure.md").strip()
    )
    if args.write:
        args.write.write_text(markdown(args, results, command))
        print(f"written to {args.write}")


if __name__ == "__main__":
    main()
