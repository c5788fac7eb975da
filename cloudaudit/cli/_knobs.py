"""``--connect-timeout``, ``--read-timeout`` and ``--max-attempts``: the per-call bounds.

Every cloud command takes the same three options; each passes the ones given on to its
provider under the provider's own argument names (docs/reliability.md, "Per-call bounds").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["call_options", "given"]

F = TypeVar("F", bound=Callable[..., Any])


def call_options(cloud: str, connect: float, read: float, attempts: int | str) -> Callable[[F], F]:
    """The three options, their help showing ``cloud``'s defaults.

    The command receives ``connect_timeout``, ``read_timeout`` and ``max_attempts`` (``None``
    when not given: the provider's default holds).
    """
    options = [
        click.option(
            "--connect-timeout",
            type=click.FloatRange(0.1, 300),
            default=None,
            metavar="SECONDS",
            help=f"Seconds to wait for a TCP connection to a {cloud} endpoint, per attempt  "
            f"[default: {connect:g}].",
        ),
        click.option(
            "--read-timeout",
            type=click.FloatRange(0.1, 900),
            default=None,
            metavar="SECONDS",
            help=f"Seconds to wait for an answer once connected, per attempt  [default: {read:g}].",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(1, 20),
            default=None,
            help=f"HTTP attempts per call, the first one included  [default: {attempts}]. "
            "A silent endpoint costs at most about attempts x (connect + read timeout) per "
            "call (docs/reliability.md).",
        ),
    ]

    def decorate(func: F) -> F:
        for opt in reversed(options):
            func = opt(func)
        return func

    return decorate


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments whose value was given (not ``None``)."""
    return {name: value for name, value in values.items() if value is not None}
