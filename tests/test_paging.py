"""The one pagination guard: any token cycle and the page cap stop a listing (a gap, not a hang)."""

from __future__ import annotations

import pytest

from cloudaudit import audit
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._paging import (
    DEFAULT_MAX_PAGES,
    MAX_PAGES_ENV,
    PageCapReached,
    PageGuard,
    PaginationLoop,
    max_pages,
    page_digest,
)
from cloudaudit.providers.gcp._paging import guarded_items
from cloudaudit.testing import FakeProvider


def test_a_token_that_comes_back_pages_later_is_a_loop() -> None:
    guard = PageGuard("list things", limit=100)
    assert guard.next("A") and guard.next("B") and guard.next("C")
    with pytest.raises(PaginationLoop, match="'A' came back after 4 page"):
        guard.next("A")


def test_the_end_of_a_listing_is_no_token() -> None:
    guard = PageGuard("list things", limit=3)
    assert guard.next("A") and not guard.next(None) and guard.pages == 2


def test_a_listing_past_the_cap_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = PageGuard("list things", limit=3)
    assert guard.next("t1") and guard.next("t2")
    with pytest.raises(PageCapReached, match="stopped after 3 pages"):
        guard.next("t3")
    monkeypatch.setenv(MAX_PAGES_ENV, "5")
    assert max_pages() == 5 and PageGuard("x").limit == 5
    monkeypatch.delenv(MAX_PAGES_ENV)
    assert max_pages() == DEFAULT_MAX_PAGES


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_bad_page_cap_is_a_configuration_error(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_PAGES_ENV, value)
    with pytest.raises(ConfigurationError, match=MAX_PAGES_ENV):
        max_pages()


def test_page_numbered_listings_loop_on_any_page_served_twice() -> None:
    guard = PageGuard("DescribeImages", limit=100)
    one, two = page_digest([{"id": 1}]), page_digest([{"id": 2}])
    assert guard.next(one) and guard.next(two)
    with pytest.raises(PaginationLoop):
        guard.next(page_digest([{"id": 1}]))
    assert page_digest([]) == ""


class _Pager:
    """The two attributes of a Google pager the guard reads: ``pages``, ``next_page_token``."""

    def __init__(self, tokens: list[str | None]) -> None:
        self.tokens = tokens
        self.next_page_token: str | None = None

    @property
    def pages(self) -> object:
        for i, token in enumerate(self.tokens):
            self.next_page_token = token
            yield [f"item-{i}"]


def test_google_listings_use_the_guard() -> None:
    assert list(guarded_items(_Pager(["a", "b", None]), "folders.list")) == [
        "item-0",
        "item-1",
        "item-2",
    ]
    with pytest.raises(PaginationLoop):
        list(guarded_items(_Pager(["a", "b", "a", "b"]), "folders.list"))


def test_a_guard_error_in_a_unit_is_a_gap_named_by_its_code() -> None:
    report = audit(FakeProvider(name="azure", fail_with=PageCapReached("stopped")), "eea-only")
    (gap,) = report.coverage.gaps
    assert gap.code == "PageCapReached"
