"""Every list a collector relies on is declared, so that an answer without it is malformed.

A list call whose answer comes back without its list (a proxy's ``{}``, an XML document
without the element) must be a ``MalformedResponse`` gap, never "audited, 0 resources". The
answer checks (``cloudaudit/providers/aws/_answers.py``) only know the fields a collector
declares in ``answers``: this test derives, from botocore's own models, the list each
operation a collector calls returns (its paginator's result key, or the list members of a
listing operation's output) and fails when a collector does not declare it. A new collector,
or a new call in an old one, cannot forget it.
"""

from __future__ import annotations

import botocore.session
import pytest

from cloudaudit.providers.aws._answers import needs_of
from cloudaudit.providers.aws._iam import iam_action
from cloudaudit.providers.aws.services import all_collectors

OMITTED_WHEN_EMPTY = {
    ("sqs", "ListQueues"): "AWS leaves QueueUrls out of the answer when there is no queue",
}
"""Lists AWS itself leaves out of a valid answer: a missing one cannot be told from none."""

_SESSION = botocore.session.get_session()


def _operations() -> list[tuple[str, str, str]]:
    """(collector service, operation service, operation) for every call a collector makes."""
    out = []
    for c in all_collectors():
        for action in c.actions:
            prefix = action.partition(":")[0]
            service = c.service if prefix != "ec2" or c.service == "ec2" else "ec2"
            model = _SESSION.get_service_model(service)
            signing = model.signing_name or service
            found = [o for o in model.operation_names if iam_action(signing, o) == action]
            assert found, f"{c.service}/{c.name}: no {service} operation for {action}"
            out.extend((c.service, service, o) for o in found)
    return sorted(set(out))


def _listed(service: str, operation: str) -> set[str]:
    """The field paths of the lists an operation returns (what its answer must hold)."""
    try:
        paginator = _SESSION.get_paginator_model(service).get_paginator(operation)
    except ValueError:
        paginator = None
    if paginator is not None:
        keys = paginator["result_key"]
        keys = [keys] if isinstance(keys, str) else keys
        # ``DistributionList.Items``: CloudFront leaves Items out when empty; the structure
        # holding it (and its Quantity) is what must be there
        return {f"{k}[]" if "." not in k else f"{k.rsplit('.', 1)[0]}{{}}" for k in keys}
    if not operation.startswith(("List", "Describe")):
        return set()
    shape = _SESSION.get_service_model(service).operation_model(operation).output_shape
    members = shape.members.items() if shape is not None else ()
    wanted = {f"{n}[]" for n, m in members if m.type_name == "list"}
    return wanted if len(wanted) == 1 else set()  # one list: the listing itself


OPERATIONS = _operations()


@pytest.mark.parametrize(("owner", "service", "operation"), OPERATIONS)
def test_every_list_a_collector_relies_on_is_declared(owner, service, operation):
    if (service, operation) in OMITTED_WHEN_EMPTY:
        return
    listed = _listed(service, operation)
    declared = set(
        needs_of(c for c in all_collectors() if c.service == owner)
        .get(service, {})
        .get(operation, ())
    )
    # a paginator with several result keys (Kinesis: StreamNames and StreamSummaries): one
    # is enough, the older one that every answer has
    assert not listed or listed & declared, (
        f"{owner}: {service}:{operation} returns {sorted(listed)}, "
        f"declared {sorted(declared)}: add it to the collector's answers"
    )


def test_the_operations_are_found():
    # the derivation above is not vacuous: it sees every collector's listing calls
    names = {f"{s}:{o}" for _, s, o in OPERATIONS}
    assert {
        "rds:DescribeDBClusters",
        "cloudfront:ListDistributions",
        "ec2:DescribeSubnets",
    } <= names
    assert len([1 for s, o in ((s, o) for _, s, o in OPERATIONS) if _listed(s, o)]) >= 30
