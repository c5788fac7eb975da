"""``cloudaudit audit <name>`` for a provider without a hand-written command (a plugin).

The command's options are read from the provider class's constructor: each keyword parameter
typed ``str``, ``int``, ``float``, ``bool`` or a sequence of ``str`` (optionally ``| None``)
becomes ``--name-with-dashes`` (a sequence is repeatable); the shared audit options follow.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Sequence
from typing import Any

import click

from cloudaudit._provider_table import ProviderSpec
from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers

__all__ = ["plugin_command"]

_SCALARS: dict[Any, Any] = {str: str, int: int, float: float, bool: bool}


def _option(name: str, hint: Any, default: Any) -> click.Option | None:
    """The click option for one constructor parameter, or None for a type the CLI cannot give."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        if len(args) != 1:
            return None
        hint, args = args[0], list(typing.get_args(args[0]))
    flag = "--" + name.replace("_", "-")
    required = default is inspect.Parameter.empty
    if hint in _SCALARS:
        if hint is bool:
            return click.Option([flag, name], is_flag=True, default=bool(default) and not required)
        return click.Option(
            [flag, name],
            type=_SCALARS[hint],
            required=required,
            default=None if required else default,
        )
    origin = typing.get_origin(hint)
    if origin in (list, tuple, Sequence) and args and args[0] is str:
        return click.Option([flag, name], multiple=True, required=required)
    return None


def plugin_command(spec: ProviderSpec, cls: Any) -> click.Command:
    """A ``cloudaudit audit <spec.name>`` command built from ``cls``'s constructor."""
    init = cls.__init__
    hints = typing.get_type_hints(init)
    params: list[click.Parameter] = []
    for p in list(inspect.signature(init).parameters.values())[1:]:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            continue
        option = _option(p.name, hints.get(p.name, str), p.default)
        if option is not None:
            params.append(option)
    names = [str(p.name) for p in params]

    @audit_options
    @config_errors
    def run(policy: str, policy_options: tuple[str, ...], **given: Any) -> None:
        from cloudaudit.providers import get_provider

        kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in given.items() if k in names}
        shared = {k: v for k, v in given.items() if k not in names}  # the audit options
        provider = get_provider(spec.name, **kwargs)
        run_providers([provider], resolve_policy(policy, policy_options), **shared)

    command = click.command(name=spec.name, help=spec.help or (cls.__doc__ or "").strip())(run)
    command.params = params + command.params
    return command
