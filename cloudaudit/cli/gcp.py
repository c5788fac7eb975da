"""``cloudaudit audit gcp``: audit a GCP organization, folders or projects."""

from __future__ import annotations

from typing import Any

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._knobs import call_options, given
from cloudaudit.cli._lists import ids_option, one_id
from cloudaudit.cli.guardrails import guardrails_option

__all__ = ["command"]


@click.command(name="gcp")
@click.option(
    "--organization",
    default=None,
    metavar="ID",
    callback=one_id("organization id"),
    help="Organization id to audit.",
)
@ids_option("--folder", "folders", "folder id", "Folder id (repeatable, or comma-separated).")
@ids_option("--project", "projects", "project id", "Project id (repeatable, or comma-separated).")
@click.option(
    "--api-endpoint",
    envvar="CLOUDAUDIT_GCP_API_ENDPOINT",
    default=None,
    hidden=True,
    help="Send every API call to this endpoint (private endpoints, local fakes).",
)
@click.option(
    "--anonymous",
    envvar="CLOUDAUDIT_GCP_ANONYMOUS",
    is_flag=True,
    hidden=True,
    help="Send no credentials (only for local fakes and emulators).",
)
@call_options("Google API", connect=10, read=60, attempts=5)
@guardrails_option
@audit_options
@config_errors
def command(
    organization: str | None,
    folders: tuple[str, ...],
    projects: tuple[str, ...],
    api_endpoint: str | None,
    anonymous: bool,
    connect_timeout: float | None,
    read_timeout: float | None,
    max_attempts: int | None,
    policy: str,
    policy_options: tuple[str, ...],
    max_workers: int,
    guardrails: bool,
    **run: Any,
) -> None:
    """Audit a GCP organization, folders or projects (read-only).

    Give exactly one of --organization, --folder or --project. Credentials come from
    Application Default Credentials (gcloud auth application-default login, or
    GOOGLE_APPLICATION_CREDENTIALS).
    """
    if sum([bool(organization), bool(folders), bool(projects)]) != 1:
        raise click.UsageError("give exactly one of --organization, --folder or --project")
    from cloudaudit.providers.gcp import GcpProvider

    pol = resolve_policy(policy, policy_options)
    credentials = None
    if anonymous:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    provider = GcpProvider(
        credentials=credentials,
        organization=organization,
        folders=list(folders) or None,
        projects=list(projects) or None,
        client_options={"api_endpoint": api_endpoint} if api_endpoint else None,
        guardrails=guardrails,
        **given(
            connect_timeout=connect_timeout, read_timeout=read_timeout, max_attempts=max_attempts
        ),
    )
    provider.check_credentials()  # a broken credentials file: exit 2 before any call
    run_providers([provider], pol, max_workers=max_workers, **run)
