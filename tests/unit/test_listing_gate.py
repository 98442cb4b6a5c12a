"""Category pages go a few at a time, and every one goes."""

from __future__ import annotations

import pytest
from scrapy import Request

from newsspider.incremental.meta import LISTING, POST
from newsspider.spiders.listings import ListingGate


def listing(category: str) -> Request:
    return Request(f"http://127.0.0.1/category/{category}.html", meta={LISTING: category})


def gate(limit: int) -> tuple[ListingGate, list[str]]:
    sent: list[str] = []
    return ListingGate(limit, lambda request: sent.append(request.meta[LISTING])), sent


def test_pages_over_the_limit_wait_and_go_in_order_as_others_finish() -> None:
    listings, sent = gate(2)
    admitted = [listings.admit(listing(name)) for name in "abcde"]
    assert [request.meta[LISTING] if request else None for request in admitted] == [
        "a", "b", None, None, None,
    ]  # fmt: skip
    listings.finished(listing("a"))
    assert sent == ["c"]
    listings.finished(listing("c"))
    listings.finished(listing("b"))
    assert sent == ["c", "d", "e"]
    assert not listings.waiting


def test_a_retried_or_redirected_page_is_known_by_its_category() -> None:
    listings, sent = gate(1)
    listings.admit(listing("a"))
    listings.admit(listing("b"))
    redirected = Request("http://127.0.0.1/elsewhere.html", meta={LISTING: "a"})
    listings.finished(redirected)
    assert sent == ["b"]


def test_what_is_not_a_listing_frees_nothing() -> None:
    listings, sent = gate(1)
    listings.admit(listing("a"))
    listings.admit(listing("b"))
    listings.finished(Request("http://127.0.0.1/x/2026/11/27/1.html", meta={POST: "1"}))
    listings.finished(None)
    assert sent == []


def test_no_limit_holds_nothing() -> None:
    listings, sent = gate(0)
    assert all(listings.admit(listing(name)) is not None for name in "abcdef")
    assert not listings.waiting and sent == []


def test_an_idle_crawl_gets_every_waiting_page() -> None:
    listings, sent = gate(1)
    for name in "abc":
        listings.admit(listing(name))
    assert listings.release_all() == 2  # "a" never came back: b and c go all the same
    assert sent == ["b", "c"]
    assert listings.release_all() == 0


def test_a_negative_limit_is_named() -> None:
    with pytest.raises(ValueError, match="NEWSSPIDER_LISTINGS_AT_ONCE must be 0 or more, not -1"):
        ListingGate(-1, lambda request: None)
