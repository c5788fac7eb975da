"""Small helpers shared by the report formats."""

from __future__ import annotations

from collections import Counter

from cloudaudit.models import Finding, Report, Status

__all__ = ["STATUS_ORDER", "by_country_status", "countries_of", "home_country", "sorted_findings"]

STATUS_ORDER: dict[Status, int] = {
    Status.VIOLATION: 0,
    Status.UNKNOWN: 1,
    Status.EXEMPT: 2,
    Status.COMPLIANT: 3,
}

MULTI = "multi-region"
UNMAPPED = "unknown"


def sorted_findings(report: Report) -> list[Finding]:
    """Findings ordered worst first, then by provider and resource id."""
    return sorted(
        report.findings,
        key=lambda f: (STATUS_ORDER[f.status], f.resource.provider.value, f.resource.id),
    )


def home_country(finding: Finding) -> str:
    """The country of the resource's own location.

    Returns the ISO code, ``"multi-region"`` when the location spans several countries, or
    ``"unknown"`` when the catalog cannot place it.
    """
    for e in finding.evidence:
        if e.axis == "location":
            if e.place.country:
                return e.place.country
            if e.place.countries or e.place.candidates:
                return MULTI
            return UNMAPPED
    return UNMAPPED


def countries_of(finding: Finding) -> tuple[str, ...]:
    """Every country the resource's data is (or may be) in, on any axis, sorted."""
    found: set[str] = set()
    for e in finding.evidence:
        if e.place.country:
            found.add(e.place.country)
        found.update(e.place.countries)
        found.update(e.place.candidates)
    return tuple(sorted(found))


def by_country_status(report: Report) -> dict[str, Counter[Status]]:
    """Count findings by home country and status, countries sorted by total, largest first."""
    counts: dict[str, Counter[Status]] = {}
    for f in report.findings:
        counts.setdefault(home_country(f), Counter())[f.status] += 1
    ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return dict(ordered)
