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
