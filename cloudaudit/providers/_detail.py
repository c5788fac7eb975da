"""Primary and secondary calls fail separately: a failed detail lookup never drops a resource.

A unit of work lists resources (the *primary* call) and then may ask for details of each one
or of its region (*secondary* calls: a bucket's location or replication, a table's replicas, a
registry's replication rules). When a primary call fails, the whole unit is a coverage gap.
When a secondary call fails, :func:`lookup` records a gap that names the call, its target and
the error code, and returns an :class:`Unread` in place of the answer: the collector still
reports the resource it listed, with the affected axis (location or copies) set to
:meth:`Unread.location`, an ``unknown`` location whose note says which call failed and how.

An answer that says it left part of the scope out (a zone it could not reach) is recorded the
same way, with :func:`left_out`: a gap naming the call, the part and the answer's reason, and
the resources it did return are kept.

The gap goes into the running unit's outcome (:class:`~cloudaudit.providers.FanOut` sets a
per-unit sink around each unit; :meth:`FanOut.map` carries it into its helper threads). Outside
a unit (a collector called by hand) the error propagates, as before.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from cloudaudit.models import CoverageGap, Location, LocationKind, ProviderId
from cloudaudit.providers._answers import PartialAnswer, classify_own
from cloudaudit.providers._calls import call_of

__all__ = ["DetailSink", "Unread", "collecting", "left_out", "lookup"]

T = TypeVar("T")


@dataclass(frozen=True)
class Unread:
    """A secondary call that failed.

    Attributes:
        call: The API call (``s3:GetBucketLocation``, ``Microsoft.Sql/servers/failoverGroups``).
        target: What it was asked about (``bucket logs``, ``region eu-west-1``).
        code: The cloud's error code (``AccessDenied``, ``Timeout``, ``MalformedResponse``).
    """

    call: str
    target: str
    code: str

    @property
    def reason(self) -> str:
        """``s3:GetBucketLocation on bucket logs failed: AccessDenied``."""
        return f"{self.call} on {self.target} failed: {self.code}"

    def location(self, provider: ProviderId | str, via: str | None = None) -> Location:
        """An ``unknown`` location whose note names the failed call and its error code.

        Args:
            provider: The cloud.
            via: For a copy, the id of the copy mechanism the failed call was to read.
        """
        return Location(
            provider=ProviderId(provider),
            region=None,
            kind=LocationKind.UNKNOWN,
            via=via,
            note=self.reason,
        )


@dataclass
class DetailSink:
    """The gaps of failed secondary calls of one running unit (thread-safe).

    Attributes:
        record: ``record(exc, what, target)`` classifies an exception and builds the gap
            (``None``: not a cloud error).
        gaps: The gaps recorded so far.
    """

    record: Callable[[BaseException, str, str], CoverageGap | None]
    gaps: list[CoverageGap] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, gap: CoverageGap) -> None:
        """Keep one gap."""
        with self.lock:
            self.gaps.append(gap)


_SINK: contextvars.ContextVar[DetailSink | None] = contextvars.ContextVar(
    "cloudaudit_detail_sink", default=None
)


@contextmanager
def collecting(sink: DetailSink) -> Iterator[DetailSink]:
    """Make ``sink`` receive the gaps of :func:`lookup` calls made in this context."""
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def lookup(
    call: str,
    target: str,
    fn: Callable[[], T],
    classify: Callable[[BaseException], tuple[str, str] | None] | None = None,
) -> T | Unread:
    """Run one secondary call; a cloud error becomes a gap and an :class:`Unread`.

    Args:
        call: The API call, for the reason and the gap (``s3:GetBucketReplication``).
        target: What it is about (``bucket logs``).
        fn: Makes the call and returns what the collector needs.
        classify: The cloud's classifier, used when no unit is running (a collector called
            by hand): the error still becomes an :class:`Unread`, and there is no gap to keep.

    Returns:
        ``fn()``, or an :class:`Unread` when it raised an error the provider's classifiers
        recognise (denied, throttled, unreachable, malformed answer).

    Raises:
        Exception: Anything the classifiers do not recognise (a bug is never an unknown).
    """
    sink = _SINK.get()
    try:
        return fn()
    except Exception as exc:
        call = _shown(call, exc)
        if sink is not None:
            gap = sink.record(exc, f"{call} on {target}", target)
            if gap is None:
                raise
            sink.add(gap)
            return Unread(call, target, gap.code)
        found = classify_own(exc) or (classify(exc) if classify is not None else None)
        if found is None:
            raise
        return Unread(call, target, found[0])


def left_out(call: str, target: str, code: str, detail: str) -> None:
    """Record that a successful answer of ``call`` left ``target`` out (a gap of the unit).

    Args:
        call: The API call (``compute.instances.aggregatedList``).
        target: What the answer left out (``zones/us-central1-a``).
        code: The answer's reason (``UNREACHABLE``): the gap's code.
        detail: What the answer said about it.

    Raises:
        PartialAnswer: No unit is running (a collector called by hand): with nowhere to keep
            the gap, the listing fails rather than read as whole.
    """
    exc = PartialAnswer(call, target, code, detail)
    sink = _SINK.get()
    gap = sink.record(exc, f"{call} on {target}", target) if sink is not None else None
    if sink is None or gap is None:
        raise exc
    sink.add(gap)


def _shown(call: str, exc: BaseException) -> str:
    """The call to name: the one the SDK noted on ``exc`` when it names ``call`` too.

    A collector names a detail call by its IAM action (``s3:GetReplicationConfiguration``);
    the AWS provider notes the API operation with it (``s3:GetBucketReplication (IAM action
    s3:GetReplicationConfiguration)``), as the unit gaps name it.
    """
    noted = call_of(exc)
    return noted if noted is not None and noted != call and call in noted else call
