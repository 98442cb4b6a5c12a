"""The in-memory request filter: a request seen once is filtered after, a redirect loop reported."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.utils.test import get_crawler

from newsspider.dupefilter import InMemoryDupeFilter
from newsspider.signals import article_failed

POST = "http://127.0.0.1:8000/tianjinribao/2026/11/25/NW202611253012845671.html"


def dupefilter() -> tuple[InMemoryDupeFilter, list[dict[str, Any]]]:
    crawler = get_crawler()
    reported: list[dict[str, Any]] = []
    crawler.signals.connect(
        lambda **kwargs: reported.append(kwargs), signal=article_failed, weak=False
    )
    return InMemoryDupeFilter.from_crawler(crawler), reported


def test_a_request_seen_is_filtered_the_next_time() -> None:
    requests, _ = dupefilter()
    assert not requests.request_seen(Request(POST))
    assert requests.request_seen(Request(POST))
    assert requests.request_seen(Request(POST + "#fragment"))  # the same page
    assert not requests.request_seen(Request(POST.replace("845671", "845672")))
    assert len(requests.seen) == 2


def test_a_redirect_back_to_a_page_seen_is_reported_against_the_first_url() -> None:
    requests, reported = dupefilter()
    requests.request_seen(Request(POST))
    loop_back = Request(POST, meta={"redirect_urls": [POST, POST + "?hop=1"]})
    assert requests.request_seen(loop_back)
    assert reported == [
        {
            "signal": article_failed,
            "sender": reported[0]["sender"],
            "url": POST,
            "reason": f"redirect loop back to {POST}",
            "kind": "redirect",
        }
    ]
