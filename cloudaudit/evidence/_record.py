"""Recording what providers read, per unit of work, for an evidence bundle.

A provider's fetch step calls :func:`record` with the answer it read (a dict). Outside a
recorded audit the call costs one context-variable lookup and does nothing. Inside one, the
fan-out runs each unit under :meth:`Recorder.unit`, so the answer lands in that unit's records,
masked (credentials and every secret the providers declared), with its SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, TypeVar

from cloudaudit.models import Resource

__all__ = ["Record", "Recorder", "canonical", "mask", "record", "recorded", "recording"]

SECRET_KEYS = frozenset(
    {
        "secretaccesskey",
        "sessiontoken",
        "accesskeyid",
        "password",
        "masteruserpassword",
        "secret",
        "token",
        "accesskeysecret",
        "securitytoken",
        "privatekey",
        "clientsecret",
        "externalid",
    }
)
"""Keys whose values are never written to a bundle, whatever their value (case-insensitive)."""

MASK = "***"


def canonical(data: Any) -> str:
    """The canonical JSON text of ``data`` (sorted keys, no spaces; dates as ISO text)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def mask(data: Any, redact: Callable[[str], str]) -> Any:
    """A copy of ``data`` with secret-named keys masked and every string passed to ``redact``."""
    if isinstance(data, Mapping):
        return {
            str(k): MASK if str(k).lower() in SECRET_KEYS else mask(v, redact)
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask(v, redact) for v in data]
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, bytes):
        return f"<{len(data)} bytes>"
    if is_dataclass(data) and not isinstance(data, type):
        return mask(asdict(data), redact)
    return data if data is None or isinstance(data, bool | int | float) else str(data)


@dataclass(frozen=True)
class Record:
    """One answer a provider read: the operation, the masked data and its SHA-256."""

    operation: str
    data: Any
    text: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """The record as it is written in a unit file."""
        return {"operation": self.operation, "sha256": self.sha256, "data": self.data}


@dataclass
class _UnitRecords:
    scope: str
    records: list[Record] = field(default_factory=list)


_CURRENT: ContextVar[tuple[Recorder, _UnitRecords] | None] = ContextVar(
    "cloudaudit_evidence_unit", default=None
)


def recording() -> bool:
    """True inside a unit of an audit that keeps evidence (cheap: one context lookup)."""
    return _CURRENT.get() is not None


def record(operation: str, data: Any) -> None:
    """Record ``data`` (an API answer) as read by ``operation`` in the current unit, if any."""
    current = _CURRENT.get()
    if current is not None:
        current[0].add(current[1], operation, data)


F = TypeVar("F", bound=Callable[..., Any])


def recorded(operation: str) -> Callable[[F], F]:
    """Decorate a provider's ``fetch_*`` step: what it returns is recorded as ``operation``.

    The record holds the call's plain arguments (project, region, bucket: strings and numbers;
    clients are left out) and the returned data. A generator's items are recorded one by one
    as they are read. Outside a recorded audit the wrapper only checks :func:`recording`.
    """

    def decorate(fn: F) -> F:
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                for item in fn(*args, **kwargs):
                    if recording():
                        record(operation, {"request": _plain_args(args, kwargs), "item": item})
                    yield item

            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            out = fn(*args, **kwargs)
            if recording():
                record(operation, {"request": _plain_args(args, kwargs), "response": out})
            return out

        return wrapper  # type: ignore[return-value]

    return decorate


def _plain_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    plain = (str, int, float, bool)
    out: dict[str, Any] = {f"arg{i}": a for i, a in enumerate(args) if isinstance(a, plain)}
    out.update({k: v for k, v in kwargs.items() if isinstance(v, plain)})
    return out


@dataclass
class Recorder:
    """Collects the masked records of every unit of one audit (thread-safe).

    Attributes:
        redact: Masks credentials in a string (the audit's secrets included).
        on_unit: Called with ``(scope, records)`` when a unit finishes (the bundle writer).
    """

    redact: Callable[[str], str]
    on_unit: Callable[[str, Sequence[Record]], None] | None = None
    _index: dict[tuple[str, ...], list[Record]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, unit: _UnitRecords, operation: str, data: Any) -> None:
        """Mask ``data``, hash it and add it to ``unit``."""
        masked = mask(data, self.redact)
        text = canonical(masked)
        digest = hashlib.sha256(text.encode()).hexdigest()
        rec = Record(operation, masked, text, digest)
        with self._lock:
            unit.records.append(rec)

    @contextmanager
    def unit(self, scope: str, linked: bool = True) -> Iterator[None]:
        """Run the body as unit ``scope``: :func:`record` calls in it land in this unit.

        Args:
            scope: The unit's scope (``aws/123456789012/eu-west-1/ec2``).
            linked: Whether resources are linked to its records (:meth:`link`). A discovery
                step's records (the accounts, the regions) are written but never searched:
                no resource is read from them, and an organization's are large.
        """
        current = _UnitRecords(scope)
        token = _CURRENT.set((self, current))
        try:
            yield
        finally:
            _CURRENT.reset(token)
            key = tuple(scope.split("/"))
            if linked:
                with self._lock:
                    self._index.setdefault(key[:2], []).extend(current.records)
            if self.on_unit is not None and current.records:
                self.on_unit(scope, tuple(current.records))

    def link(self, r: Resource) -> Resource:
        """``r`` with the hashes of the records that name it.

        A record names it when its id or name is a JSON value there, or a value in a JSON
        document the answer carries as a string. Records of units of its own account come
        first, then those of provider-wide units (a Resource Graph or Cloud Asset query over
        many subscriptions or projects), then any unit of the provider. Units recorded with
        ``linked=False`` (discovery) are never searched.
        """
        quoted = [json.dumps(n, ensure_ascii=False) for n in _names(r)]
        # also as a value inside a JSON document carried as a string (AWS Config's
        # SelectAggregateResourceConfig answers each item so)
        needles = {*quoted, *(json.dumps(q, ensure_ascii=False)[1:-1] for q in quoted)}
        prov = r.provider.value
        with self._lock:
            tiers = [
                self._index.get((prov, r.account), []) + self._index.get((prov, "*"), []),
                [rec for key, recs in self._index.items() if key[0] == prov for rec in recs],
            ]
        for candidates in tiers:
            hashes = tuple(
                dict.fromkeys(c.sha256 for c in candidates if any(n in c.text for n in needles))
            )
            if hashes:
                return r.model_copy(update={"records": hashes})
        return r


def _names(r: Resource) -> set[str]:
    """Strings that identify ``r`` in an API answer: its id, its name, the id's last part."""
    tail = r.id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return {s for s in (r.id, r.name, tail) if len(s) >= 3}
