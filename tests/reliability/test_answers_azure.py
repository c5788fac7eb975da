"""Azure: malformed answers are gaps; a failed SQL detail call keeps the server reported."""

from __future__ import annotations

import pytest
from answer_cases import FaultCase, check_case, html, rerun
from faultkit import Fault
from test_faults_azure import (  # noqa: F401 - served is the module's fixture
    RESOURCES,
    TARGET,
    Served,
    arm_error,
    path_has,
    run,
    served,
)
from werkzeug.wrappers import Request

from cloudaudit.models import Resource

pytestmark = pytest.mark.http


def no_value(_req: Request, _body: bytes) -> bytes:
    return b'{"nextLink": null}'


def in_target(r: Resource) -> bool:
    return r.account == TARGET


CASES: list[FaultCase] = [
    FaultCase("html-200-list", "resources", Fault(RESOURCES, "respond", html), in_scope=in_target),
    FaultCase("truncated-list", "resources", Fault(RESOURCES, "malformed"), in_scope=in_target),
    FaultCase(
        "missing-list",
        "resources",
        Fault(RESOURCES, "rewrite", rewrite=no_value),
        in_scope=in_target,
    ),
    FaultCase(
        "denied-detail",
        "Microsoft.Sql",
        Fault(path_has("/failoverGroups"), "respond", arm_error("AuthorizationFailed", 403)),
        detail=("Microsoft.Sql/servers/failoverGroups/read", "", "AuthorizationFailed"),
    ),
    FaultCase(
        "html-200-detail",
        "Microsoft.Sql",
        Fault(path_has("/failoverGroups"), "respond", html),
        detail=("Microsoft.Sql/servers/failoverGroups/read", "", "MalformedResponse"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}-{c.fault_id}")
def test_answer_fault(case: FaultCase, served: Served) -> None:  # noqa: F811 - the fixture
    fake, layer, _ = served
    baseline, report, seconds = rerun(layer, case.fault, lambda: run(fake))
    check_case(case, baseline, report, seconds)
