"""AWS service collectors, one module per AWS service (explicit, ordered, imported lazily)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from cloudaudit.providers.aws._base import Collector

__all__ = ["SERVICE_MODULES", "all_collectors"]

# The AWS API names accepted by --services, each backed by services/<name>.py.
SERVICE_MODULES: tuple[str, ...] = (
    "s3",
    "ec2",
    "rds",
    "dynamodb",
    "lambda_",
    "efs",
    "fsx",
    "ecr",
    "redshift",
    "elasticache",
    "opensearch",
    "eks",
    "ecs",
    "backup",
    "glacier",
    "kinesis",
    "sqs",
    "sns",
    "secretsmanager",
    "kms",
    "cloudfront",
)


def all_collectors(services: frozenset[str] | None = None) -> Iterator[Collector]:
    """Yield the collectors of the selected services (all when ``services`` is None)."""
    for module_name in SERVICE_MODULES:
        if services is not None and module_name.rstrip("_") not in services:
            continue  # each module holds one service's collectors; import only what is asked
        module = importlib.import_module(f"{__name__}.{module_name}")
        for collector in module.COLLECTORS:
            if services is None or collector.service in services:
                yield collector
