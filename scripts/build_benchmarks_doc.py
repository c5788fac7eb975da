"""Assemble docs/benchmarks.md from the per-benchmark sections in docs/benchmarks/*.md.

Each section is written by hand from a run of the script it names (the command is in the
section); this only concatenates them in a fixed order.
"""

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
ORDER = ["summary", "startup", "evaluate", "aws", "gcp", "azure", "org"]
HEADER = """# Benchmarks

Speed is shown by benchmark scripts under `benchmarks/`, never by timed tests. Each section
names the exact command that produced its figures. The machine: 2 cores, 24 GiB, Python 3.11.
Cloud APIs are simulated by local fakes (moto for AWS, the project's REST fakes for GCP and Azure)
with injected per-request latency, so the figures compare strategies, not real clouds.

"""


def build() -> str:
    """Return the assembled document."""
    sections = sorted(
        (DOCS / "benchmarks").glob("*.md"),
        key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem),
    )
    return HEADER + "\n\n".join(p.read_text().strip() for p in sections) + "\n"


if __name__ == "__main__":
    (DOCS / "benchmarks.md").write_text(build())
    print("wrote docs/benchmarks.md")
