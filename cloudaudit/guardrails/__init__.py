"""Declared location guardrails and their comparison with policies and estates (Core).

The models live in :mod:`cloudaudit._guardrail_model` (so that :class:`~cloudaudit.models.Report`
can embed them); the providers read guardrails; :func:`compare_guardrails` compares.
"""

from __future__ import annotations

from cloudaudit._guardrail_model import (
    Guardrail,
    GuardrailFinding,
    GuardrailFindingKind,
    GuardrailScope,
    GuardrailSection,
    LocationRule,
    glob_match,
)
from cloudaudit.guardrails._compare import compare_guardrails, permitted_locations

__all__ = [
    "Guardrail",
    "GuardrailFinding",
    "GuardrailFindingKind",
    "GuardrailScope",
    "GuardrailSection",
    "LocationRule",
    "compare_guardrails",
    "glob_match",
    "permitted_locations",
]
