"""The bounds the stop tests check, and the docs/reliability.md table made from them.

The tests (``test_call_bounds.py``, ``test_deadline_discovery.py``, ``test_interrupt.py``,
``test_output_first.py``) take their limits from here, and :func:`render_table` writes the
same figures into docs/reliability.md (``python tests/reliability/bound_cases.py``, or
``python scripts/generate.py``; ``test_fault_matrix_doc.py`` checks that they agree).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from fault_matrix import doc_path

__all__ = ["CASES", "doc_path", "doc_table", "render_table", "with_table"]

CLOUDS = ("aws", "gcp", "azure", "alibaba")

KNOBS = ["--connect-timeout", "1", "--read-timeout", "0.5", "--max-attempts", "2"]
"""Small per-call knobs: a hung endpoint must become Timeout gaps within KNOB_BOUND."""
KNOB_BOUND = 20.0
"""Seconds: a few sequential phases of 2 attempts x (1 + 0.5) s, with room for a loaded machine
(the defaults would need 60 s or more for a single call)."""

DEADLINE = 3.0
"""Seconds: the deadline given to an audit whose discovery hangs (default per-call knobs);
long enough for a loaded machine to build the first clients and reach the endpoint."""
DEADLINE_SLACK = 4.0
"""Seconds after the deadline the audit may take: the one-second grace, and a loaded machine."""

STOP_WITHIN = 6.0
"""Seconds from SIGINT to exit: the one-second grace, writing the report, a loaded machine."""


@dataclass(frozen=True)
class BoundCase:
    """One fault class of the stop tests: what it is, what the report shows, its bound."""

    what: str
    shows: str
    bound: str
    tested: dict[str, str]  # cloud -> what is tested there


DISCOVERY = {
    "aws": "`sts:GetCallerIdentity`, `ec2:DescribeRegions`; `--organization`: organizations",
    "gcp": "resourcemanager (folders, projects)",
    "azure": "`subscriptions.list`",
    "alibaba": "STS `GetCallerIdentity`",
}

CASES: dict[str, BoundCase] = {
    "silent-call": BoundCase(
        "an endpoint that accepts connections and never answers, with `" + " ".join(KNOBS) + "`",
        "a `Timeout` gap for every scope that reached it; nothing reported compliant",
        f"< {KNOB_BOUND:.0f} s",
        {c: "the CLI" for c in CLOUDS} | {"aws": "the CLI; `--organization`: member accounts"},
    ),
    "hung-discovery": BoundCase(
        f"scope discovery hangs (default per-call knobs), deadline {DEADLINE} s",
        "one gap for the provider naming the call it was making and saying the report is "
        "incomplete; `Cancelled` for each unit cut short; nothing compliant",
        f"< deadline + {DEADLINE_SLACK:.0f} s",
        dict(DISCOVERY),
    ),
    "ctrl-c": BoundCase(
        "SIGINT to the command during a hung call (default per-call knobs)",
        "exit code 130; nothing written: no report, no temporary file",
        f"< {STOP_WITHIN:.0f} s after SIGINT",
        {c: "a real process" for c in CLOUDS},
    ),
    "ctrl-c-partial": BoundCase(
        "the same with `--partial-on-interrupt`",
        "exit code 130; the report, with an `Interrupted` gap naming the call and saying it "
        "is incomplete; nothing compliant; no temporary file",
        f"< {STOP_WITHIN:.0f} s after SIGINT",
        {c: "a real process" for c in CLOUDS},
    ),
    "unwritable-output": BoundCase(
        "`--output` in a missing directory, under a file, on a directory, a file as "
        "`--output-dir`, or a directory that refuses new files",
        "exit code 2, one line naming the path and the fix; no request reaches the cloud; "
        "nothing written",
        "before any call",
        {c: "zero requests" for c in CLOUDS} | {"gcp": "zero requests (every case)"},
    ),
}

BEGIN = "<!-- bound-faults:begin -->"
END = "<!-- bound-faults:end -->"


def render_table() -> str:
    """One row per fault class: what the report shows, the bound, what each cloud tests."""
    rows = [
        "| fault | what the report shows | bound | " + " | ".join(CLOUDS) + " |",
        "|---|---|---|" + "---|" * len(CLOUDS),
    ]
    for fault_id, case in CASES.items():
        cells = " | ".join(case.tested.get(c, "n/a") for c in CLOUDS)
        rows.append(f"| **{fault_id}**: {case.what} | {case.shows} | {case.bound} | {cells} |")
    return "\n".join(rows)


def doc_table(text: str) -> str:
    """The generated part of the doc (between the markers; empty when they are missing)."""
    if BEGIN not in text or END not in text:
        return ""
    return text[text.index(BEGIN) + len(BEGIN) + 1 : text.index(END) - 1]


def with_table(text: str) -> str:
    """``text`` (docs/reliability.md) with the table between the markers rewritten."""
    block = f"{BEGIN}\n{render_table()}\n{END}"
    return re.sub(re.escape(BEGIN) + r".*" + re.escape(END), lambda _m: block, text, flags=re.S)


if __name__ == "__main__":
    path = doc_path()
    path.write_text(with_table(path.read_text()))
    sys.stdout.write(render_table() + "\n")
