"""The fault matrix as data: what each fault is, and per cloud its target and expected gap.

The per-cloud fault tests parametrise over :data:`MATRIX`, and ``docs/reliability.md`` holds the
table :func:`render_table` makes from it (a test checks the two agree). Regenerate the doc table
with ``python tests/reliability/fault_matrix.py``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

BOUND_SECONDS = 30.0
"""Every faulted audit must end within this wall time (a generous bound that catches hangs)."""

FAULTS: dict[str, str] = {
    "throttle-429": "HTTP 429 on every call of the target, retries exhausted",
    "slowdown-503": "HTTP 503 SlowDown / server busy on the target",
    "throttling-exception": "ThrottlingException (or the cloud's throttling code) on the target",
    "request-limit": "RequestLimitExceeded (or the cloud's quota code) on the target",
    "server-500": "HTTP 500 internal error on the target",
    "connection-reset": "the connection is closed without a response",
    "read-timeout": "the response is held past the client's read timeout",
    "access-denied-service": "AccessDenied on one service",
    "scp-deny-region": "an explicit deny (SCP or equivalent policy) on one region or scope",
    "disabled-region": "a region that is not enabled for the account",
    "unreachable-refused": "the endpoint refuses the TCP connection",
    "unreachable-silent": "the endpoint accepts and never answers",
    "malformed-body": "a 200 response whose body is cut in half",
    "repeated-token": "a pagination token that comes back unchanged",
    "expired-credentials": "credentials that expire mid-run (every call after discovery fails)",
}


@dataclass(frozen=True)
class Expect:
    """What one fault does to one cloud's audit.

    Attributes:
        target: The scope the fault hits (human-readable).
        codes: Gap codes accepted for the target scope (the cloud's error code).
        outcome: What the audit reports.
    """

    target: str
    codes: tuple[str, ...]
    outcome: str = "gap for the target; every other resource reported once"


GAP = "gap for the target; every other resource reported once"
ALL = "every scope after discovery is a gap; no resource reported compliant"
WHOLE = "one gap for the whole provider; nothing reported compliant"

MATRIX: dict[str, dict[str, Expect]] = {
    "aws": {
        "throttle-429": Expect("ec2 eu-west-1", ("TooManyRequestsException",)),
        "slowdown-503": Expect("s3 (account-wide)", ("SlowDown",)),
        "throttling-exception": Expect("ec2 eu-west-1", ("ThrottlingException",)),
        "request-limit": Expect("ec2 eu-west-1", ("RequestLimitExceeded",)),
        "server-500": Expect("ec2 eu-west-1", ("InternalError",)),
        "connection-reset": Expect("ec2 eu-west-1", ("EndpointConnectionError",)),
        "read-timeout": Expect("ec2 eu-west-1", ("Timeout",)),
        "access-denied-service": Expect("s3 (account-wide)", ("AccessDenied",)),
        "scp-deny-region": Expect("region eu-west-1", ("AccessDenied",)),
        "disabled-region": Expect("region me-south-1", ("OptInRequired",)),
        "unreachable-refused": Expect("region eu-west-1", ("EndpointConnectionError",)),
        "unreachable-silent": Expect("region eu-west-1", ("Timeout",)),
        "malformed-body": Expect("ec2 eu-west-1", ("MalformedResponse",)),
        "repeated-token": Expect("ec2 eu-west-1", ("PaginationError",)),
        "expired-credentials": Expect("every unit", ("ExpiredToken",), ALL),
    },
    "alibaba": {
        "throttle-429": Expect("ecs instances us-east-1", ("Throttling.User",)),
        "slowdown-503": Expect("ecs instances us-east-1", ("ServiceUnavailable",)),
        "throttling-exception": Expect("ecs instances us-east-1", ("Throttling",)),
        "request-limit": Expect("ecs instances us-east-1", ("Throttling.Api",)),
        "server-500": Expect("ecs instances us-east-1", ("InternalError",)),
        "connection-reset": Expect("ecs instances us-east-1", ("ConnectionError",)),
        "read-timeout": Expect("ecs instances us-east-1", ("Timeout",)),
        "access-denied-service": Expect("rds (every region)", ("Forbidden.RAM",)),
        "scp-deny-region": Expect("region us-east-1", ("Forbidden.RAM",)),
        "disabled-region": Expect("region us-east-1", ("InvalidRegionId",)),
        "unreachable-refused": Expect("endpoint (every unit)", ("ConnectionError",), WHOLE),
        "unreachable-silent": Expect("region us-east-1", ("Timeout", "ResponseError")),
        "malformed-body": Expect("ecs instances us-east-1", ("MalformedResponse",)),
        "repeated-token": Expect("ecs instances us-east-1", ("PaginationLoop",)),
        "expired-credentials": Expect("every unit", ("InvalidSecurityToken.Expired",), ALL),
    },
    "gcp": {
        "throttle-429": Expect("search compute Instance in p-b", ("RESOURCE_EXHAUSTED",)),
        "slowdown-503": Expect("search compute Instance in p-b", ("UNAVAILABLE",)),
        "throttling-exception": Expect("search compute Instance in p-b", ("RATE_LIMIT_EXCEEDED",)),
        "request-limit": Expect("search compute Instance in p-b", ("QUOTA_EXCEEDED",)),
        "server-500": Expect("search compute Instance in p-b", ("INTERNAL",)),
        "connection-reset": Expect("search compute Instance in p-b", ("ConnectionError",)),
        "read-timeout": Expect("search compute Instance in p-b", ("Timeout",)),
        "access-denied-service": Expect(
            "Cloud Asset at the first search (every project; SQL not audited)",
            ("IAM_PERMISSION_DENIED",),
        ),
        "scp-deny-region": Expect("project p-b", ("IAM_PERMISSION_DENIED",)),
        "disabled-region": Expect("Cloud Asset in p-b (SQL not audited)", ("SERVICE_DISABLED",)),
        "unreachable-refused": Expect("endpoint (every project)", ("ConnectionError",), ALL),
        "unreachable-silent": Expect("project p-b", ("Timeout",)),
        "malformed-body": Expect("search compute Instance in p-b", ("MalformedResponse",)),
        "repeated-token": Expect("search compute Instance in p-b", ("PaginationLoop",)),
        "expired-credentials": Expect("every unit", ("CredentialsRefreshFailed",), ALL),
    },
    "azure": {
        "throttle-429": Expect("resources.list of subscription 2", ("TooManyRequests",)),
        "slowdown-503": Expect("resources.list of subscription 2", ("ServerBusy",)),
        "throttling-exception": Expect(
            "resources.list of subscription 2", ("SubscriptionRequestsThrottled",)
        ),
        "request-limit": Expect("resources.list of subscription 2", ("TenantRequestsThrottled",)),
        "server-500": Expect("resources.list of subscription 2", ("InternalServerError",)),
        "connection-reset": Expect("resources.list of subscription 2", ("ConnectionError",)),
        "read-timeout": Expect("resources.list of subscription 2", ("Timeout",)),
        "access-denied-service": Expect(
            "SQL failover groups (every server)", ("AuthorizationFailed",)
        ),
        "scp-deny-region": Expect("subscription 2", ("AuthorizationFailed",)),
        "disabled-region": Expect("subscription 2", ("SubscriptionNotFound",)),
        "unreachable-refused": Expect("endpoint (whole provider)", ("ConnectionError",), WHOLE),
        "unreachable-silent": Expect("subscription 2", ("Timeout",)),
        "malformed-body": Expect("resources.list of subscription 2", ("MalformedResponse",)),
        "repeated-token": Expect("resources.list of subscription 2", ("PaginationLoop",)),
        "expired-credentials": Expect("every unit", ("ExpiredAuthenticationToken",), ALL),
    },
}


def render_table() -> str:
    """The markdown table of the matrix: one row per fault, one column per cloud."""
    clouds = list(MATRIX)
    head = "| fault | " + " | ".join(clouds) + " |"
    rule = "|---|" + "---|" * len(clouds)
    rows = [head, rule]
    for fault, what in FAULTS.items():
        cells = []
        for cloud in clouds:
            e = MATRIX[cloud].get(fault)
            cells.append(f"{e.target}: `{' / '.join(e.codes)}`" if e else "n/a")
        rows.append(f"| **{fault}**: {what} | " + " | ".join(cells) + " |")
    outcomes = sorted({e.outcome for m in MATRIX.values() for e in m.values()})
    notes = [f"- {o}" for o in outcomes]
    return "\n".join(
        [
            *rows,
            "",
            f"Bound: every faulted audit ends in under {BOUND_SECONDS:.0f} s.",
            "Outcomes asserted:",
            *notes,
        ]
    )


BEGIN = "<!-- fault-matrix:begin -->"
END = "<!-- fault-matrix:end -->"


def doc_path() -> Path:
    """``docs/reliability.md`` of this checkout."""
    return Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def doc_table(text: str) -> str:
    """The generated part of the doc (between the markers)."""
    m = re.search(re.escape(BEGIN) + r"\n(.*)\n" + re.escape(END), text, re.S)
    return m.group(1) if m else ""


def update_doc() -> None:
    """Rewrite the generated table in ``docs/reliability.md``."""
    path = doc_path()
    text = path.read_text()
    block = f"{BEGIN}\n{render_table()}\n{END}"
    text = re.sub(re.escape(BEGIN) + r".*" + re.escape(END), lambda _m: block, text, flags=re.S)
    path.write_text(text)


if __name__ == "__main__":
    update_doc()
    sys.stdout.write(render_table() + "\n")
