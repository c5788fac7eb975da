"""The one error every inventory problem is reported with (file, where, message, fix)."""

from __future__ import annotations

from cloudaudit.errors import ConfigurationError

__all__ = ["MAX_SHOWN", "InventoryError", "Problem"]

MAX_SHOWN = 20

Problem = tuple[str, str, str]
"""``(where, message, fix)``: where is ``row 3, field 'kind'`` or ``resources[2].location``."""


class InventoryError(ConfigurationError):
    """An inventory file does not validate. Lists up to 20 problems, each with its fix.

    Attributes:
        source: The file that failed.
        problems: Every ``(where, message, fix)`` found.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid inventory ({len(problems)} problem(s))"]
        for where, message, fix in problems[:MAX_SHOWN]:
            end = "" if message.endswith((".", "?", "!")) else "."
            lines.append(f"  - {where}: {message}" + (f"{end} Fix: {fix}" if fix else ""))
        if len(problems) > MAX_SHOWN:
            lines.append(f"  ... and {len(problems) - MAX_SHOWN} more")
        super().__init__("\n".join(lines))
