"""``cloudaudit audit inventory FILE``: judge resources listed in a JSON or CSV file."""

from __future__ import annotations

from pathlib import Path

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_and_emit

__all__ = ["command"]


@click.command(name="inventory")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@audit_options
@config_errors
def command(
    file: Path,
    policy: str,
    policy_options: tuple[str, ...],
    fmt: str,
    output: Path | None,
    max_workers: int,
    fail_on: tuple[str, ...],
    quiet: bool,
) -> None:
    """Judge the resources in FILE (JSON or CSV; schema in docs/inventory.md).

    No cloud is called. The file is validated strictly first: any problem is reported with its
    row or index, field and fix, and the command exits 2.
    """
    from cloudaudit._audit import evaluate
    from cloudaudit.inventory import inventory_coverage, load_inventory

    pol = resolve_policy(policy, policy_options)
    resources = load_inventory(file)
    coverage = inventory_coverage(str(file), resources)
    run_and_emit(
        lambda: evaluate(resources, pol, coverage=coverage),
        fmt,
        output,
        fail_on=fail_on,
        quiet=quiet,
    )
