"""``cloudaudit audit alibaba``: audit one Alibaba Cloud account."""

from __future__ import annotations

from typing import Any

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._knobs import call_options, given
from cloudaudit.cli._lists import ids_option

__all__ = ["command"]


@click.command(name="alibaba")
@ids_option(
    "--region",
    "regions",
    "region",
    "Region to audit (repeatable, or comma-separated). Default: every region ECS "
    "DescribeRegions returns.",
    metavar="REGION",
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
@call_options("Alibaba Cloud", connect=10, read=30, attempts="3 (OSS; 1 for ECS, RDS, STS)")
@audit_options
@config_errors
def command(
    regions: tuple[str, ...],
    endpoint: str | None,
    account: str | None,
    connect_timeout: float | None,
    read_timeout: float | None,
    max_attempts: int | None,
    policy: str,
    policy_options: tuple[str, ...],
    max_workers: int,
    **run: Any,
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
        **given(
            connect_timeout=connect_timeout, read_timeout=read_timeout, max_attempts=max_attempts
        ),
    )
    provider.check_credentials()
    run_providers([provider], pol, max_workers=max_workers, **run)
