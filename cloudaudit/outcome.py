"""What an audit's outcome means to a scheduler: the exit codes, decided in one place.

======  ===========================================================================
code    meaning
======  ===========================================================================
0       nothing to fail on
1       a ``--fail-on`` condition holds (default: a violation)
2       usage or configuration error (bad policy, bad option, missing SDK extra)
3       not audited: a provider audited no scope at all, or credentials were
        refused; whatever ``--fail-on`` says, because a report that saw nothing
        must never pass for a clean one (also when exclusions the caller asked
        for left nothing to audit)
130     interrupted (Ctrl-C)
======  ===========================================================================

A scope left out by the caller's choice (gap code ``Excluded``: ``--exclude-management-account``,
accounts outside ``--ou``) is listed in the report, which is then not ``complete``, but it is
not a failure: it never fails ``--fail-on gap``, and alone it never makes the code 3 while
anything else of its provider was audited.

Example:
    >>> from cloudaudit.models import Coverage, CoverageGap
    >>> gap = CoverageGap(provider="aws", scope="aws/*", code="NoCredentials", message="none")
    >>> not_audited(Coverage(gaps=(gap,)))
    ('aws: credentials refused (NoCredentials at aws/*)',)
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudaudit.models import Coverage
from cloudaudit.report import Report, Summary, fails

__all__ = [
    "CREDENTIAL_CODES",
    "EXIT_CONFIG",
    "EXIT_FAIL",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_AUDITED",
    "EXIT_OK",
    "exit_code",
    "not_audited",
]

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_CONFIG = 2
EXIT_NOT_AUDITED = 3
EXIT_INTERRUPTED = 130

CREDENTIAL_CODES = frozenset(
    {
        # AWS (botocore error codes, and the classifier's NoCredentials)
        "NoCredentials",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "InvalidSignatureException",
        # GCP (status and ErrorInfo reasons of 401 answers, google.auth refresh failures)
        "UNAUTHENTICATED",
        "Unauthorized",
        "CREDENTIALS_MISSING",
        "ACCESS_TOKEN_TYPE_UNSUPPORTED",
        "CredentialsRefreshFailed",
        # Azure (ARM 401 codes and the classifier's ClientAuthenticationError code)
        "AuthenticationFailed",
        "InvalidAuthenticationToken",
        "ExpiredAuthenticationToken",
        "InvalidAuthenticationTokenTenant",
        "CredentialUnavailableError",
        "ClientAuthenticationError",
        # Alibaba Cloud
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidSecurityToken.Expired",
        "InvalidSecurityToken.Malformed",
        "IncompleteSignature",
        # any provider: cloudaudit's own errors when no credentials could be found or its
        # SDK was missing when it ran
        "AuthenticationError",
        "ProviderUnavailable",
    }
)
"""Gap codes that mean the caller's credentials were missing or refused (not a denied scope)."""


def not_audited(coverage: Coverage) -> tuple[str, ...]:
    """Why the audit must not pass as a result: one line per provider that saw nothing.

    A provider saw nothing when it has coverage gaps and not one audited scope, or when any of
    its gaps says its credentials were missing or refused (:data:`CREDENTIAL_CODES`).
    """
    audited = {a.provider for a in coverage.audited}
    reasons: dict[str, str] = {}
    for g in coverage.gaps:
        if g.code in CREDENTIAL_CODES:
            reasons.setdefault(g.provider, f"credentials refused ({g.code} at {g.scope})")
    for g in coverage.gaps:
        if g.provider not in audited:
            reasons.setdefault(g.provider, f"audited no scope ({g.code} at {g.scope})")
    return tuple(f"{p}: {why}" for p, why in sorted(reasons.items()))


def exit_code(
    report: Report | None = None,
    fail_on: Iterable[str] = ("violation",),
    *,
    summary: Summary | None = None,
    coverage: Coverage | None = None,
) -> int:
    """The documented exit code of an audit (see the module docstring).

    Pass a ``report``, or a ``summary`` and ``coverage`` (a streamed audit has no report).
    ``never`` in ``fail_on`` turns off code 1 but never code 3.
    """
    if report is not None:
        summary, coverage = report.summary, report.coverage
    if summary is None or coverage is None:
        raise TypeError("exit_code needs a report, or a summary and a coverage")
    if not_audited(coverage):
        return EXIT_NOT_AUDITED
    chosen = len(coverage.gaps) - len(coverage.failures)  # Excluded: asked for, no failure
    if chosen:
        summary = summary.model_copy(update={"gaps": max(0, summary.gaps - chosen)})
    wanted = set(fail_on)
    if wanted == {"never"}:
        return EXIT_OK
    return EXIT_FAIL if fails(summary, wanted - {"never"}) else EXIT_OK
