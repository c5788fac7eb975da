"""``cloudaudit audit inventory SOURCE...``: judge resources listed in files or standard input."""

from __future__ import annotations

from typing import Any

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._outputs import NonEmptyPath

__all__ = ["command"]


@click.command(name="inventory")
@click.argument("sources", nargs=-1, required=True, type=NonEmptyPath(allow_dash=True))
@audit_options
@config_errors
def command(
    sources: tuple[str, ...],
    policy: str,
    policy_options: tuple[str, ...],
    max_workers: int,
    **run: Any,
) -> None:
    """Judge the resources in SOURCES: files, directories, or - for standard input.

    Accepted: cloudaudit's own JSON or CSV (schema in docs/inventory.md), and exports you
    already have, recognised by their content: gcloud asset search results and Cloud Asset
    exports, az graph query / Resource Graph results, AWS Config select results,
    configuration items and snapshot files, Resource Explorer results, Steampipe and
    CloudQuery tables, Prowler JSON-OCSF. JSON, JSON Lines or CSV; gzip is read as is.

    No cloud is called. A file of an unknown shape, or a cloudaudit file that does not
    validate, is reported with what was looked for and the command exits 2 before anything
    is judged. In an export, a record that cannot be read becomes a coverage gap naming its
    file and line; the others are judged. --format jsonl streams with flat memory.
    """
    from cloudaudit.inventory import ExportSource, plan_import

    pol = resolve_policy(policy, policy_options)
    planned = plan_import(sources)
    run_providers([ExportSource(planned)], pol, max_workers=max_workers, **run)
