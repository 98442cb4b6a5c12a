"""Conditional requests: listings and re-checked posts carry the validators of the last run.

A ``304`` ends that branch. Validators of the responses are staged in the state and saved only
when the run finished cleanly with no failed request, so that a killed or failing run can never
make the next run skip a listing whose posts it did not all archive.
"""

from __future__ import annotations

import logging
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsspider.dates import utc_now_iso
from newsspider.incremental.meta import GONE, LISTING, POST, RECHECK, is_rolling_category_page
from newsspider.state.access import state_for
from newsspider.state.base import CrawlState, Validators
from newsspider.urls import ROLLING_CATEGORY

logger = logging.getLogger(__name__)
PREFIX = "newsspider/incremental"
#: Validators are kept in memory by this many, then staged in the state (off the heap).
STAGE_BATCH = 500


def validators_key(url: str) -> str:
    """Validators belong to a page of the site, whatever host and port served it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class ConditionalRequestsMiddleware:
    def __init__(self, crawler: Crawler, state: CrawlState, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.state = state
        self.stats = stats
        self.pending: dict[str, Validators] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSSPIDER_INCREMENTAL"):
            raise NotConfigured("NEWSSPIDER_INCREMENTAL is off")
        assert crawler.stats is not None
        middleware = cls(crawler, state_for(crawler), crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _conditional(self, request: Request) -> bool:
        full = bool(getattr(getattr(self.crawler.spider, "args", None), "full", False))
        return (LISTING in request.meta and not full) or bool(request.meta.get(RECHECK))

    def process_request(self, request: Request) -> None:
        if LISTING in request.meta:
            self.stats.inc_value("newsspider/listing/requested")
        if not self._conditional(request):
            return
        validators = self.state.validators(validators_key(request.url))
        if validators.etag:
            request.headers.setdefault(b"If-None-Match", validators.etag)
        if validators.last_modified:
            request.headers.setdefault(b"If-Modified-Since", validators.last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        # A listing counts as answered when the site served it, or said that a category it
        # had is gone (404 for a category page, as the site does once it lists nothing): a
        # run, or a distributed worker, whose only listings were such is not "site down".
        # A home page answering 404 (a wrong base_url) is not an answer.
        gone_category = response.status in (404, 410) and (
            _is_category_page(request) or is_rolling_category_page(request)
        )
        if LISTING in request.meta and (response.status in (200, 304) or gone_category):
            self.stats.inc_value("newsspider/listing/answered")
        if response.status == 304 and LISTING in request.meta:
            self.stats.inc_value(f"{PREFIX}/listing_not_modified")
        elif response.status == 304 and POST in request.meta:
            self.state.mark_seen(request.meta[POST], utc_now_iso())
            self.stats.inc_value(f"{PREFIX}/recheck_not_modified")
        elif response.status in (404, 410) and _is_category_page(request):
            # The category is gone from the site, and with it every post it listed.
            request.meta[GONE] = True
            now = utc_now_iso()
            for article in self.state.served_in_category(request.meta[LISTING]):
                if self.state.mark_gone(article.id, now):
                    self.stats.inc_value(f"{PREFIX}/gone")
            logger.info("Category page gone from the site: %s", request.url)
        elif response.status in (404, 410) and is_rolling_category_page(request):
            # The rolling feed lists its posts on /emnews/; a category page of its own is a
            # bonus the real site may not have: its absence is neither news nor a failure.
            request.meta[GONE] = True
        elif response.status in (404, 410) and POST in request.meta:
            if self.state.article(request.meta[POST]) is not None:
                request.meta[GONE] = True
                if self.state.mark_gone(request.meta[POST], utc_now_iso()):
                    self.stats.inc_value(f"{PREFIX}/gone")
                    logger.info("Gone from the site (kept in the archive): %s", request.url)
        elif response.status == 200 and (LISTING in request.meta or POST in request.meta):
            validators = Validators(
                etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified")
            )
            if validators:
                self.pending[validators_key(request.url)] = validators
                if len(self.pending) >= STAGE_BATCH:
                    self._stage()
        return response

    def _stage(self) -> None:
        self.state.stage_validators(self.pending.items())
        self.pending.clear()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        failed = self.stats.get_value("newsspider/run/failed", 0)
        self._stage()
        if reason != "finished" or failed:
            logger.info(
                "Validators of %d pages not saved (run %s, %d failed requests): the next run"
                " fetches them in full",
                self.state.discard_staged_validators(),
                reason,
                failed,
            )
            return
        self.state.save_staged_validators()


def _is_category_page(request: Request) -> bool:
    # The rolling feed's own page is /emnews/; its category page may not exist at all.
    category = request.meta.get(LISTING)
    return "/category/" in request.url and category not in (None, "home", ROLLING_CATEGORY)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
