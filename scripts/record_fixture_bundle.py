"""Record the evidence bundle the tests replay: tests/fixtures/bundles/aws-estate.

A small AWS estate on a local moto server (a bucket in Hong Kong, a US bucket replicating into
it, a plain US bucket, an EBS volume) audited with ``evidence=``. Run it again only when the
bundle format changes on purpose: the test that replays it guards old bundles.

    python scripts/record_fixture_bundle.py
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cloudaudit  # noqa: E402
from cloudaudit.providers.aws import AwsProvider  # noqa: E402
from cloudaudit.providers.aws.services import ec2, s3  # noqa: E402
from tests.providers.aws.estate import create_buckets, replicate  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bundles" / "aws-estate"


def main() -> None:
    """Start moto on loopback, plant the estate, audit it with evidence into TARGET."""
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # no public images in the estate
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        us = boto3.client("s3", region_name="us-east-1")
        create_buckets(us, {"hk-bucket": "ap-east-1", "us-source": None, "us-plain": None})
        replicate(us, "us-source", "hk-bucket")
        boto3.client("ec2", region_name="eu-west-1").create_volume(
            AvailabilityZone="eu-west-1a", Size=8
        )
        shutil.rmtree(TARGET, ignore_errors=True)
        provider = AwsProvider(
            session=boto3.Session(),
            regions=["us-east-1", "eu-west-1", "ap-east-1"],
            collectors=(*s3.COLLECTORS, *ec2.COLLECTORS),
        )
        report = cloudaudit.audit(provider, "us-foreign-adversaries", evidence=TARGET)
        print(f"recorded {report.summary.total} resources into {TARGET.name}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
