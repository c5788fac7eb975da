"""``cloudaudit audit alibaba``: audit one Alibaba Cloud account."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers

__all__ = ["command"]


@click.command(name="alibaba")
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="REGION",
    help="Region to audit (repeatable). Default: every region ECS DescribeRegions returns.",
)
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="Send every API call to this endpoint (a proxy or private endpoint).",
)
@click.option(
    "--account",
    default=None,
    help="Account id (UID) to report. Default: STS GetCallerIdentity.",
)
@audit_options
@config_errors
def command(
    regions: tuple[str, ...],
    endpoint: str | None,
    account: str | None,
    policy: str,
    policy_options: tuple[str, ...],
    fmt: str,
    output: Path | None,
    max_workers: int,
    evidence: Path | None,
    as_of: datetime | None,
    fail_on: tuple[str, ...],
    quiet: bool,
    deadline: float | None,
) -> None:
    """Audit an Alibaba Cloud account (ECS, OSS, ApsaraDB RDS). Needs cloudaudit[alibaba].

    Credentials come from the Alibaba Cloud default chain: ALIBABA_CLOUD_ACCESS_KEY_ID and
    ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), the CLI profile, an ECS
    RAM role or OIDC. Only read-only Describe/List/Get calls are made.
    """
    from cloudaudit.providers.alibaba import AlibabaProvider

    pol = resolve_policy(policy, policy_options)
    provider = AlibabaProvider(
        regions=list(regions) or None,
        endpoint=endpoint,
        account=account,
        max_workers=max_workers,
    )
    provider.check_credentials()
    run_providers(
        [provider],
        pol,
        fmt,
        output,
        max_workers=max_workers,
        fail_on=fail_on,
        quiet=quiet,
        deadline=deadline,
        evidence=evidence,
        as_of=as_of,
    )
