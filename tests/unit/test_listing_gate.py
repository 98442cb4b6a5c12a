"""Category pages go a few at a time, and every one goes."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.asyncgen import collect_asyncgen
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsspider.incremental.meta import LISTING, POST
from newsspider.spiders.finews import FinewsSpider
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


# --- the spider's wiring ----------------------------------------------------------------------


def gated_spider() -> tuple[FinewsSpider, list[str], list[Request]]:
    """A spider asked for four categories (two go at once), its gate's sends recorded."""
    spider = FinewsSpider.from_crawler(
        get_crawler(FinewsSpider, settings_dict={"NEWSSPIDER_LISTINGS_AT_ONCE": 2}),
        base_url="http://127.0.0.1:8000",
        categories="a,b,c,d",
    )
    sent: list[str] = []
    spider.listing_gate.schedule = lambda request: sent.append(request.meta[LISTING])
    loop = asyncio.new_event_loop()
    try:
        started = loop.run_until_complete(collect_asyncgen(spider.start()))
    finally:
        loop.close()
    return spider, sent, started


def test_the_spider_starts_as_many_category_pages_as_allowed() -> None:
    _, sent, started = gated_spider()
    assert [request.meta[LISTING] for request in started] == ["a", "b"]
    assert sent == []


def test_a_category_page_read_lets_the_next_one_go() -> None:
    spider, sent, started = gated_spider()
    page = HtmlResponse(url=started[0].url, body=b"<html></html>", request=started[0])
    list(spider.parse_listing(page, "a"))
    assert sent == ["c"]


def test_a_category_page_failed_or_dropped_lets_the_next_one_go() -> None:
    spider, sent, started = gated_spider()
    failure = Failure(IgnoreRequest("robots.txt"))
    failure.request = started[0]  # type: ignore[attr-defined]  # as Scrapy sets it
    spider.failed(failure)
    # The scheduler's filter dropped it: Scrapy sends request_dropped.
    spider.crawler.signals.send_catch_log(signals.request_dropped, request=started[1])
    assert sent == ["c", "d"]


def test_an_idle_crawl_keeps_the_spider_open_for_the_waiting_pages() -> None:
    spider, sent, _ = gated_spider()
    # What the engine does when it runs out of work: it stays open if a receiver says so.
    answers = spider.crawler.signals.send_catch_log(signals.spider_idle)
    assert any(
        isinstance(answer, Failure) and isinstance(answer.value, DontCloseSpider)
        for _, answer in answers
    )
    assert sent == ["c", "d"]
    answers = spider.crawler.signals.send_catch_log(signals.spider_idle)
    assert not any(isinstance(answer, Failure) for _, answer in answers)  # it may close
