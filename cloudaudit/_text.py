r"""Show text from a cloud or a file safely: control characters and bidi overrides escaped.

A resource name, tag or error message can carry terminal escape sequences (``ESC [ ... m``
recolours or rewrites a terminal), bidi overrides (``invoice<U+202E>fdp.exe`` reads as
``invoiceexe.pdf``) or zero-width characters. :func:`visible` replaces each of them with its
escaped form (``\x1b``, ``\u202e``) so that what is shown is what is there.
"""

from __future__ import annotations

import re

__all__ = ["INVISIBLE", "visible"]

INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
"""C0 and C1 controls, DEL, bidi marks, embeddings, overrides and isolates, zero-width chars."""


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with every invisible or control character shown escaped.

    Args:
        text: Any text from a cloud, a file or an error.
        keep_newlines: Leave ``\n`` as a line break (multi-line table cells).
    """
    if keep_newlines:
        return "\n".join(INVISIBLE.sub(_escape, line) for line in text.split("\n"))
    return INVISIBLE.sub(_escape, text)
