"""The conditional-request middleware on the answers that mean something was gone."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsspider.incremental.downloader import ConditionalRequestsMiddleware
from newsspider.incremental.meta import GONE, LISTING, LISTING_OK, POST
from newsspider.incremental.spidermw import SkipKnownPostsMiddleware
from newsspider.spiders.finews import FinewsSpider
from newsspider.state import ArchivedRecord
from newsspider.state.access import state_for

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def middleware(tmp_path: Path) -> ConditionalRequestsMiddleware:
    crawler = get_crawler(
        settings_dict={"NEWSSPIDER_INCREMENTAL": True, "NEWSSPIDER_DATA_DIR": str(tmp_path)}
    )
    state = state_for(crawler)
    for article_id, category in (("NW1", "ceshi"), ("E1", "emnews")):
        state.record(
            ArchivedRecord(article_id, f"{BASE}/x/{article_id}.html", "a" * 64, None, category, "t")
        )
    return ConditionalRequestsMiddleware.from_crawler(crawler)


def _answer(middleware: ConditionalRequestsMiddleware, url: str, meta: dict[str, str]) -> Request:
    request = Request(url, meta=meta)
    middleware.process_response(request, HtmlResponse(url, status=404, request=request))
    return request


def test_a_vanished_category_page_marks_its_posts_gone(
    middleware: ConditionalRequestsMiddleware,
) -> None:
    request = _answer(middleware, f"{BASE}/category/ceshi.html", {LISTING: "ceshi"})
    assert request.meta.get(GONE) is True
    article = middleware.state.article("NW1")
    assert article is not None and article.gone_at is not None


def test_a_missing_rolling_category_page_is_neither_gone_nor_a_failure(
    middleware: ConditionalRequestsMiddleware,
) -> None:
    request = _answer(middleware, f"{BASE}/category/emnews.html", {LISTING: "emnews"})
    assert request.meta.get(GONE) is True  # the spider does not count it as a failure
    article = middleware.state.article("E1")
    assert article is not None and article.gone_at is None


@pytest.mark.parametrize(
    ("url_path", "category", "answered"),
    [
        ("category/ceshi.html", "ceshi", 1),  # a category gone from the site: it answered
        ("category/emnews.html", "emnews", 1),
        ("", "home", 0),  # a home page answering 404: a wrong base_url, not an answer
    ],
)
def test_which_404_listings_count_as_answered(
    middleware: ConditionalRequestsMiddleware, url_path: str, category: str, answered: int
) -> None:
    """A worker whose only listing was a gone category's page is not "site down" (exit 4)."""
    _answer(middleware, f"{BASE}/{url_path}", {LISTING: category})
    assert middleware.stats.get_value("newsspider/listing/answered", 0) == answered


def test_a_known_post_answering_404_is_gone_an_unknown_one_is_a_failure(
    middleware: ConditionalRequestsMiddleware,
) -> None:
    known = _answer(middleware, f"{BASE}/x/NW1.html", {POST: "NW1"})
    unknown = _answer(middleware, f"{BASE}/x/NW9.html", {POST: "NW9"})
    assert known.meta.get(GONE) is True
    assert GONE not in unknown.meta


def _fetched(middleware: ConditionalRequestsMiddleware, count: int) -> None:
    for number in range(count):
        url = f"{BASE}/x/2026/11/27/NW{number}.html"
        request = Request(url, meta={POST: f"NW{number}"})
        headers = {"ETag": f'"e{number}"', "Last-Modified": "Fri, 27 Nov 2026 08:00:00 GMT"}
        middleware.process_response(
            request, HtmlResponse(url, status=200, headers=headers, request=request)
        )


@pytest.mark.parametrize(("reason", "saved"), [("finished", True), ("shutdown", False)])
def test_validators_are_staged_off_the_heap_and_saved_only_by_a_clean_run(
    middleware: ConditionalRequestsMiddleware,
    monkeypatch: pytest.MonkeyPatch,
    reason: str,
    saved: bool,
) -> None:
    monkeypatch.setattr("newsspider.incremental.downloader.STAGE_BATCH", 10)
    _fetched(middleware, 25)
    assert len(middleware.pending) == 5  # 20 staged in the state, not kept in memory
    assert not middleware.state.validators("/x/2026/11/27/NW3.html")
    middleware.spider_closed(middleware.crawler.spider, reason)
    assert bool(middleware.state.validators("/x/2026/11/27/NW3.html")) is saved
    assert bool(middleware.state.validators("/x/2026/11/27/NW24.html")) is saved


@pytest.mark.parametrize(
    ("category", "gone"), [("ceshi", True), ("21shijijingjibaodao 21caijingAPP", False)]
)
def test_a_category_page_that_no_longer_lists_a_post_marks_it_gone_unless_it_never_does(
    tmp_path: Path, category: str, gone: bool
) -> None:
    """The page of a category with a space lists nothing: Jekyll files its posts under the
    first word. Its posts are not gone for that."""
    crawler = get_crawler(
        FinewsSpider,
        settings_dict={"NEWSSPIDER_INCREMENTAL": True, "NEWSSPIDER_DATA_DIR": str(tmp_path)},
    )
    state = state_for(crawler)
    state.record(ArchivedRecord("NW1", f"{BASE}/x/NW1.html", "a" * 64, None, category, "t"))
    middleware = SkipKnownPostsMiddleware.from_crawler(crawler)
    url = f"{BASE}/category/{quote(category)}.html"
    request = Request(url, meta={LISTING: category, LISTING_OK: True})
    response = HtmlResponse(url, body=b"<ul></ul>", request=request)
    assert list(middleware.process_spider_output(response, [])) == []
    article = state.article("NW1")
    assert article is not None and (article.gone_at is not None) is gone
