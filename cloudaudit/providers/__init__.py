"""Provider adapters. Each cloud lives in its own subpackage and imports its SDK lazily.

The provider kit: :class:`Provider` (the protocol a cloud adapter implements), :class:`Work`
(what a provider may ask of the run: units, maps, gaps, cancellation), the work types
(:class:`Scope`, :class:`Unit`, :class:`Outcome`, :class:`Batch`) and :class:`FanOut`, the
executor that implements :class:`Work`.
"""

from __future__ import annotations

from cloudaudit.providers._fanout import FanOut
from cloudaudit.providers._protocol import Batch, Inventory, Provider
from cloudaudit.providers._redact import redact
from cloudaudit.providers._registry import get_provider, provider_names
from cloudaudit.providers._stream import guard_iter
from cloudaudit.providers._work import CANCELLED, Classifier, Outcome, Scope, Unit, Work, make_gap

__all__ = [
    "CANCELLED",
    "Batch",
    "Classifier",
    "FanOut",
    "Inventory",
    "Outcome",
    "Provider",
    "Scope",
    "Unit",
    "Work",
    "get_provider",
    "guard_iter",
    "make_gap",
    "provider_names",
    "redact",
]
