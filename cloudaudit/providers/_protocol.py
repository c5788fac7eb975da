"""The read-only provider protocol and the batches providers yield."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cloudaudit._guardrail_model import Guardrail, GuardrailScope
from cloudaudit.models import CoverageGap, Resource, ScopeRecord
from cloudaudit.providers._fanout import Classifier, FanOut, Task

__all__ = ["Batch", "Distributable", "Plan", "Provider"]


@dataclass(frozen=True)
class Batch:
    """A piece of a provider's inventory: resources, what was audited, and gaps.

    ``guardrails`` and ``guardrail_scopes`` carry declared location guardrails and the scopes
    whose guardrails were read (only when the provider was asked to read guardrails).
    """

    resources: Sequence[Resource] = ()
    audited: Sequence[ScopeRecord] = ()
    gaps: Sequence[CoverageGap] = ()
    guardrails: Sequence[Guardrail] = ()
    guardrail_scopes: Sequence[GuardrailScope] = ()


@runtime_checkable
class Provider(Protocol):
    """**Protocol:** a read-only adapter that lists resources of one cloud scope.

    Implementations must:
        * call only read operations (List/Describe/Get/Search);
        * run their units of work through the given :class:`FanOut`, so that a failing region,
          service or account becomes a coverage gap and the rest of the audit goes on;
        * never report a scope they could not read as empty: yield a gap for it instead;
        * never log or return credentials.

    They may raise :class:`~cloudaudit.errors.ProviderUnavailable` (SDK not installed) or
    :class:`~cloudaudit.errors.AuthenticationError` (no credentials at all); ``audit`` turns
    both into a gap covering the whole provider.
    """

    @property
    def name(self) -> str:
        """The provider id (``aws``, ``gcp``, ``azure``, ``alibaba``, ...)."""
        ...

    def classifiers(self) -> Sequence[Classifier]:
        """Exception classifiers that turn SDK errors into ``(code, message)``."""
        ...

    def collect(self, fanout: FanOut) -> Iterator[Batch]:
        """Yield batches of resources, audited scopes and gaps."""
        ...


class SecretHolder(Protocol):
    """**Protocol (optional):** a provider that was given credentials lists them here.

    ``audit`` masks every string returned by ``secrets()`` in coverage-gap messages.
    """

    def secrets(self) -> Sequence[str]:
        """Return credential strings (secret keys, tokens) to mask in output."""
        ...


@dataclass(frozen=True)
class Plan:
    """What a distributable provider hands to a process-based or distributed executor.

    Attributes:
        tasks: Picklable tasks, each returning a list of :class:`Batch` (plain data).
        batches: What discovery already found (for instance gaps for accounts that are
            suspended or could not be listed); merged into the report as is.
        max_in_flight: Most tasks submitted to the executor at once (``None``: all).
    """

    tasks: Sequence[Task[list[Batch]]] = ()
    batches: Sequence[Batch] = ()
    max_in_flight: int | None = None


@runtime_checkable
class Distributable(Protocol):
    """**Protocol (optional):** a provider that can split its work into picklable tasks.

    ``audit(..., executor=...)`` with an executor that is not a ``ThreadPoolExecutor``
    (processes, ``dask.distributed``, Ray) calls :meth:`plan` on the driver and runs the
    tasks on the executor; with no executor, or a thread pool, it calls ``collect`` instead.
    """

    def plan(self, fanout: FanOut) -> Plan:
        """Discover the work (on the driver) and return it as picklable tasks."""
        ...


@dataclass
class Inventory:
    """A merged collection of batches."""

    resources: list[Resource] = field(default_factory=list)
    audited: list[ScopeRecord] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    guardrails: list[Guardrail] = field(default_factory=list)
    guardrail_scopes: list[GuardrailScope] = field(default_factory=list)

    def add(self, batch: Batch) -> None:
        """Merge one batch."""
        self.resources.extend(batch.resources)
        self.audited.extend(batch.audited)
        self.gaps.extend(batch.gaps)
        self.guardrails.extend(batch.guardrails)
        self.guardrail_scopes.extend(batch.guardrail_scopes)
