"""GCP: malformed answers are gaps, never "audited, 0 resources" (real clients, real HTTP)."""

from __future__ import annotations

import json

import pytest
from answer_cases import FaultCase, check_case, html, rerun
from faultkit import Fault, FaultLayer
from gcp_fake import FakeGcp
from test_faults_gcp import INSTANCE, TARGET, run, search_of, served  # noqa: F401 - fixture
from werkzeug.wrappers import Request

from cloudaudit.models import Resource

pytestmark = pytest.mark.http


def without_asset_type(_req: Request, body: bytes) -> bytes:
    doc = json.loads(body)
    for item in doc.get("results", []):
        item.pop("assetType", None)
    return json.dumps(doc).encode()


def instances_of_target(r: Resource) -> bool:
    return r.name.startswith(f"{TARGET}-vm-")


SEARCH = search_of(TARGET, INSTANCE)
CASES: list[FaultCase] = [
    FaultCase(
        "html-200-list", "compute", Fault(SEARCH, "respond", html), in_scope=instances_of_target
    ),
    FaultCase(
        "truncated-list", "compute", Fault(SEARCH, "malformed"), in_scope=instances_of_target
    ),
    FaultCase(
        "missing-list",
        "compute",
        Fault(SEARCH, "rewrite", rewrite=without_asset_type),
        in_scope=instances_of_target,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}-{c.fault_id}")
def test_answer_fault(
    case: FaultCase,
    served: tuple[FakeGcp, FaultLayer, list[Resource]],  # noqa: F811 - the imported fixture
) -> None:
    fake, layer, _ = served
    baseline, report, seconds = rerun(layer, case.fault, lambda: run(fake.url))
    check_case(case, baseline, report, seconds)
