"""Bounded concurrent fan-out that turns a failing unit of work into a coverage gap.

This module holds the one broad ``except`` of cloudaudit: a unit (one account × region ×
service, say) that raises anything becomes a :class:`~cloudaudit.models.CoverageGap` carrying
the error code, and the audit goes on. "Could not look" is never silently "nothing there".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from cloudaudit.models import CoverageGap, Resource, ScopeRecord

__all__ = ["Classifier", "FanOut", "Outcome", "Scope", "Unit", "default_classifier", "redact"]

Classifier = Callable[[BaseException], tuple[str, str] | None]
"""**Protocol:** map an exception to ``(error_code, message)``, or ``None`` if not recognised."""

_ACCESS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|LTAI)[A-Za-z0-9]{12,28}(?![A-Za-z0-9])"
)
_KEY_VALUE = re.compile(
    r"(?i)\b(secret|token|password|signature|credential|sig|key)(=|\"?:\s*\"?)([^&\s\",]+)"
)
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|x-amz-security-token)(:\s*|=)([^\r\n]+)")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credentials in ``text``: known secrets, access key ids, tokens and signatures."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _PEM.sub("***", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _ACCESS_KEY.sub("***", text)


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
    """The result of one unit: resources and an audited record, or a gap."""

    scope: Scope
    resources: Sequence[Resource] = ()
    audited: ScopeRecord | None = None
    gap: CoverageGap | None = None


def default_classifier(exc: BaseException) -> tuple[str, str]:
    """Fallback classification: the exception's class name and its message."""
    return type(exc).__name__, str(exc) or type(exc).__name__


@dataclass
class FanOut:
    """Runs units concurrently under a bound and converts failures into coverage gaps.

    Args:
        max_workers: Most units in flight at once (when no executor is given).
        executor: Any ``concurrent.futures.Executor``; the caller owns its lifetime.
        classifiers: Provider-specific exception classifiers, tried in order.
        secrets: Strings to mask in gap messages (credentials the caller passed in).
        progress: Called with ``(done, total, scope)`` after each unit.
    """

    max_workers: int = 16
    executor: Executor | None = None
    classifiers: list[Classifier] = field(default_factory=list)
    secrets: tuple[str, ...] = ()
    progress: Callable[[int, int, Scope], None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def gap(self, scope: Scope, exc: BaseException, code: str | None = None) -> CoverageGap:
        """Build a coverage gap for ``scope`` from an exception."""
        found: tuple[str, str] | None = None
        for classify in self.classifiers:
            found = classify(exc)
            if found is not None:
                break
        err_code, message = found or default_classifier(exc)
        return make_gap(scope, code or err_code, redact(message, self.secrets))

    def guard(self, unit: Unit) -> Outcome:
        """Run one unit; any exception becomes a gap for its scope."""
        if self.cancel.is_set():
            return Outcome(
                unit.scope,
                gap=make_gap(unit.scope, "Cancelled", "the audit stopped before this scope ran"),
            )
        try:
            resources = unit.run()
        except Exception as exc:  # noqa: BLE001 - the one place failures become coverage gaps
            return Outcome(unit.scope, gap=self.gap(unit.scope, exc))
        s = unit.scope
        record = ScopeRecord(
            provider=s.provider,
            scope=str(s),
            account=s.account,
            region=s.region,
            service=s.service,
            resources=len(resources),
            method=unit.method,
        )
        return Outcome(s, resources=tuple(resources), audited=record)

    def run(self, units: Iterable[Unit]) -> Iterator[Outcome]:
        """Run ``units`` concurrently; yield outcomes as they complete."""
        todo = list(units)
        if not todo:
            return
        own = self.executor is None
        pool = self.executor or ThreadPoolExecutor(
            max_workers=max(1, self.max_workers), thread_name_prefix="cloudaudit"
        )
        try:
            futures: dict[Future[Outcome], Unit] = {pool.submit(self.guard, u): u for u in todo}
            for done, fut in enumerate(as_completed(futures), start=1):
                unit = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - executor failure (e.g. a lost worker)
                    outcome = Outcome(unit.scope, gap=self.gap(unit.scope, exc))
                if self.progress is not None:
                    self.progress(done, len(todo), unit.scope)
                yield outcome
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)


def make_gap(scope: Scope, code: str, message: str) -> CoverageGap:
    """Build a :class:`CoverageGap` for a scope."""
    return CoverageGap(
        provider=scope.provider,
        scope=str(scope),
        code=code,
        message=message,
        account=scope.account,
        region=scope.region,
        service=scope.service,
    )


def guard_iter(
    fanout: FanOut, scope: Scope, produce: Callable[[], Iterable[object]]
) -> Iterator[object | CoverageGap]:
    """Iterate ``produce()``; if it raises, yield one gap for ``scope`` and stop.

    Used by ``audit`` around each provider's ``collect`` so that a provider that fails as a
    whole (no SDK, no credentials, discovery denied) becomes a gap and the other providers go on.
    """
    try:
        yield from produce()
    except Exception as exc:  # noqa: BLE001 - a provider failing as a whole becomes one gap
        yield fanout.gap(scope, exc)
