"""Judging resources: :func:`evaluate` (pure, no cloud call) and the report it builds.

:func:`cloudaudit.audit` and :func:`cloudaudit.audit_iter` collect resources from providers
and then judge them; every report is built by :func:`make_report`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

from cloudaudit._finding_table import FindingTable
from cloudaudit._guardrail_model import Guardrail, GuardrailScope, GuardrailSection
from cloudaudit._sources import Sources, sources_of
from cloudaudit._version import __version__
from cloudaudit.catalog import Catalog
from cloudaudit.guardrails import compare_guardrails
from cloudaudit.models import Coverage, Finding, Resource
from cloudaudit.policies import Engine, Policy, load_policy
from cloudaudit.report import Report, Summary

__all__ = ["PolicyLike", "as_policy", "evaluate", "make_report", "no_cyclic_gc"]

PolicyLike = Policy | str


def as_policy(policy: PolicyLike) -> Policy:
    """The policy itself, or the built-in policy or policy file of that name."""
    return policy if isinstance(policy, Policy) else load_policy(policy)


def evaluate(
    resources: Iterable[Resource],
    policy: PolicyLike,
    *,
    coverage: Coverage | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
    guardrails: Sequence[Guardrail] | None = None,
    guardrail_scopes: Sequence[GuardrailScope] = (),
) -> Report:
    """Judge ``resources`` under ``policy`` and return a Report. Pure: no cloud calls.

    Args:
        resources: The resources to judge (from a provider, a file, or your own code).
        policy: A :class:`Policy` or the name/path of one.
        coverage: What was and was not audited, if known; gaps go into the report as is.
        catalog: Region catalog to use; defaults to the packaged one.
        today: Date for exemption expiry; defaults to today (UTC).
        guardrails: Declared location guardrails to compare with the policy and the
            resources; ``None`` (the default) leaves the report without a guardrails section.
        guardrail_scopes: The scopes whose guardrails were read (a scope without any
            guardrail is a ``no_guardrail`` finding).
    """
    started = datetime.now(UTC)
    pol = as_policy(policy)
    engine = Engine(pol, catalog, today)
    with no_cyclic_gc():
        findings = engine.table(resources)
    cov = coverage or Coverage()
    section = None
    if guardrails is not None:
        seen = findings.resources()
        section = compare_guardrails(guardrails, guardrail_scopes, seen, engine)
    sources = sources_of(engine.places_seen(), pol, today or started.date())
    return make_report(pol, findings, cov, started, section, sources)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while findings are built in bulk.

    Findings form no reference cycles, but a million new container objects would trigger
    repeated full collections that rescan the whole inventory (about a third of the run time
    at one million resources). Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def make_report(
    pol: Policy,
    findings: tuple[Finding, ...] | FindingTable,
    cov: Coverage,
    started: datetime,
    guardrails: GuardrailSection | None = None,
    sources: Sources | None = None,
) -> Report:
    """The report of one judged run: findings, coverage, guardrails, sources and summary."""
    summary = Summary.of(findings, gaps=len(cov.gaps))
    return Report(
        tool_version=__version__,
        policy_id=pol.id,
        policy_version=pol.version,
        started_at=started,
        finished_at=datetime.now(UTC),
        findings=findings,
        coverage=cov,
        summary=summary,
        guardrails=guardrails,
        sources=sources,
    )
