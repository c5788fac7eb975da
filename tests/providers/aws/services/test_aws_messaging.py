from __future__ import annotations

from cloudaudit.providers.aws.services import kinesis, sns, sqs

(STREAMS,) = kinesis.COLLECTORS
(QUEUES,) = sqs.COLLECTORS
(TOPICS,) = sns.COLLECTORS
REGIONS = ("us-east-1", "ap-east-1")


def test_kinesis_streams(aws):
    for region in REGIONS:
        aws.client("kinesis", region).create_stream(StreamName="events", ShardCount=1)

    for region in REGIONS:
        stream = aws.run(STREAMS, region)["events"]
        assert stream.id == f"arn:aws:kinesis:{region}:123456789012:stream/events"
        assert stream.location.region == region


def test_kinesis_names_only_response(aws):
    # Older ListStreams responses carry StreamNames only: the ARN is built from the name.
    res = kinesis.to_resource({"StreamName": "legacy"}, aws.ctx("cn-north-1", partition="aws-cn"))
    assert res.id == "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/legacy"


def test_sqs_queues(aws):
    for region in REGIONS:
        aws.client("sqs", region).create_queue(QueueName="jobs")
        aws.client("sqs", region).create_queue(
            QueueName="jobs.fifo", Attributes={"FifoQueue": "true"}
        )

    for region in REGIONS:
        found = aws.run(QUEUES, region)
        assert set(found) == {"jobs", "jobs.fifo"}
        assert found["jobs"].id == f"arn:aws:sqs:{region}:123456789012:jobs"
        assert found["jobs"].location.region == region


def test_sns_topics(aws):
    for region in REGIONS:
        aws.client("sns", region).create_topic(Name="alerts")

    for region in REGIONS:
        topic = aws.run(TOPICS, region)["alerts"]
        assert topic.id == f"arn:aws:sns:{region}:123456789012:alerts"
        assert topic.location.region == region
