"""Alibaba: malformed answers are gaps; a failed OSS replication read keeps the bucket."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from answer_cases import FaultCase, check_case, html, rerun
from faultkit import Fault, FaultLayer
from test_faults_alibaba import INSTANCES, TARGET, ali_error, run, served  # noqa: F401 - fixture
from werkzeug.wrappers import Request

from cloudaudit.models import Resource

pytestmark = pytest.mark.http


def no_list(_req: Request, _body: bytes) -> bytes:
    return b'{"RequestId": "fault", "TotalCount": 0}'


def replication_of(bucket: str) -> Callable[[Request], bool]:
    def match(req: Request) -> bool:
        return req.path.strip("/") == bucket and "replication" in req.args

    return match


def target_instances(r: Resource) -> bool:
    return r.type == "instance" and r.location.region == TARGET


CASES: list[FaultCase] = [
    FaultCase("html-200-list", "ecs", Fault(INSTANCES, "respond", html), in_scope=target_instances),
    FaultCase("truncated-list", "ecs", Fault(INSTANCES, "malformed"), in_scope=target_instances),
    FaultCase(
        "missing-list",
        "ecs",
        Fault(INSTANCES, "rewrite", rewrite=no_list),
        in_scope=target_instances,
    ),
    FaultCase(
        "denied-detail",
        "oss",
        Fault(replication_of(f"b-{TARGET}"), "respond", ali_error("AccessDenied", 403)),
        detail=("oss:GetBucketReplication", f"b-{TARGET}", "AccessDenied"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}-{c.fault_id}")
def test_answer_fault(
    case: FaultCase,
    served: tuple[object, FaultLayer, list[Resource]],  # noqa: F811 - the imported fixture
) -> None:
    srv, layer, _ = served
    url = srv.url  # type: ignore[attr-defined]
    baseline, report, seconds = rerun(layer, case.fault, lambda: run(url))
    check_case(case, baseline, report, seconds)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'"fault"', "the body is a str, not an object"),
        (b'["fault"]', "the body is a list, not an object"),
        (b'{"RequestId": "fault", "Instances": "none"}', "Instances is a str, not an object"),
        (b'{"Instances": {"Instance": {"InstanceId": "i-1"}}}', "Instances.Instance is a dict"),
    ],
    ids=["string", "list", "string-container", "object-list"],
)
def test_an_answer_of_another_shape_is_malformed_for_its_call(
    body: bytes,
    problem: str,
    served: tuple[object, FaultLayer, list[Resource]],  # noqa: F811 - the imported fixture
) -> None:
    """Valid JSON the SDK cannot read into its models (it leaves ``body`` empty then)."""
    srv, layer, _ = served
    fault = Fault(INSTANCES, "rewrite", rewrite=lambda _req, _body: body)
    _, report, _ = rerun(layer, fault, lambda: run(srv.url))  # type: ignore[attr-defined]
    gaps = [g for g in report.coverage.gaps if g.service == "ecs:instance"]
    assert [(g.region, g.code) for g in gaps] == [(TARGET, "MalformedResponse")], gaps
    assert gaps[0].message.startswith("ecs:DescribeInstances answered with status 200 but ")
    assert problem in gaps[0].message
    assert not any(target_instances(f.resource) for f in report.findings)
