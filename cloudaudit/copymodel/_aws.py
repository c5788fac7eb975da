"""AWS: how the data of each reported resource type can exist elsewhere.

The declarations are the AWS collectors' own (``Collector.copies`` in
``cloudaudit/providers/aws/services/``): ``python scripts/generate.py`` writes them to
``aws.json`` beside this module, which is read here, so the core imports no provider;
``--check`` fails when the file is stale.
"""

from __future__ import annotations

from importlib import resources

from cloudaudit.copymodel._types import Declaration, declarations_from_json

__all__ = ["AWS"]

AWS: tuple[Declaration, ...] = declarations_from_json(
    resources.files("cloudaudit.copymodel").joinpath("aws.json").read_text("utf-8")
)
"""The AWS declarations, one per (service, type) the AWS collectors report."""
