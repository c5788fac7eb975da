"""Amazon SNS topics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

__all__ = ["COLLECTORS", "collect_topics", "fetch_topics", "to_resource"]


def fetch_topics(client: SNSClient) -> list[str]:
    """List the ARNs of every topic of the client's region (``ListTopics``)."""
    pages = client.get_paginator("list_topics").paginate()
    return [t["TopicArn"] for page in pages for t in page.get("Topics", [])]


def to_resource(topic_arn: str, ctx: AwsContext) -> Resource:
    """Turn one topic ARN into a :class:`Resource`."""
    return resource(
        ctx,
        service="sns",
        type="topic",
        id=topic_arn,
        name=topic_arn.rsplit(":", 1)[-1],
    )


def collect_topics(ctx: AwsContext) -> list[Resource]:
    """List the SNS topics of ``ctx.region``."""
    return [to_resource(topic, ctx) for topic in fetch_topics(ctx.client("sns"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "sns",
        "topics",
        collect_topics,
        actions=("sns:ListTopics",),
        answers={"ListTopics": ("Topics[]",)},
        copies=declare(
            "sns",
            "topic",
            note="messages are delivered, not stored, outside the topic's region",
        ),
    ),
)
