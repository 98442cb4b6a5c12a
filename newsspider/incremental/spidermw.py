"""Skipping known work before downloading, and re-checking recent posts.

- a post already archived is not requested again (``newsspider/incremental/skipped_known``),
  unless ``-a full=true`` or it falls in the ``-a refresh=`` window (then it is re-checked
  with a conditional request);
- a post whose URL date is older than ``-a since=`` is not requested (``…/skipped_old``);
- a category page that no longer lists an archived post means the site stopped serving it:
  the state records when (``…/gone``), the archive keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsspider.dates import start_of_day, to_iso, utc_now_iso
from newsspider.incremental.meta import LISTING, LISTING_OK, POST, RECHECK
from newsspider.state.access import state_for
from newsspider.state.base import CrawlState
from newsspider.urls import parse_post_path

logger = logging.getLogger(__name__)
PREFIX = "newsspider/incremental"


class SkipKnownPostsMiddleware:
    def __init__(self, crawler: Crawler, state: CrawlState, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSSPIDER_INCREMENTAL"):
            raise NotConfigured("NEWSSPIDER_INCREMENTAL is off")
        assert crawler.stats is not None
        return cls(crawler, state_for(crawler), crawler.stats)

    def _option(self, name: str) -> Any:
        return getattr(getattr(self.crawler.spider, "args", None), name, None)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request in start:
            yield request
        spider: Any = self.crawler.spider
        if not hasattr(spider, "post_request"):
            return
        # Categories archived before are listed again even when no page links to them any
        # more: that is how the archive learns which of their posts the site dropped.
        for category in self.state.categories():
            if spider.wanted(category):
                yield spider.listing_request(spider.urls.category(category), category)
        refresh: date | None = self._option("refresh")
        if refresh is None:
            return
        known = self.state.published_since(to_iso(start_of_day(refresh)))
        logger.info("Re-checking %d known posts published since %s", len(known), refresh)
        for article in known:
            request = spider.post_request(
                urlsplit(article.url).path, spider.urls.home, article.category
            )
            if request is not None:
                request.meta[RECHECK] = True
                request.meta["handle_httpstatus_list"] = [304]
                yield request

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        listed: set[str] = set()
        for element in result:
            if self._keep(element, listed):
                yield element
        self._detect_gone(response, listed)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        listed: set[str] = set()
        async for element in result:
            if self._keep(element, listed):
                yield element
        self._detect_gone(response, listed)

    def _keep(self, element: Any, listed: set[str]) -> bool:
        """Note every post a page links to; keep what is not skipped."""
        if not isinstance(element, Request) or POST not in element.meta:
            return True
        listed.add(element.meta[POST])
        return self._wanted(element)

    def _wanted(self, request: Request) -> bool:
        since: date | None = self._option("since")
        post_path = parse_post_path(request.url)
        if since and post_path and post_path.day < since:
            self.stats.inc_value(f"{PREFIX}/skipped_old")
            return False
        known = self.state.article(request.meta[POST])
        if known is None or self._option("full"):
            return True
        refresh: date | None = self._option("refresh")
        if refresh and known.published_at and known.published_at >= to_iso(start_of_day(refresh)):
            request.meta[RECHECK] = True
            request.meta["handle_httpstatus_list"] = [304]
            return True
        self.stats.inc_value(f"{PREFIX}/skipped_known")
        return False

    def _detect_gone(self, response: Response, listed: set[str]) -> None:
        """A category page lists every post of its category the site still serves."""
        category = response.meta.get(LISTING)
        if not response.meta.get(LISTING_OK) or not category or "/category/" not in response.url:
            return
        if any(char.isspace() for char in category):
            # Jekyll files such a post under the category's first word: its own page lists
            # nothing, ever (the spec's ``21shijijingjibaodao 21caijingAPP``).
            return
        now = utc_now_iso()
        for article in self.state.served_in_category(category):
            if article.id not in listed and self.state.mark_gone(article.id, now):
                self.stats.inc_value(f"{PREFIX}/gone")
                logger.info("Gone from the site (kept in the archive): %s", article.url)
