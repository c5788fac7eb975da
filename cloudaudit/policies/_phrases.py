"""The words of reasons: where a place is, why a list covers it, how a copy got there."""

from __future__ import annotations

from cloudaudit.catalog import country_name
from cloudaudit.copymodel import mechanism
from cloudaudit.models import Location, LocationKind, Place
from cloudaudit.policies._model import Term

__all__ = ["basis", "country", "merge", "untitled", "via", "where", "why"]


def where(place: Place, loc: Location) -> str:
    """Describe a place: ``ap-east-1, Hong Kong (HK)``."""
    code = loc.zone or loc.region or "a location that could not be determined"
    if place.kind in (LocationKind.MULTI_REGION, LocationKind.DUAL_REGION):
        return f"the {code} {place.kind.value.replace('_', '-')}"
    bits = [code]
    if place.city and (not place.country or place.city != country_name(place.country)):
        bits.append(place.city)
    if place.country:
        bits.append(f"{country_name(place.country)} ({place.country})")
    return ", ".join(bits)


def why(code: str, term: Term) -> str:
    """Explain why a code is on a list: ``which 15 CFR 791.4 counts as part of China``.

    A member that a list option brings in says so: ``... counts as part of China by option
    include_hk_mo``.
    """
    cite = term.list.citation
    own = country_name(code)
    if term.member_short in (own, f"the {own}") or term.list.id == code:
        text = f"which {cite} names as {term.list.noun}"
    else:
        text = f"which {cite} counts as part of {term.member_short}"
    return f"{text} by option {term.option}" if term.option else text


def basis(term: Term, place: Place) -> str:
    """What an allowed place rests on, scope and option included.

    ``covered by an EU adequacy decision (partial: commercial organisations under PIPEDA)``.
    """
    text = term.list.noun + (f" ({term.scope})" if term.scope else "")
    if term.option:
        text += f" by option {term.option}"
    op = place.operator_country
    if term.operators and op:
        text += f"; its operator, {place.operator}, is under the jurisdiction of {country(op)}"
    return text


def country(code: str) -> str:
    """``Hong Kong (HK)``."""
    return f"{country_name(code)} ({code})"


def via(loc: Location) -> str:
    """`` (<mechanism>: <note>)`` for a copy that names its mechanism or why it is there."""
    mech = mechanism(loc.via)
    if mech and loc.note and loc.note.startswith(f"{mech.title}: "):
        return f" ({loc.note})"  # the note names the mechanism already
    if mech and loc.note:
        merged = merge(mech.title, loc.note)
        return f" ({merged or mech.title + ': ' + loc.note})"
    bits = [b for b in (mech.title if mech else None, loc.note) if b]
    return f" ({': '.join(bits)})" if bits else ""


def untitled(note: str, title: str) -> str:
    """``note`` without a leading ``<title>: `` (the reason names the mechanism already)."""
    return note[len(title) + 2 :] if note.startswith(f"{title}: ") else note


def merge(title: str, note: str) -> str | None:
    """``title`` continued by ``note`` when the note repeats the title's last words.

    ``to the paired region`` + ``the paired region of southeastasia`` gives
    ``to the paired region of southeastasia`` (not ``...region: the paired region of ...``).
    """
    words = title.split()
    for n in range(len(words) - 1, 1, -1):
        tail = " ".join(words[-n:])
        if note.startswith(tail + " "):
            return f"{title}{note[len(tail) :]}"
    return None
