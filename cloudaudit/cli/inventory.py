"""``cloudaudit audit inventory SOURCE...``: judge resources listed in files or standard input."""

from __future__ import annotations

from typing import Any

import click

from cloudaudit._dedupe import CONFLICTING_REPORTS
from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._outputs import NonEmptyPath
from cloudaudit.models import Coverage

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
    is judged. In an export, a record that cannot be read, or the rest of a file that cannot
    be read (a truncated or corrupt gzip), becomes a coverage gap naming its file and line;
    the others are judged, and stderr says which files were not read in full (--fail-on gap
    fails the run on them). When nothing could be read at all, the exit code is 3.
    --format jsonl streams with flat memory.
    """
    from cloudaudit.inventory import ExportSource, plan_import

    pol = resolve_policy(policy, policy_options)
    planned = plan_import(sources)
    run_providers([ExportSource(planned)], pol, max_workers=max_workers, notes=unread_notes, **run)


def unread_notes(coverage: Coverage) -> list[str]:
    """The stderr warnings: inputs not read in full, resources the inputs disagree on."""
    notes: list[str] = []
    unread = [g for g in coverage.gaps if g.code != CONFLICTING_REPORTS]
    files = sorted({g.scope.removeprefix("inventory:") for g in unread})
    if files:
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        notes.append(
            f"warning: {len(files)} input(s) not read in full: {shown}; what could not be read "
            "is listed as coverage gaps, never counted as compliant (--fail-on gap fails the run)"
        )
    conflicts = len(coverage.gaps) - len(unread)
    if conflicts:
        notes.append(
            f"warning: {conflicts} resource(s) listed again in another region, or with other "
            "copies of their data, than their first listing; only the first was judged, and "
            f"each is a {CONFLICTING_REPORTS} coverage gap (--fail-on gap fails the run)"
        )
    return notes
