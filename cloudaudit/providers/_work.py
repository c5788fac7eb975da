"""What a provider needs from the audit that runs it: the work types and the :class:`Work` seam.

A provider splits its inventory into :class:`Unit` s (one account × region × service, say) and
hands them to the run's :class:`Work`, which runs them under the audit's bound, turns a unit
that raises into a coverage gap, and yields an :class:`Outcome` per unit. This module holds
those types and nothing that runs them (that is :class:`~cloudaudit.providers.FanOut`), so a
provider depends on a handful of small types, not on the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cloudaudit._text import visible
from cloudaudit.models import EXCLUDED, CoverageGap, Resource, ScopeRecord

__all__ = [
    "CANCELLED",
    "EXCLUDED",
    "Classifier",
    "Outcome",
    "Scope",
    "Task",
    "Unit",
    "Work",
    "container_gap",
    "default_classifier",
    "make_gap",
]

T = TypeVar("T")
R = TypeVar("R")
T_co = TypeVar("T_co", covariant=True)

CANCELLED = "Cancelled"
"""Gap code of a unit the audit did not start because it was stopped (deadline, cancel)."""


Classifier = Callable[[BaseException], tuple[str, str] | None]
"""**Protocol:** map an exception to ``(error_code, message)``, or ``None`` if not recognised."""


@dataclass(frozen=True)
class Scope:
    """What one unit of work covers: provider, account, region and service (each optional)."""

    provider: str
    account: str | None = None
    region: str | None = None
    service: str | None = None

    def __str__(self) -> str:
        parts = [self.provider, self.account or "*", self.region or "*", self.service or "*"]
        return "/".join(parts)


@dataclass(frozen=True)
class Unit:
    """One unit of work: a scope and a function that lists its resources."""

    scope: Scope
    run: Callable[[], Sequence[Resource]]
    method: str = "api"


@dataclass(frozen=True)
class Outcome:
    """The result of one unit: resources and an audited record, or a gap.

    ``details`` holds the gaps of failed secondary calls (see
    :func:`~cloudaudit.providers._detail.lookup`) of a unit that was still audited.
    """

    scope: Scope
    resources: Sequence[Resource] = ()
    audited: ScopeRecord | None = None
    gap: CoverageGap | None = None
    details: tuple[CoverageGap, ...] = ()

    @property
    def gaps(self) -> tuple[CoverageGap, ...]:
        """Every gap of the unit: its own (if it failed) and those of its detail lookups."""
        return ((self.gap,) if self.gap is not None else ()) + self.details


class Task(Protocol[T_co]):
    """**Protocol:** a picklable unit of work for process-based or distributed executors.

    Unlike a :class:`Unit`, a task holds no live client, session or lock: it is a plain
    description (a dataclass) that builds what it needs where it runs, and returns plain,
    picklable results.
    """

    @property
    def scope(self) -> Scope:
        """What the task covers (for gaps and progress)."""
        ...

    def __call__(self) -> T_co:
        """Do the work (in a worker process or on a remote machine) and return the result."""
        ...


class Work(Protocol):
    """**Protocol:** the run a provider's ``collect`` is given: everything it may ask of it.

    :class:`~cloudaudit.providers.FanOut` implements it; a provider never needs more.
    """

    def run(self, units: Iterable[Unit]) -> Iterator[Outcome]:
        """Run ``units`` under the audit's bound; yield one outcome per unit as each ends.

        A unit that raises yields an outcome with a gap; a unit not started because the
        audit was stopped yields a :data:`CANCELLED` gap.
        """
        ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply ``fn`` to each item concurrently within the same bound; keep the order."""
        ...

    def gap(self, scope: Scope, exc: BaseException, code: str | None = None) -> CoverageGap:
        """A coverage gap for ``scope`` from an exception (classified, credentials masked)."""
        ...

    def add_secrets(self, *secrets: str) -> None:
        """Mask these strings in every later gap message (credentials learnt while running)."""
        ...

    def evidence(self, scope: Scope) -> AbstractContextManager[None]:
        """Record the answers read in the body as the evidence of ``scope``.

        For what a provider reads outside its units (the account and region discovery, an
        organization's account list): in an audit that keeps evidence, those answers are a
        unit of the bundle of their own; otherwise this does nothing. The body must not
        yield (the context is set on the calling thread, and on the threads of its ``map``).
        """
        ...

    @property
    def cancelled(self) -> bool:
        """True once the audit has been stopped: start no new work."""
        ...


def default_classifier(exc: BaseException) -> tuple[str, str]:
    """Fallback classification: the exception's class name and its message."""
    return type(exc).__name__, str(exc) or type(exc).__name__


def make_gap(scope: Scope, code: str, message: str) -> CoverageGap:
    """Build a :class:`CoverageGap` for a scope (control characters shown escaped)."""
    return CoverageGap(
        provider=scope.provider,
        scope=str(scope),
        code=visible(code),
        message=visible(message),
        account=scope.account,
        region=scope.region,
        service=scope.service,
    )


def container_gap(gap: CoverageGap, container: str, note: str = "") -> CoverageGap:
    """``gap`` about a scope above the accounts (an AWS OU, a GCP folder or organization).

    The accounts under such a scope are unknown, so the gap names no account (``account`` is
    ``None``: it may hide any account of its provider, as :func:`cloudaudit.diff.covers` and
    :meth:`cloudaudit.report.Report.by_account` read it) and names the container in
    ``target`` (and its scope string, ``provider/*/region/service``, holds no account).

    Args:
        gap: The gap as the unit's failure made it (its account field holds the container).
        container: What the gap is about (``OU ou-ab12-34cd56ef``, ``folders/42``).
        note: Appended to the message (what the failure leaves unaudited).
    """
    scope = Scope(gap.provider, None, gap.region, gap.service)
    message = f"{gap.message}; {note}" if note else gap.message
    update = {"account": None, "scope": str(scope), "target": container, "message": message}
    return gap.model_copy(update=update)
