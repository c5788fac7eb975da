"""Azure: malformed answers are gaps; a failed SQL detail call keeps the server reported."""

from __future__ import annotations

import pytest
from answer_cases import FaultCase, check_case
from faultkit import Fault
from matrix_checks import Timed
from test_faults_azure import (  # noqa: F401 - served is the module's fixture
    RESOURCES,
    TARGET,
    Served,
    arm_error,
    path_has,
    run,
    served,
)
from werkzeug.wrappers import Request, Response

from cloudaudit.models import Resource

pytestmark = pytest.mark.http

HTML = b"<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>"


def html(_req: Request) -> Response:
    return Response(HTML, 200, content_type="text/html")


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
    layer.reset()
    baseline = run(fake)
    layer.add(case.fault)
    try:
        with Timed() as t:
            report = run(fake)
    finally:
        layer.reset()
    check_case(case, baseline, report, t.seconds)
