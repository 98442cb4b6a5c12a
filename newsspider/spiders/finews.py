"""The ``finews`` spider: home and rolling-news pages, category pages, post pages.

It only routes. Page structure lives in :mod:`newsspider.pages`, normalisation and cleaning
in the item pipelines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Any, Self

from parsel import Selector
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsspider.articles import article_from_post_page
from newsspider.exitcodes import UNKNOWN_CATEGORY_STAT
from newsspider.incremental.meta import (
    GONE,
    LISTING,
    LISTING_OK,
    POST,
    is_rolling_category_page,
)
from newsspider.items import ArticleItem
from newsspider.metadata import is_share_link
from newsspider.pages import (
    CategoryPage,
    HomePage,
    NotAListingError,
    NotAPostError,
    PostPage,
    PostPageV1,
)
from newsspider.pages.share import ShareArticle, ShareFailure
from newsspider.pipelines.base import STATS_PREFIX
from newsspider.share import ShareUrls, infocode_of
from newsspider.signals import article_failed
from newsspider.spiders.arguments import ArgumentError, FinewsArguments
from newsspider.spiders.listings import ListingGate
from newsspider.spiders.sharing import (
    ShareAttempt,
    ShareFollowing,
    failure_reason,
    request_of,
)
from newsspider.urls import ROLLING_CATEGORY, SiteUrls, category_slug_from_url, parse_post_path

logger = logging.getLogger(__name__)


__all__ = ["ArgumentError", "FinewsSpider"]


class FinewsSpider(ShareFollowing):
    name = "finews"

    home_page = HomePage()
    category_page = CategoryPage()
    post_page = PostPageV1()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.listing_gate = ListingGate(
            crawler.settings.getint("NEWSSPIDER_LISTINGS_AT_ONCE", 2), spider._schedule
        )
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> None:
        """Raise :class:`ArgumentError` for a bad ``-a`` value (used before start-up)."""
        FinewsArguments.from_kwargs(kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = FinewsArguments.from_kwargs(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})
        self.urls = SiteUrls(self.args.base_url)
        self.share_urls = ShareUrls(self.args.share_base_url)
        # Category pages already asked for by a post: every post of a category names its page,
        # and a request the dupefilter drops still costs a Request and a fingerprint.
        self.listings_named: set[str] = set()
        self.listing_gate = ListingGate(0, self._schedule)  # from_crawler sets the limit

    def _schedule(self, request: Request) -> None:
        assert self.crawler.engine is not None
        self.crawler.engine.crawl(request)

    def spider_idle(self) -> None:
        if self.listing_gate.release_all():
            raise DontCloseSpider

    def request_dropped(self, request: Request) -> None:
        self.listing_gate.finished(request)

    def wanted(self, category: str) -> bool:
        return not self.args.categories or category in self.args.categories

    def _count(self, name: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/spider/{name}")

    async def start(self) -> AsyncIterator[Request]:
        if self.args.sample:
            from newsspider.sample_site import serve_sample_site

            self.urls = SiteUrls(serve_sample_site())
            logger.info("Serving the bundled sample site at %s", self.urls.base_url)
            if self.args.share_base_url is None:
                # The sample server plays the share host too: no request leaves the machine.
                self.share_urls = ShareUrls(self.urls.base_url)
        if not self.args.categories:
            yield Request(
                self.urls.home,
                callback=self.parse_home,
                errback=self.failed,
                meta={LISTING: "home", "handle_httpstatus_list": [304]},
            )
        listings = [(self.urls.category(slug), slug) for slug in self.args.categories]
        if self.wanted(ROLLING_CATEGORY):
            listings.insert(0, (self.urls.rolling, ROLLING_CATEGORY))
        for url, category in listings:
            if (request := self.gated_listing_request(url, category)) is not None:
                yield request

    def gated_listing_request(self, url: str, category: str) -> Request | None:
        """The category page's request, or None when it waits its turn (see ListingGate)."""
        return self.listing_gate.admit(self.listing_request(url, category))

    def listing_request(self, url: str, category: str) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.failed,
            cb_kwargs={"category": category},
            meta={LISTING: category, "handle_httpstatus_list": [304]},
        )

    def post_request(self, href: str, page_url: str, category: str | None) -> Request | None:
        url = self.urls.to_local(href, page_url)
        post_path = parse_post_path(url) if url else None
        if url is None or post_path is None:
            return None
        return Request(
            url,
            callback=self.parse_post,
            errback=self.failed,
            cb_kwargs={"category": category},
            meta={POST: post_path.name},
        )

    def parse_home(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            return  # not modified since the last complete run: nothing new to follow
        try:
            sections = self.home_page.parse(Selector(text=response.text))
        except NotAListingError as error:
            self.report_failure(response.request, str(error), "listing")
            return
        for section in sections:
            for link in section.links:
                request = self.post_request(link.href, response.url, None)
                if request is not None:
                    yield request

    def parse_listing(self, response: Response, category: str) -> Iterator[Request]:
        try:
            yield from self._read_listing(response, category)
        finally:  # read, or given up: the next category page may go
            self.listing_gate.finished(response.request)

    def _read_listing(self, response: Response, category: str) -> Iterator[Request]:
        if response.status == 304:
            return
        encoding = response.encoding if isinstance(response, TextResponse) else None
        # Requests are yielded as the page is read: a category page lists thousands of posts.
        listed = 0
        try:
            for link in self.category_page.iter_links(response.body, encoding):
                listed += 1
                request = self.post_request(link.href, response.url, category)
                if request is not None:
                    yield request
        except NotAListingError as error:
            self.report_failure(response.request, str(error), "listing")
            return
        if response.request is not None:
            response.meta[LISTING_OK] = True  # a real listing: it may show posts gone
        if not listed:
            logger.info("Category page %s lists no posts", response.url)

    def parse_post(
        self, response: Response, category: str | None
    ) -> Iterator[ArticleItem | Request]:
        if response.status == 304:
            return  # a re-checked post that has not changed
        try:
            page = self.post_page.parse(response.text)
        except NotAPostError as error:
            self._count("not_a_post")
            logger.warning("Not a post page, skipped: %s (%s)", response.url, error)
            self.report_failure(response.request, f"not a post page: {error}", "post")
            return
        item = article_from_post_page(response.url, page, category)
        link = page.source_link
        infocode = infocode_of(link) if self.args.follow_share and link else None
        if infocode and is_share_link(link or ""):
            yield self.share_page_request(infocode, link, item)
        else:
            yield item
        # Back links name the post's category exactly: discover its category page (the
        # rolling-news page shows only the newest 20, so its category page is asked too).
        # A post without back links found outside a category page names its category only
        # in its URL (lower-cased by the site: right for one-word lower-case slugs).
        for slug in self._categories_named_by(page, response.url, category):
            if self.wanted(slug) and slug not in self.listings_named:
                self.listings_named.add(slug)
                request = self.gated_listing_request(self.urls.category(slug), slug)
                if request is not None:
                    yield request

    def _categories_named_by(self, page: PostPage, url: str, listing: str | None) -> list[str]:
        named = []
        for href in page.back_links:
            local = self.urls.to_local(href, url)
            slug = category_slug_from_url(local) if local else None
            if slug:
                named.append(slug)
        post_path = parse_post_path(url)
        if not named and listing is None and post_path and len(post_path.categories) == 1:
            named.append(post_path.categories[0])
        return named

    def share_done(self, attempt: ShareAttempt, article: ShareArticle) -> Iterator[ArticleItem]:
        attempt.item.share = {**attempt.urls(), "article": asdict(article)}
        yield attempt.item

    def share_unavailable(
        self, attempt: ShareAttempt, failure: ShareFailure, detail: str
    ) -> Iterator[ArticleItem]:
        attempt.item.share = {**attempt.urls(), "status": failure.value, "detail": detail}
        yield attempt.item

    def failed(self, failure: Failure) -> None:
        request = request_of(failure)
        self.listing_gate.finished(request)
        response = getattr(failure.value, "response", None)
        asked = request.meta.get(LISTING) in self.args.categories
        if (
            asked
            and not is_rolling_category_page(request)
            and response is not None
            and response.status == 404
        ):
            self.crawler.stats.inc_value(UNKNOWN_CATEGORY_STAT)
            logger.error(
                "Unknown category %r: its page %s answers 404 (check -a categories)",
                request.meta[LISTING],
                request.url,
            )
            return
        if request.meta.get(GONE):
            return  # a known post the site no longer serves: recorded, not a failure
        reason = failure_reason(failure)
        self._count("requests_failed")
        logger.warning("Request failed: %s (%s)", request.url, reason)
        kind = "post" if POST in request.meta else "listing" if LISTING in request.meta else "other"
        self.report_failure(request, reason, kind)

    def report_failure(self, request: Request | None, reason: str, kind: str) -> None:
        """An article (or a listing) could not be archived: the run manifest lists it."""
        url = request.url if request is not None else "?"
        self.crawler.signals.send_catch_log(article_failed, url=url, reason=reason, kind=kind)
