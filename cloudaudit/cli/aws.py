"""``cloudaudit audit aws``: audit an AWS account (needs ``cloudaudit[aws]``)."""

from __future__ import annotations

from pathlib import Path

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_and_emit

__all__ = ["command"]

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-eusc")


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@click.command(name="aws")
@click.option("--profile", default=None, help="Named profile from the AWS config files.")
@click.option(
    "--regions",
    "regions",
    multiple=True,
    metavar="LIST",
    help="Regions to audit, comma-separated or repeated. Default: every region of the partition.",
)
@click.option(
    "--services",
    "services",
    multiple=True,
    metavar="LIST",
    help="AWS API names to audit (s3, ec2, rds, dynamodb, lambda...). Default: all.",
)
@click.option(
    "--partition",
    type=click.Choice(PARTITIONS),
    default=None,
    help="Partition to audit. Default: the partition of the profile's region.",
)
@audit_options
@config_errors
def command(
    profile: str | None,
    regions: tuple[str, ...],
    services: tuple[str, ...],
    partition: str | None,
    policy: str,
    policy_options: tuple[str, ...],
    fmt: str,
    output: Path | None,
    max_workers: int,
) -> None:
    """Audit an AWS account: every region, every storage and compute resource, every copy.

    Credentials and endpoints come from boto3's standard chain (profiles, environment variables
    including AWS_ENDPOINT_URL, SSO, instance and task roles). The read-only IAM policy needed
    is in docs/providers/aws.md.
    """
    from cloudaudit._audit import audit
    from cloudaudit.providers.aws import AwsProvider, make_session

    pol = resolve_policy(policy, policy_options)
    provider = AwsProvider(
        session=make_session(profile),
        regions=_split(regions) or None,
        services=_split(services) or None,
        partition=partition,
        max_workers=max_workers,
    )
    run_and_emit(lambda: audit(provider, pol, max_workers=max_workers), fmt, output)
