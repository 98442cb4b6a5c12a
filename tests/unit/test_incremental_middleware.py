"""The conditional-request middleware on the answers that mean something was gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsspider.incremental.downloader import ConditionalRequestsMiddleware
from newsspider.incremental.meta import GONE, LISTING, POST
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


def test_a_known_post_answering_404_is_gone_an_unknown_one_is_a_failure(
    middleware: ConditionalRequestsMiddleware,
) -> None:
    known = _answer(middleware, f"{BASE}/x/NW1.html", {POST: "NW1"})
    unknown = _answer(middleware, f"{BASE}/x/NW9.html", {POST: "NW9"})
    assert known.meta.get(GONE) is True
    assert GONE not in unknown.meta
