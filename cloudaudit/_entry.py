"""The ``cloudaudit`` console script and ``python -m cloudaudit``.

``cloudaudit --version`` is answered here, before the command line is built: building it
imports click, pydantic, the formats and the policy engine (about half a second), which a
version check does not need. Every other invocation goes to :func:`cloudaudit.cli.main`.
"""

from __future__ import annotations

import sys

from cloudaudit._version import __version__

__all__ = ["run"]

VERSION_LINE = f"cloudaudit, version {__version__}"
"""What ``--version`` prints (the same line as click's ``version_option``)."""


def run() -> None:
    """Run the command line with ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        print(VERSION_LINE)  # noqa: T201 - the command's output
        return
    from cloudaudit.cli import main

    main()
