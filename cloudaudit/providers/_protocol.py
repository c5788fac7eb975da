"""The read-only provider protocol and the batches providers yield.

A provider is written against :class:`~cloudaudit.providers.Work` (run units, map items,
make a gap, know when to stop), never against the executor that implements it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cloudaudit._guardrail_model import Guardrail, GuardrailScope
from cloudaudit.models import CoverageGap, Resource, ScopeRecord
from cloudaudit.providers._work import Classifier, Outcome, Task, Work

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

    @classmethod
    def from_outcome(cls, outcome: Outcome, *, resources: int | None = None) -> Batch:
        """The batch of one unit's outcome: resources, audited record, its gap and detail gaps.

        Args:
            outcome: What :meth:`Work.run` yielded for a unit.
            resources: Count to record as audited instead of ``len(outcome.resources)`` (a
                unit whose resources are reported by later units).
        """
        audited: tuple[ScopeRecord, ...] = ()
        if outcome.audited is not None:
            record = outcome.audited
            if resources is not None:
                record = record.model_copy(update={"resources": resources})
            audited = (record,)
        return cls(resources=outcome.resources, audited=audited, gaps=outcome.gaps)

    @classmethod
    def of(cls, item: Batch | CoverageGap) -> Batch:
        """``item`` as a batch: a gap (from :func:`~cloudaudit.providers.guard_iter`) or a batch."""
        return cls(gaps=(item,)) if isinstance(item, CoverageGap) else item


@runtime_checkable
class Provider(Protocol):
    """**Protocol:** a read-only adapter that lists resources of one cloud scope.

    Implementations must:
        * call only read operations (List/Describe/Get/Search);
        * run their units of work through the given :class:`Work`, so that a failing region,
          service or account becomes a coverage gap and the rest of the audit goes on;
        * never report a scope they could not read as empty: yield a gap for it instead;
        * never log or return credentials, and list every credential they were given in
          :meth:`secrets` so that ``audit`` masks it in every gap message.

    ``name``, ``classifiers`` and ``secrets`` are required (return ``()`` when there is
    nothing to declare): ``audit`` refuses an object that lacks one.

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

    def secrets(self) -> Sequence[str]:
        """Credential strings the provider was given (secret keys, tokens), to mask in output."""
        ...

    def collect(self, work: Work) -> Iterator[Batch]:
        """Yield batches of resources, audited scopes and gaps, running units on ``work``."""
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

    def plan(self, work: Work) -> Plan:
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
