"""Which call failed: every unit gap names it, whatever the error was.

An SDK's error for a reset connection, a timeout, an answer it could not parse or a listing
that cycles rarely says which call it was, and many clouds' own error messages do not either
("injected fault", "Rate exceeded"). The providers note the call on the exception as it
passes (:func:`calling`, :func:`note_call`; AWS from botocore's events), and
:meth:`~cloudaudit.providers.FanOut.gap` puts it before the message (:func:`with_call`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CALL", "call_of", "calling", "note_call", "with_call"]

CALL = "cloudaudit_call"
"""The attribute of an exception (or the key of an AWS ``ClientError``'s response, or the
attribute of the HTTP response an azure-core error holds) that names the call it came from
(``ec2:DescribeVolumes``, ``compute.instances.aggregatedList``)."""


def note_call(exc: BaseException, call: str) -> None:
    """Name ``call`` on ``exc``, unless a call closer to the error named itself already."""
    if getattr(exc, CALL, None) is None:
        setattr(exc, CALL, call)


@contextmanager
def calling(call: str) -> Iterator[None]:
    """Name ``call`` on any exception raised inside the block (see :func:`note_call`)."""
    try:
        yield
    except Exception as exc:
        note_call(exc, call)
        raise


def call_of(exc: BaseException) -> str | None:
    """The call noted on ``exc``, if any."""
    call = getattr(exc, CALL, None)
    response = getattr(exc, "response", None)
    if call is None and isinstance(response, dict):
        call = response.get(CALL)
    elif call is None and response is not None:
        call = getattr(response, CALL, None)
    return call if isinstance(call, str) and call else None


def with_call(exc: BaseException, message: str) -> str:
    """``message`` led by the call noted on ``exc`` (unchanged when it names it already)."""
    call = call_of(exc)
    return message if call is None or call in message else f"{call}: {message}"
