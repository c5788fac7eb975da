"""One pagination guard for every cloud: a listing that cycles or never ends becomes a gap.

SDK pagers follow the service's continuation token for as long as it sends one. A service (or
a proxy) that sends a token it already sent, even several pages later (``A, B, A, ...``),
would make them loop forever; one that keeps sending new tokens would make them run forever.
:class:`PageGuard` is told each next-page token and raises :class:`PaginationLoop` on any
token seen before in the same listing, and :class:`PageCapReached` after ``max_pages`` pages.
Raised inside a unit of work, either becomes a coverage gap with that code: the listing is
never reported as complete.

The page cap defaults to :data:`DEFAULT_MAX_PAGES` per listing and can be set with the
``CLOUDAUDIT_MAX_PAGES`` environment variable. It is not a deadline: a deadline
(``audit(deadline=...)``) stops the whole audit on time, the cap stops one runaway listing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable

from cloudaudit.errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_PAGES",
    "MAX_PAGES_ENV",
    "PageCapReached",
    "PageGuard",
    "PaginationLoop",
    "PagingError",
    "max_pages",
    "page_digest",
]

DEFAULT_MAX_PAGES = 10_000
"""Most pages one listing may take (10,000 pages of 100 to 1,000 items each)."""

MAX_PAGES_ENV = "CLOUDAUDIT_MAX_PAGES"


class PagingError(Exception):
    """A listing could not be followed to its end; its scope is a coverage gap."""


class PaginationLoop(PagingError):
    """A listing sent a page token (or a page) it had already sent: it cannot be trusted."""


class PageCapReached(PagingError):
    """A listing went on past the page cap: what it listed so far may be incomplete."""


def max_pages() -> int:
    """The page cap: ``CLOUDAUDIT_MAX_PAGES`` if set, else :data:`DEFAULT_MAX_PAGES`.

    Raises:
        ConfigurationError: the variable is not a positive whole number.
    """
    raw = os.environ.get(MAX_PAGES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_PAGES
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(
            f"{MAX_PAGES_ENV}={raw!r}: set a positive whole number of pages, "
            f"or unset it for the default ({DEFAULT_MAX_PAGES})"
        )
    return int(raw)


class PageGuard:
    """The pages of one listing: call :meth:`next` with each next-page token.

    Args:
        what: The listing, for the error messages (``resources.list of subscription 2``).
        limit: Most pages; defaults to :func:`max_pages`.
    """

    def __init__(self, what: str, limit: int | None = None) -> None:
        self.what = what
        self.limit = limit if limit is not None else max_pages()
        self.pages = 0
        self._seen: set[str] = set()

    def next(self, token: object) -> bool:
        """Record one more page and the token of the page after it; True if there is one.

        Raises:
            PaginationLoop: ``token`` was already sent in this listing.
            PageCapReached: another page would pass the page cap.
        """
        self.pages += 1
        if not token:
            return False
        key = str(token)
        if key in self._seen:
            raise PaginationLoop(
                f"{self.what}: page token {key[:40]!r} came back after {self.pages} page(s); "
                "the listing cycles"
            )
        if self.pages >= self.limit:
            raise PageCapReached(
                f"{self.what}: stopped after {self.pages} pages ({MAX_PAGES_ENV}); "
                "the listing may be incomplete"
            )
        self._seen.add(key)
        return True


def page_digest(items: Iterable[object]) -> str:
    """A token for a page-numbered listing: the digest of the page's items (empty: ``""``).

    A listing that serves a page it already served (any earlier page) has no next token to
    repeat; its content is the token.
    """
    data = json.dumps(list(items), sort_keys=True, default=str)
    return "" if data == "[]" else hashlib.sha256(data.encode()).hexdigest()
