"""The arguments that choose what a provider audits (regions, services, projects...).

``None`` is the default (every one); an explicit value names what to audit. A value that names
nothing (``[]``, ``[""]``, ``" "``) is a :class:`~cloudaudit.errors.ConfigurationError`: it
once meant "every one" for some providers and "none" for others, and an audit of everything
is not what an empty list asks for (a Lambda event's ``"regions": []``, say). A string is read
as a comma-separated list, never as its characters.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from cloudaudit.errors import ConfigurationError

__all__ = ["chosen", "named", "one", "unlisted"]


def chosen(values: Iterable[str] | str | None, argument: str, what: str) -> tuple[str, ...] | None:
    """``values`` stripped, once each, in order; ``None`` stays ``None``.

    Args:
        values: What the caller passed.
        argument: The argument's name, for the message (``regions``).
        what: What one value is (``region``).

    Raises:
        ConfigurationError: ``values`` names nothing, or holds something that is not a string.
    """
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    for item in items:
        if not isinstance(item, str):
            raise ConfigurationError(
                f"{argument}: {item!r} is not a {what} (give {what}s as strings)"
            )
    out = named(items)
    if not out:
        raise ConfigurationError(
            f"{argument}={values!r} names no {what}: give at least one, or leave it out "
            f"(None) for the default"
        )
    return out


def named(values: Iterable[str]) -> tuple[str, ...]:
    """The names in ``values``, each of which may be comma-separated: stripped, once each."""
    split = (v.strip() for value in values for v in value.split(","))
    return tuple(dict.fromkeys(v for v in split if v))


def one(value: str | None, argument: str, what: str) -> str | None:
    """``value`` stripped; ``None`` stays ``None``; blank is a :class:`ConfigurationError`."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"{argument}={value!r} names no {what}: give one, or leave it out (None)"
        )
    return value.strip()


def unlisted(wanted: Iterable[str], listed: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The ``wanted`` names ``listed`` lacks, each with the closest listed name (or none).

    For a region asked for that the cloud does not list: a misspelt name, most often.
    """
    names = list(listed)
    return {
        name: tuple(difflib.get_close_matches(name, names, n=1, cutoff=0.75))
        for name in dict.fromkeys(wanted)
        if name not in names
    }
