"""``cloudaudit audit aws``: audit an AWS account (needs ``cloudaudit[aws]``)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._knobs import call_options, given
from cloudaudit.cli._lists import aws_region, ids_option
from cloudaudit.cli.guardrails import guardrails_option

if TYPE_CHECKING:
    from cloudaudit.models import Coverage
    from cloudaudit.providers.aws import AwsOrganization

__all__ = ["command"]

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-eusc")
INVENTORY = ("auto", "aggregated", "direct")
AGGREGATABLE = ("dynamodb", "ec2", "s3")
"""The services whose resources the organization's AWS Config aggregator can answer for."""


def _region(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    problem = aws_region(value.strip()) if value is not None else None
    if problem is not None:
        raise click.BadParameter(problem)
    return value.strip() if value is not None else None


@click.command(name="aws")
@click.option("--profile", default=None, help="Named profile from the AWS config files.")
@ids_option(
    "--regions",
    "regions",
    "region",
    "Regions to audit, comma-separated or repeated. Default: every region of the partition.",
    metavar="LIST",
    check=aws_region,
)
@ids_option(
    "--services",
    "services",
    "service",
    "AWS API names to audit (s3, ec2, rds, dynamodb, lambda...). Default: all.",
    metavar="LIST",
)
@click.option(
    "--partition",
    type=click.Choice(PARTITIONS),
    default=None,
    help="Partition to audit. Default: the partition of the profile's region.",
)
@click.option(
    "--organization",
    is_flag=True,
    help="Audit every ACTIVE account of the AWS organization (run from the management or a "
    "delegated administrator account), each through --role.",
)
@click.option(
    "--role",
    "role",
    default=None,
    metavar="NAME",
    help="Name of the role to assume in each account, with its IAM path if any "
    "(ops/CloudauditReadOnly); not an ARN.",
)
@click.option("--external-id", default=None, help="ExternalId the role's trust policy requires.")
@ids_option(
    "--ou",
    "ous",
    "OU or root id",
    "Only accounts under this OU (or root) id, recursively (repeatable).",
)
@click.option(
    "--include-management-account/--exclude-management-account",
    "include_management",
    default=True,
    show_default=True,
    help="Audit the organization's management account too (excluded, it is listed as an "
    "'Excluded' coverage gap, which --fail-on gap does not count).",
)
@click.option(
    "--max-accounts-in-flight",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Most accounts audited at once (their API calls share --max-workers).",
)
@click.option("--session-name", default="cloudaudit", show_default=True, help="RoleSessionName.")
@click.option(
    "--role-duration",
    type=click.IntRange(900, 43200),
    default=3600,
    show_default=True,
    help="DurationSeconds of the assumed-role credentials.",
)
@click.option(
    "--inventory",
    type=click.Choice(INVENTORY),
    default=None,
    help="With --organization: 'auto' (default) reads EC2 instances and volumes, DynamoDB tables "
    "and S3 buckets from the organization's AWS Config aggregator where it records them, and "
    "everything else (and everything, when there is no usable aggregator) through --role; "
    "'aggregated': the same, but without a usable aggregator nothing is audited (a coverage "
    "gap, exit 3); 'direct': no aggregator, every service called in every account.",
)
@click.option(
    "--aggregator-region",
    default=None,
    metavar="REGION",
    callback=_region,
    help="With --organization: the region of the organization's AWS Config aggregator "
    "(aggregators are regional). Default: the partition's home region (us-east-1 for aws).",
)
@click.option(
    "--dask-scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the accounts as tasks on this Dask scheduler (tcp://host:8786); needs "
    "dask[distributed] here and on the workers, and AWS credentials on the workers.",
)
@call_options("AWS", connect=5, read=20, attempts=5)
@guardrails_option
@audit_options(max_workers=64)
@config_errors
def command(
    profile: str | None,
    regions: tuple[str, ...],
    services: tuple[str, ...],
    partition: str | None,
    organization: bool,
    role: str | None,
    external_id: str | None,
    ous: tuple[str, ...],
    include_management: bool,
    max_accounts_in_flight: int,
    session_name: str,
    role_duration: int,
    inventory: str | None,
    aggregator_region: str | None,
    dask_scheduler: str | None,
    connect_timeout: float | None,
    read_timeout: float | None,
    max_attempts: int | None,
    policy: str,
    policy_options: tuple[str, ...],
    max_workers: int,
    guardrails: bool,
    **run: Any,
) -> None:
    """Audit an AWS account: every region, every storage and compute resource, every copy.

    Credentials and endpoints come from boto3's standard chain (profiles, environment variables
    including AWS_ENDPOINT_URL, SSO, instance and task roles). The read-only IAM policy needed
    is in docs/providers/aws.md.

    With --organization, every ACTIVE account of the organization is audited through --role
    (docs/scale.md). With --format jsonl, each finding is written as soon as it is decided,
    then one summary line.
    """
    from cloudaudit.providers.aws import AwsProvider, make_session

    pol = resolve_policy(policy, policy_options)
    if (role or ous or dask_scheduler or inventory or aggregator_region) and not organization:
        raise click.UsageError(
            "--role, --ou, --inventory, --aggregator-region and --dask-scheduler need "
            "--organization"
        )
    if aggregator_region and inventory == "direct":
        raise click.UsageError("--aggregator-region has no use with --inventory direct")
    http = given(
        connect_timeout=connect_timeout, read_timeout=read_timeout, max_attempts=max_attempts
    )
    provider: AwsOrganization | AwsProvider
    if organization:
        from cloudaudit.providers.aws import AwsOrganization

        if not role:
            raise click.UsageError("--organization needs --role NAME")
        provider = AwsOrganization(
            make_session(profile),
            role,
            external_id=external_id,
            ous=list(ous) or None,
            include_management=include_management,
            regions=list(regions) or None,
            services=list(services) or None,
            partition=partition,
            max_accounts=max_accounts_in_flight,
            max_workers=max_workers,
            session_name=session_name,
            duration=role_duration,
            profile=profile,
            guardrails=guardrails,
            inventory=inventory or "auto",
            aggregator_region=aggregator_region,
            **http,
        )
        run["notes"] = functools.partial(_inventory_notes, provider)
    else:
        provider = AwsProvider(
            session=make_session(profile),
            regions=list(regions) or None,
            services=list(services) or None,
            partition=partition,
            max_workers=max_workers,
            guardrails=guardrails,
            **http,
        )
    with _Executor(dask_scheduler) as executor:
        run_providers([provider], pol, max_workers=max_workers, executor=executor, **run)


def _inventory_notes(org: Any, coverage: Coverage) -> list[str]:
    """The stderr line that says which path the organization's inventory took."""
    for scope in coverage.audited:
        if scope.method.startswith("config-aggregator:"):
            name = scope.method.split(":", 1)[1]
            return [
                f"inventory: AWS Config aggregator {name} in {scope.region} ({scope.resources} "
                "items); what it does not record was read through --role"
            ]
    mode, region = org.settings.inventory, org.settings.aggregator_home
    services = org.settings.services
    if not coverage.audited:
        return []  # nothing was read: the not-audited error says why
    if mode == "direct":
        return ["inventory: direct (--inventory direct): every account read through --role"]
    if services is not None and not set(services) & set(AGGREGATABLE):
        return [
            f"inventory: direct: the AWS Config aggregator answers for {', '.join(AGGREGATABLE)}"
            ", none of them selected; every account read through --role"
        ]
    if mode == "auto":
        return [
            f"inventory: direct: no usable AWS Config aggregator in {region}; every account "
            "read through --role"
        ]
    return []  # aggregated without an aggregator: its coverage gap says why


class _Executor:
    """``Client(address).get_executor()`` for ``--dask-scheduler``, else ``None``."""

    def __init__(self, address: str | None) -> None:
        self._address = address
        self._client: Any = None

    def __enter__(self) -> Any:
        if self._address is None:
            return None
        try:
            from distributed import Client
        except ImportError as exc:
            raise click.UsageError(
                "--dask-scheduler needs: pip install 'dask[distributed]'"
            ) from exc
        self._client = Client(self._address)  # type: ignore[no-untyped-call]
        return self._client.get_executor()

    def __exit__(self, *_: object) -> None:
        if self._client is not None:
            self._client.close()
