"""Provider adapters. Each cloud lives in its own subpackage and imports its SDK lazily."""

from __future__ import annotations

from cloudaudit.providers._fanout import FanOut, Outcome, Scope, Unit, make_gap, redact
from cloudaudit.providers._protocol import Batch, Inventory, Provider, SecretHolder
from cloudaudit.providers._registry import get_provider, provider_names

__all__ = [
    "Batch",
    "FanOut",
    "Inventory",
    "Outcome",
    "Provider",
    "Scope",
    "SecretHolder",
    "Unit",
    "get_provider",
    "make_gap",
    "provider_names",
    "redact",
]
