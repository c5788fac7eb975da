"""Re-derive a report from an evidence bundle, offline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cloudaudit.catalog import Catalog
from cloudaudit.errors import ConfigurationError
from cloudaudit.evidence._bundle import read_bundle, verify_bundle
from cloudaudit.policies import Policy, load_policy
from cloudaudit.report import Report

__all__ = ["replay"]


def replay(
    root: str | Path,
    policy: Policy | str | None = None,
    *,
    as_of: date | None = None,
    catalog: Catalog | None = None,
    expect_sha256: str | None = None,
) -> Report:
    """Judge a bundle's resources again and return the report (no cloud call).

    With no arguments the result has the original run's findings, reasons and gaps (only the
    timestamps differ): the bundle's own policy, judged as of the audit's date. Give another
    ``policy`` ("what would this audit have said under the EU rules?"), another ``as_of`` date,
    or a newer ``catalog``.

    Args:
        root: The bundle's folder.
        policy: A policy, or a built-in name or file; defaults to the bundle's.
        as_of: Date for exemptions and legal lists; defaults to the audit's date.
        catalog: Region catalog; defaults to the installed one.
        expect_sha256: The manifest's SHA-256 kept from the audit
            (:func:`~cloudaudit.evidence.manifest_sha256`): a bundle rewritten together with its
            manifest is then refused too.

    Raises:
        ConfigurationError: The bundle is not one, or does not match its manifest (a file
            or record changed, added or removed: see :func:`verify_bundle`). A tampered
            bundle is never replayed: its report would not be the audit's.
    """
    from cloudaudit._evaluate import evaluate

    _check_intact(Path(root), expect_sha256)
    bundle = read_bundle(root)
    if policy is None:
        pol = bundle.policy
    else:
        pol = policy if isinstance(policy, Policy) else load_policy(policy)
    resources = sorted(bundle.resources, key=lambda r: (r.provider.value, r.account, r.id))
    readings = bundle.guardrails
    return evaluate(
        resources,
        pol,
        coverage=bundle.coverage,
        catalog=catalog,
        today=as_of or bundle.as_of,
        guardrails=None if readings is None else readings.guardrails,
        guardrail_scopes=() if readings is None else readings.scopes,
    )


def _check_intact(root: Path, expect_sha256: str | None) -> None:
    """Refuse a bundle that :func:`verify_bundle` finds changed, naming what differs."""
    problems = verify_bundle(root, expect_sha256=expect_sha256)
    if not problems:
        return
    shown = "; ".join(problems[:3]) + (
        f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    )
    raise ConfigurationError(
        f"{root}: the evidence bundle does not match its manifest ({shown}), so it is not "
        "replayed: its report would not be the audit's. Fix: replay the bundle as it was "
        f"written (run `cloudaudit verify {root}` to list every difference)."
    )
