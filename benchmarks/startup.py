"""Benchmark: how long ``import cloudaudit`` and ``cloudaudit --version`` take, from a cold process.

Run from the repository root::

    python benchmarks/startup.py --runs 21

Each command runs ``--runs`` times in a fresh interpreter, interleaved with a bare
``python -c pass`` (the interpreter's own start). Reported: the median wall time and its
spread (the interquartile range), the median minus the bare interpreter's median, and the
median CPU time (user + system; steadier than wall time on a shared machine). Last,
the ten slowest imports of ``import cloudaudit`` (``python -X importtime``, cumulative µs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import cloudaudit'": [sys.executable, "-c", "import cloudaudit"],
    "python -m cloudaudit --version": [sys.executable, "-m", "cloudaudit", "--version"],
    "python -m cloudaudit --help": [sys.executable, "-m", "cloudaudit", "--help"],
}


def once(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from ``wait4``) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            wall, cpu = once(argv)
            times[name].append(wall)
            cpus[name].append(cpu)
    bare = statistics.median(times["python -c pass"])
    print(
        "| command | median wall (s) | wall IQR (s) | minus bare interpreter (s) | median CPU (s) |"
    )
    print("|---|---|---|---|---|")
    for name, values in times.items():
        q = statistics.quantiles(values, n=4)
        med = statistics.median(values)
        cpu = statistics.median(cpus[name])
        print(f"| `{name}` | {med:.3f} | {q[2] - q[0]:.3f} | {med - bare:.3f} | {cpu:.3f} |")
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import cloudaudit"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split("|") for line in out.stderr.splitlines()[1:]]
    slow = sorted(rows, key=lambda r: -int(r[1]))[:10]
    print("\nslowest imports of `import cloudaudit` (cumulative µs):")
    for r in slow:
        print(f"  {int(r[1]):>8}  {r[2].strip()}")


if __name__ == "__main__":
    main()
