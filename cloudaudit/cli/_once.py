"""An option that takes one value, given twice, is a usage error, not "the last one wins".

Click keeps the last value of a repeated single-valued option and drops the others without a
word: ``--format sarif --format html`` wrote only the HTML page, and the SARIF file asked for
was never written. :class:`OnceGroup` looks at the arguments of the command it is about to
run and refuses such a repetition (exit 2) before anything runs, naming the option, the
values and the fix. Options that may repeat (``multiple``), flags and counters are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

__all__ = ["OnceGroup", "repeated"]

_FIX = {
    "--format": "several formats go in one --format, comma-separated, with --output-dir DIR",
    "--output": "one file, or with several formats one directory (--output-dir DIR)",
    "--output-dir": "one file (--output FILE) or one directory (--output-dir DIR)",
}
_SAME = {"--output-dir": "--output"}
"""Options that set one value between them: each counts as the other given again."""


def _options(command: click.Command) -> tuple[dict[str, str], set[str]]:
    """``({option string: its first long name}, {option strings that take a value})``."""
    once: dict[str, str] = {}
    valued: set[str] = set()
    for p in command.params:
        if not isinstance(p, click.Option) or p.is_flag or p.count:
            continue
        names = [*p.opts, *p.secondary_opts]
        valued.update(names)
        if not p.multiple and p.nargs == 1:
            first = next((n for n in p.opts if n.startswith("--")), p.opts[0])
            once.update(dict.fromkeys(names, first))
    return once, valued


def repeated(command: click.Command, args: Sequence[str]) -> tuple[str, list[str]] | None:
    """The first single-valued option of ``command`` that ``args`` give more than once.

    Returns:
        ``(option, its values in order)``, or ``None`` (also when ``args`` ask for help).
    """
    once, valued = _options(command)
    seen: dict[str, tuple[str, list[str]]] = {}  # the value it sets: (first spelling, values)
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            break
        if token in ("--help", "-h"):
            return None
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        elif not token.startswith("--") and len(token) > 2 and token[:2] in valued:
            name, value = token[:2], token[2:]
        if name in valued and value is None:
            value = args[i + 1] if i + 1 < len(args) else ""
            i += 1
        if name in once:
            label = once[name]
            seen.setdefault(_SAME.get(label, label), (label, []))[1].append(value or "")
        i += 1
    return next(((label, values) for label, values in seen.values() if len(values) > 1), None)


class OnceGroup(click.Group):
    """A group whose commands refuse a single-valued option given twice (exit 2)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, click.Group):
            found = repeated(command, rest)
            if found is not None:
                option, values = found
                fix = _FIX.get(option, "give it once")
                shown = ", ".join(repr(v) for v in values)
                raise click.UsageError(
                    f"{option} given {len(values)} times ({shown}); the last would silently win: "
                    f"{fix}.",
                    ctx=click.Context(command, info_name=name, parent=ctx),
                )
        return name, command, rest
