"""Lazy exports: a package's public names are imported on first use (its module ``__getattr__``).

``cloudaudit`` and ``cloudaudit.evidence`` read it. It imports only :mod:`importlib`, which
``import cloudaudit`` has loaded already.
"""

from __future__ import annotations

import importlib

__all__ = ["lazy_export"]


def lazy_export(
    package: str,
    exports: dict[str, str],
    namespace: dict[str, object],
    name: str,
    *,
    keep: bool = True,
) -> object:
    """The value of ``name`` from its module in ``exports``, kept in ``namespace`` if ``keep``.

    Args:
        package: The package's name, for the error message.
        exports: Public name -> the module that defines it.
        namespace: The package's ``globals()``: a kept name is not looked up again.
        name: The attribute asked for.
        keep: False for a name a submodule of the same name would shadow once imported.

    Raises:
        AttributeError: ``name`` is not one of the package's exports.
    """
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if keep:
        namespace[name] = value
    return value
