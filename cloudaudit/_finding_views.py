"""The views of one finding: its countries, operators, jurisdictions, legal lists and row.

Part of :mod:`cloudaudit.report` (which re-exports every name): a finding's countries are
defined here once, so that every output of the same audit agrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from cloudaudit.models import Evidence, Finding, Place, Status

__all__ = [
    "MULTI",
    "UNMAPPED",
    "cited_lists",
    "countries_of",
    "finding_record",
    "home_country",
    "home_country_of",
    "location_place",
    "matches",
    "operator_jurisdictions",
    "operators_of",
]

MULTI = "multi-region"
UNMAPPED = "unknown"


def countries_of(finding: Finding) -> tuple[str, ...]:
    """Every country the resource's data is (or may be) in, on any axis, sorted.

    A location's own ``country``, the published member ``countries`` of a multi-region and
    the ``candidates`` it may span when its members are not published all count.
    """
    found: set[str] = set()
    for e in finding.evidence:
        if e.place.country:
            found.add(e.place.country)
        found.update(e.place.countries)
        found.update(e.place.candidates)
    return tuple(sorted(found))


def home_country(finding: Finding) -> str:
    """The country of the resource's own location.

    Returns the ISO code, ``"multi-region"`` when the location spans several countries, or
    ``"unknown"`` when the catalog cannot place it.
    """
    return home_country_of(finding.evidence)


def home_country_of(evidence: Iterable[Evidence]) -> str:
    """:func:`home_country` of a finding with this evidence (shared by its verdict's findings)."""
    for e in evidence:
        if e.axis == "location":
            if e.place.country:
                return e.place.country
            if e.place.countries or e.place.candidates:
                return MULTI
            return UNMAPPED
    return UNMAPPED


def location_place(finding: Finding) -> Place | None:
    """The catalog's place of the resource's own location (None without evidence)."""
    for e in finding.evidence:
        if e.axis == "location":
            return e.place
    return None


def operator_jurisdictions(finding: Finding) -> tuple[str, ...]:
    """Countries whose law reaches the operators of the places holding the data, sorted.

    The ``operator_country`` of the resource's place and of each place holding a copy: an
    Alibaba Cloud bucket in Frankfurt gives ``("CN",)``, an AWS bucket there ``("US",)``.
    Places whose operator the catalog does not know add nothing.
    """
    return tuple(sorted({c for e in finding.evidence if (c := e.place.operator_country)}))


def operators_of(finding: Finding) -> tuple[str, ...]:
    """The operators of the places holding the data, as the catalog names them, sorted."""
    return tuple(sorted({o for e in finding.evidence if (o := e.place.operator)}))


@cache
def _list_citations() -> tuple[tuple[str, str, str], ...]:
    from cloudaudit.policies import load_lists

    return tuple((i, x.citation, x.title) for i, x in sorted(load_lists().items()))


def cited_lists(finding: Finding) -> tuple[str, ...]:
    """Ids of the legal lists a finding that is not compliant rests on, sorted.

    A list counts when the finding's reasons quote its citation or title; a compliant finding
    (which quotes a list only to say the place is not on it) rests on none.
    """
    if finding.status is Status.COMPLIANT:
        return ()
    text = "\n".join(finding.reasons)
    return tuple(i for i, cite, title in _list_citations() if cite in text or title in text)


def matches(
    finding: Finding,
    *,
    status: str | None = None,
    provider: str | None = None,
    account: str | None = None,
    country: str | None = None,
    jurisdiction: str | None = None,
    operator: str | None = None,
    legal_list: str | None = None,
) -> bool:
    """True when ``finding`` passes every criterion given (see :meth:`Report.filter`)."""
    r = finding.resource
    return (
        (status is None or finding.status.value == status)
        and (provider is None or r.provider.value == provider)
        and (account is None or r.account == account)
        and (country is None or country.upper() in countries_of(finding))
        and (jurisdiction is None or jurisdiction.upper() in operator_jurisdictions(finding))
        and (operator is None or any(operator.lower() in o.lower() for o in operators_of(finding)))
        and (legal_list is None or legal_list in cited_lists(finding))
    )


def finding_record(finding: Finding) -> dict[str, Any]:
    """One flat row for a finding: the columns of CSV, JSON Lines and the DataFrame."""
    r = finding.resource
    return {
        "finding_id": finding.id,
        "policy_id": finding.policy_id,
        "status": finding.status.value,
        "provider": r.provider.value,
        "account": r.account,
        "service": r.service,
        "type": r.type,
        "resource_id": r.id,
        "name": r.name,
        "region": r.location.region,
        "zone": r.location.zone,
        "countries": ";".join(countries_of(finding)),
        "jurisdictions": ";".join(finding.jurisdictions),
        "reasons": " | ".join(finding.reasons),
    }
