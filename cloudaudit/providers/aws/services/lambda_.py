"""AWS Lambda functions (module ``lambda_``; ``--services`` name ``lambda``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

__all__ = ["COLLECTORS", "collect_functions", "fetch_functions", "to_resource"]


def fetch_functions(client: LambdaClient) -> list[Mapping[str, Any]]:
    """List every function of the client's region (``ListFunctions``)."""
    pages = client.get_paginator("list_functions").paginate()
    return [item for page in pages for item in page.get("Functions", [])]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``FunctionConfiguration`` into a :class:`Resource`."""
    name = raw["FunctionName"]
    return resource(
        ctx,
        service="lambda",
        type="function",
        id=raw.get("FunctionArn")
        or arn(ctx.partition, "lambda", ctx.region, ctx.account, f"function:{name}"),
        name=name,
    )


def collect_functions(ctx: AwsContext) -> list[Resource]:
    """List the Lambda functions of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_functions(ctx.client("lambda"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "lambda",
        "functions",
        collect_functions,
        actions=("lambda:ListFunctions",),
        answers={"ListFunctions": ("Functions[]",)},
        copies=declare(
            "lambda",
            "function",
            note="code and configuration stay in the function's region",
        ),
    ),
)
