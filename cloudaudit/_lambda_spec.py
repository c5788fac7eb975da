"""Check a Lambda provider spec's arguments against the provider's own signature, strictly.

The spec comes from JSON (the event or ``CLOUDAUDIT_PROVIDERS``): ``"regions": "eu-west-1"``
where a list is meant, ``"max_attempts": "5"`` or ``"use_resource_graph": "no"`` would be
coerced or reach the SDK and fail per scope, as gaps. Each argument is validated here against
the annotation of the provider's ``__init__`` parameter of that name, in pydantic's strict JSON
mode (a list for a sequence, a JSON number for an int, ``true``/``false`` for a bool), before
any provider is built or any call made. Parameters whose annotation names a Python object
(a session, a credential) cannot come from JSON and are left to the constructor.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Mapping
from typing import Any

from cloudaudit.errors import ConfigurationError

__all__ = ["check_arguments"]


def check_arguments(cls: Any, name: str, args: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigurationError` for an argument whose JSON value has the wrong type.

    Args:
        cls: The provider class (its ``__init__`` annotations are the contract).
        name: The provider's name, for the message.
        args: The spec's arguments (JSON values).
    """
    from pydantic import PydanticUserError, TypeAdapter, ValidationError

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):  # a builtin or a C type: nothing to read
        return
    for key, value in args.items():
        hint = _hint(cls, params.get(key))
        if hint is None:
            continue  # an unknown key: the constructor says so
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(hint)
        except PydanticUserError:  # a Python object (a session, a credential): not from JSON
            continue
        try:
            adapter.validate_json(json.dumps(value), strict=True)
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            raise ConfigurationError(
                f"providers: {name}: {key}: {value!r} is not accepted ({problem}). Fix: give "
                f"it as {_shape(hint)} in JSON (numbers and true/false without quotes)."
            ) from None


def _hint(cls: Any, param: inspect.Parameter | None) -> Any:
    """The evaluated annotation of ``param``, or ``None`` when it cannot be had."""
    if param is None or param.annotation is inspect.Parameter.empty:
        return None
    annotation = param.annotation
    if not isinstance(annotation, str):
        return annotation
    module = sys.modules.get(getattr(cls, "__module__", ""), None)
    namespace = dict(vars(module)) if module is not None else {}
    try:
        return eval(annotation, namespace)  # the provider's own annotation text
    except (NameError, AttributeError, SyntaxError, TypeError):  # a type-checking-only name
        return None


def _shape(hint: Any) -> str:
    text = getattr(hint, "__name__", None) or str(hint)
    return text.replace("typing.", "").replace("collections.abc.", "")
