"""Amazon SQS queues (``ListQueues`` returns URLs; the ARN is built from the name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

__all__ = ["COLLECTORS", "collect_queues", "fetch_queues", "to_resource"]


def fetch_queues(client: SQSClient) -> list[str]:
    """List the URLs of every queue of the client's region (``ListQueues``)."""
    pages = client.get_paginator("list_queues").paginate()
    return [url for page in pages for url in page.get("QueueUrls", [])]


def to_resource(url: str, ctx: AwsContext) -> Resource:
    """Turn one queue URL (``.../{account}/{name}``) into a :class:`Resource`."""
    account, name = url.rstrip("/").split("/")[-2:]
    return resource(
        ctx,
        service="sqs",
        type="queue",
        id=arn(ctx.partition, "sqs", ctx.region, account, name),
        name=name,
    )


def collect_queues(ctx: AwsContext) -> list[Resource]:
    """List the SQS queues of ``ctx.region``."""
    return [to_resource(url, ctx) for url in fetch_queues(ctx.client("sqs"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "sqs",
        "queues",
        collect_queues,
        actions=("sqs:ListQueues",),
        copies=declare("sqs", "queue", note="messages stay in the queue's region"),
    ),
)
