"""Amazon Kinesis Data Streams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

__all__ = ["COLLECTORS", "collect_streams", "fetch_streams", "to_resource"]


def fetch_streams(client: KinesisClient) -> list[Mapping[str, Any]]:
    """List every stream of the client's region (``ListStreams``).

    Older responses carry only ``StreamNames``; those become ``{"StreamName": name}``.
    """
    out: list[Mapping[str, Any]] = []
    for page in client.get_paginator("list_streams").paginate():
        summaries = page.get("StreamSummaries")
        if summaries is None:
            summaries = [{"StreamName": n} for n in page.get("StreamNames", [])]
        out.extend(summaries)
    return out


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``StreamSummary`` into a :class:`Resource`."""
    name = raw["StreamName"]
    return resource(
        ctx,
        service="kinesis",
        type="stream",
        id=raw.get("StreamARN")
        or arn(ctx.partition, "kinesis", ctx.region, ctx.account, f"stream/{name}"),
        name=name,
    )


def collect_streams(ctx: AwsContext) -> list[Resource]:
    """List the Kinesis streams of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_streams(ctx.client("kinesis"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "kinesis",
        "streams",
        collect_streams,
        actions=("kinesis:ListStreams",),
        answers={"ListStreams": ("StreamNames[]",)},
        copies=declare("kinesis", "stream", note="records stay in the stream's region"),
    ),
)
