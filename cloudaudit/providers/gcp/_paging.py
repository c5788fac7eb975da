"""Page through Google list calls and stop when a page token comes back a second time.

The pagers of the Google client libraries (GAPIC pagers and ``google.api_core``
``HTTPIterator``) follow ``nextPageToken`` for as long as the API sends one: an API (or a
proxy) that repeats a token would make them loop forever. :func:`guarded_pages` walks the
same pages through the kit's :class:`~cloudaudit.providers._paging.PageGuard` instead: a
repeated token (:class:`PaginationLoop`) or a listing past the page cap becomes a coverage gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cloudaudit.providers._paging import PageGuard, PaginationLoop

__all__ = ["PaginationLoop", "guarded_items", "guarded_pages"]


def guarded_pages(pager: Any, what: str) -> Iterator[Any]:
    """Yield every page of ``pager``; raise before fetching a page a second time.

    Args:
        pager: A GAPIC pager or a ``google.api_core.page_iterator.Iterator`` (both expose
            ``pages`` and, after each page, the ``next_page_token`` it sent).
        what: The listing, for the error message.

    Raises:
        PaginationLoop: The API sent a page token it had already sent.
        PageCapReached: The listing went past the page cap.
    """
    guard = PageGuard(what)
    for page in pager.pages:
        yield page
        guard.next(getattr(pager, "next_page_token", None))


def guarded_items(pager: Any, what: str, field: str | None = None) -> Iterator[Any]:
    """Every item of every page of ``pager`` (see :func:`guarded_pages`).

    Args:
        pager: The pager.
        what: The listing, for the error message.
        field: The repeated field of a GAPIC response page (``results``, ``projects``);
            ``None`` for ``HTTPIterator`` pages, which are iterable themselves.
    """
    for page in guarded_pages(pager, what):
        yield from (getattr(page, field) if field else page)
