"""Helpers for testing your own tooling against cloudaudit without any cloud.

Example:
    >>> from cloudaudit import audit
    >>> from cloudaudit.testing import FakeProvider, make_resource
    >>> provider = FakeProvider([make_resource("aws", "eu-central-1", name="logs")])
    >>> audit(provider, "eea-only").summary.compliant
    1
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from cloudaudit._guardrail_model import Guardrail, GuardrailScope
from cloudaudit.models import CoverageGap, Location, LocationKind, ProviderId, Resource
from cloudaudit.providers import Batch, Classifier, Scope, Unit, Work, make_gap

__all__ = ["FakeProvider", "make_resource"]


def make_resource(
    provider: str,
    region: str | None,
    *,
    name: str = "resource",
    service: str | None = None,
    type: str | None = None,
    account: str = "000000000000",
    zone: str | None = None,
    kind: LocationKind | str = LocationKind.REGION,
    copies: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
    id: str | None = None,
    via: str | None = None,
) -> Resource:
    """Build a :class:`Resource` with sensible defaults (copies are regions of the same cloud).

    ``service`` and ``type`` default to the provider's object storage (``s3``/``bucket``,
    ``storage``/``bucket``, ``Microsoft.Storage``/``storageAccounts``, ``oss``/``bucket``), a
    type the copy model declares. ``via`` names the copy mechanism of every copy (as a
    provider's copies do: ``aws.s3.replication``).
    """
    pid = ProviderId(provider)
    default_service, default_type = _STORAGE.get(pid, ("storage", "bucket"))
    service = default_service if service is None else service
    type = default_type if type is None else type
    return Resource(
        provider=pid,
        account=account,
        service=service,
        type=type,
        id=id or f"{provider}:{account}:{service}:{type}/{name}",
        name=name,
        location=Location(provider=pid, region=region, zone=zone, kind=LocationKind(kind)),
        data_locations=tuple(Location(provider=pid, region=c, via=via) for c in copies),
        tags=dict(tags or {}),
    )


_STORAGE: dict[ProviderId, tuple[str, str]] = {
    ProviderId.AWS: ("s3", "bucket"),
    ProviderId.GCP: ("storage", "bucket"),
    ProviderId.AZURE: ("Microsoft.Storage", "storageAccounts"),
    ProviderId.ALIBABA: ("oss", "bucket"),
}


class FakeProvider:
    """A provider that returns the resources and gaps you give it. Satisfies ``Provider``.

    Args:
        resources: Resources to report.
        gaps: Gaps to report, as :class:`CoverageGap` or ``(scope, code, message)`` tuples.
        name: Provider id to report as.
        fail_with: If set, each unit raises this exception (to test gap handling).
        guardrails: Declared location guardrails to report.
        guardrail_scopes: Scopes whose guardrails count as read (giving either turns the
            report's guardrails section on).
        secrets: Credentials to declare (masked in every gap message, like a real provider's).
    """

    def __init__(
        self,
        resources: Sequence[Resource] = (),
        gaps: Sequence[CoverageGap | tuple[str, str, str]] = (),
        name: str = "fake",
        fail_with: BaseException | None = None,
        guardrails: Sequence[Guardrail] = (),
        guardrail_scopes: Sequence[GuardrailScope] = (),
        secrets: Sequence[str] = (),
    ) -> None:
        self._resources = list(resources)
        self._gaps = [
            g if isinstance(g, CoverageGap) else make_gap(Scope(name, g[0]), g[1], g[2])
            for g in gaps
        ]
        self._name = name
        self._fail_with = fail_with
        self._guardrails = tuple(guardrails)
        self._guardrail_scopes = tuple(guardrail_scopes)
        self._secrets = tuple(secrets)

    @property
    def name(self) -> str:
        """The provider id."""
        return self._name

    def classifiers(self) -> Sequence[Classifier]:
        """No SDK errors to classify."""
        return ()

    def secrets(self) -> Sequence[str]:
        """The credentials given to the constructor."""
        return self._secrets

    def _run(self) -> Sequence[Resource]:
        if self._fail_with is not None:
            raise self._fail_with
        return self._resources

    def collect(self, work: Work) -> Iterator[Batch]:
        """Yield the configured resources through ``work``, then the configured gaps."""
        unit = Unit(scope=Scope(self._name, "fake-account"), run=self._run)
        for outcome in work.run([unit]):
            yield Batch.from_outcome(outcome)
        if self._gaps:
            yield Batch(gaps=tuple(self._gaps))
        if self._guardrails or self._guardrail_scopes:
            yield Batch(guardrails=self._guardrails, guardrail_scopes=self._guardrail_scopes)
