"""Callbacks of the options that name what to audit (regions, projects, subscriptions...).

A value that names nothing is a usage error (exit 2), never a silent default: ``--regions ,``
or ``--project ''`` once audited every region or fell through to a credential error, and an
audit of everything is not what was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cloudaudit.providers._choose import named

__all__ = ["aws_region", "ids_option", "one_id"]

Check = Callable[[str], str | None]
F = TypeVar("F", bound=Callable[..., Any])


def ids_option(
    flag: str, dest: str, what: str, help: str, *, metavar: str = "ID", check: Check | None = None
) -> Callable[[F], F]:
    """A repeatable option naming what to audit; its values may also be comma-separated.

    Args:
        flag: The option (``--regions``).
        dest: The command's parameter (``regions``).
        what: What a value is, for the message (``region``, ``project id``).
        help: The option's help.
        metavar: How the help shows a value.
        check: Returns why a value is not valid, naming it (``None``: it is valid).

    Returns:
        The option. The command gets the values split on commas, stripped, in order, once
        each. Given but naming nothing (only blanks and commas), or a value ``check``
        refuses: a usage error.
    """

    def callback(
        _ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
    ) -> tuple[str, ...]:
        items = named(values)
        if values and not items:
            raise click.BadParameter(
                f"given but names no {what}: name at least one, or leave the option out "
                "for the default",
                param=param,
            )
        for item in items:
            problem = check(item) if check is not None else None
            if problem is not None:
                raise click.BadParameter(problem, param=param)
        return items

    return click.option(flag, dest, multiple=True, metavar=metavar, callback=callback, help=help)


def one_id(what: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback for a single-valued id option: blank is a usage error, not the default."""

    def callback(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise click.BadParameter(
                f"is blank: give the {what}, or leave the option out", param=param
            )
        return value.strip() if value is not None else None

    return callback


def aws_region(value: str) -> str | None:
    """Why ``value`` is not an AWS region name (``None``: it is one)."""
    from cloudaudit.providers.aws import region_name_error

    return region_name_error(value)
