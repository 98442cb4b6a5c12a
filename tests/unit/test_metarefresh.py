"""Meta-refresh redirects found in the first 4 KB, without decoding the whole page."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsspider.reliability.metarefresh import HEAD_BYTES, HeadMetaRefreshMiddleware
from newsspider.settings import DOWNLOADER_MIDDLEWARES

URL = "http://127.0.0.1:8000/category/ceshi.html"


@pytest.fixture
def middleware() -> HeadMetaRefreshMiddleware:
    return HeadMetaRefreshMiddleware.from_crawler(get_crawler())


def answer(middleware: HeadMetaRefreshMiddleware, head: str, body: str = "") -> object:
    page = f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
    request = Request(URL)
    response = HtmlResponse(URL, body=page.encode("utf-8"), request=request)
    result = middleware.process_response(request, response)
    assert response._cached_ubody is None  # the page was never decoded as a whole
    return result


def test_it_replaces_scrapys() -> None:
    assert (
        DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"]
        is None
    )
    assert "newsspider.reliability.metarefresh.HeadMetaRefreshMiddleware" in DOWNLOADER_MIDDLEWARES


def test_a_meta_refresh_in_the_head_redirects(middleware: HeadMetaRefreshMiddleware) -> None:
    result = answer(middleware, '<meta http-equiv="refresh" content="0; url=/category/new.html">')
    assert isinstance(result, Request)
    assert result.url == "http://127.0.0.1:8000/category/new.html"
    assert result.meta["redirect_reasons"] == ["meta refresh"]


def test_a_long_delay_or_a_refresh_in_noscript_is_not_followed(
    middleware: HeadMetaRefreshMiddleware,
) -> None:
    slow = '<meta http-equiv="refresh" content="600; url=/category/new.html">'
    assert isinstance(answer(middleware, slow), HtmlResponse)
    hidden = '<noscript><meta http-equiv="refresh" content="0; url=/x.html"></noscript>'
    assert isinstance(answer(middleware, hidden), HtmlResponse)


def test_a_page_without_refresh_passes_and_a_late_one_is_not_seen(
    middleware: HeadMetaRefreshMiddleware,
) -> None:
    assert isinstance(answer(middleware, "<title>标题</title>", "正文" * 10_000), HtmlResponse)
    late = "x" * HEAD_BYTES + '<meta http-equiv="refresh" content="0; url=/x.html">'
    assert isinstance(answer(middleware, f"<title>{late}</title>"), HtmlResponse)
