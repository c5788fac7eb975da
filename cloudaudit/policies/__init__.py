"""Policies: legal lists, built-in policies, user policy files and the evaluation engine."""

from __future__ import annotations

from cloudaudit.policies._engine import Engine, evaluate_resources
from cloudaudit.policies._lists import LegalList, ListMember, ListOption, load_lists
from cloudaudit.policies._loader import (
    builtin_policy_names,
    load_policy,
    parse_policy_text,
    policy_from_mapping,
)
from cloudaudit.policies._model import Exemption, Policy

__all__ = [
    "Engine",
    "Exemption",
    "LegalList",
    "ListMember",
    "ListOption",
    "Policy",
    "builtin_policy_names",
    "evaluate_resources",
    "load_lists",
    "load_policy",
    "parse_policy_text",
    "policy_from_mapping",
]
