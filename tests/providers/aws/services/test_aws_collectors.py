from __future__ import annotations

import importlib
import re

import pytest

# Module name -> the --services name (the AWS API name) its collectors answer to.
MODULES = {
    "rds": "rds",
    "dynamodb": "dynamodb",
    "lambda_": "lambda",
    "efs": "efs",
    "fsx": "fsx",
    "ecr": "ecr",
    "redshift": "redshift",
    "elasticache": "elasticache",
    "opensearch": "opensearch",
    "eks": "eks",
    "ecs": "ecs",
    "backup": "backup",
    "glacier": "glacier",
    "kinesis": "kinesis",
    "sqs": "sqs",
    "sns": "sns",
    "secretsmanager": "secretsmanager",
    "kms": "kms",
}
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


@pytest.mark.parametrize(("module_name", "service"), sorted(MODULES.items()))
def test_collectors_declare_service_and_actions(module_name, service):
    module = importlib.import_module(f"cloudaudit.providers.aws.services.{module_name}")
    assert module.COLLECTORS
    names = [c.name for c in module.COLLECTORS]
    assert len(names) == len(set(names))
    for collector in module.COLLECTORS:
        assert collector.service == service
        assert collector.regional
        assert collector.actions
        for action in collector.actions:
            assert ACTION.match(action), action
            verb = re.match(r"[A-Z][a-z]+", action.split(":")[1]).group(0)
            assert verb in {"List", "Describe", "Get"}, f"{action} is not read-only"


def test_every_collector_declares_the_copies_of_the_type_it_lists():
    from cloudaudit.copymodel._aws import AWS
    from cloudaudit.providers.aws.services import all_collectors, copy_declarations

    collectors = list(all_collectors())
    assert [c.name for c in collectors if c.copies is None] == []
    assert all(c.copies.service == c.service for c in collectors)
    assert copy_declarations() == tuple(dict.fromkeys(c.copies for c in collectors))
    assert copy_declarations() == AWS  # what scripts/generate.py wrote is what they declare


def test_a_copy_declaration_of_another_service_is_refused():
    from cloudaudit.providers.aws._base import Collector, declare

    with pytest.raises(ValueError, match=r"collector rds snapshots declares copies of"):
        Collector("rds", "snapshots", list, copies=declare("ec2", "snapshot", note="n"))


def test_two_collectors_declaring_one_type_differently_are_refused(monkeypatch):
    from cloudaudit.providers.aws import services
    from cloudaudit.providers.aws._base import Collector, declare

    twice = [Collector("sqs", n, list, copies=declare("sqs", "queue", note=n)) for n in "ab"]
    monkeypatch.setattr(services, "all_collectors", lambda: iter(twice))
    with pytest.raises(ValueError, match=r"two collectors declare the copies of \('aws'"):
        services.copy_declarations()


def test_two_collectors_listing_one_type_share_its_declaration(monkeypatch):
    from cloudaudit.providers.aws import services
    from cloudaudit.providers.aws._base import Collector, declare

    queue = declare("sqs", "queue", note="n")
    twice = [Collector("sqs", n, list, copies=queue) for n in "ab"]
    monkeypatch.setattr(services, "all_collectors", lambda: iter(twice))
    assert services.copy_declarations() == (queue,)


def test_a_copy_by_a_mechanism_its_type_does_not_declare_is_refused(aws):
    from cloudaudit.providers.aws._base import resource, via
    from cloudaudit.providers.aws.services.rds import READ_REPLICA
    from cloudaudit.providers.aws.services.s3 import REPLICATION

    def bucket(mechanism):
        copies = via(mechanism, ["ap-east-1"])
        return resource(
            aws.ctx("us-east-1"), service="s3", type="bucket", id="b", name="b", copies=copies
        )

    (copy,) = bucket(REPLICATION).data_locations
    assert (copy.region, copy.via) == ("ap-east-1", "aws.s3.replication")
    with pytest.raises(
        ValueError, match=r"aws s3/bucket declares no copy mechanism aws.rds.read-replica"
    ):
        bucket(READ_REPLICA)
