"""Following a share link: the share page, then the article API on the same host.

Used by the ``finews`` spider (to add the outlet's copy to a post) and the ``share`` spider.
The item travels with the requests and is handed to :meth:`ShareFollowing.share_done` once,
whatever happened, so an article is never lost to a failed share request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from newsspider.items import ArticleItem
from newsspider.pages.share import (
    ShareApiError,
    ShareArticle,
    ShareArticleV1,
    ShareFailure,
    decode_api_body,
)
from newsspider.pipelines.base import STATS_PREFIX
from newsspider.share import ShareUrls

logger = logging.getLogger(__name__)


def request_of(failure: Failure) -> Request:
    """The request an errback's failure is about (Scrapy sets ``failure.request``)."""
    request: Request = failure.request  # type: ignore[attr-defined]
    return request


def failure_reason(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    return f"HTTP {response.status}" if response is not None else failure.getErrorMessage()


@dataclass(frozen=True, slots=True)
class ShareAttempt:
    """One share link followed: the item it belongs to (if any) and the URLs asked."""

    infocode: str
    item: Any
    page_url: str
    api_url: str

    def urls(self) -> dict[str, str]:
        return {"page_url": self.page_url, "api_url": self.api_url}


class ShareFollowing(Spider):
    share_urls: ShareUrls
    share_api = ShareArticleV1()

    def share_page_request(self, infocode: str, share_link: str | None, item: Any) -> Request:
        return Request(
            self.share_urls.page(infocode, share_link),
            callback=self.parse_share_page,
            errback=self.share_page_failed,
            cb_kwargs={"infocode": infocode, "share_link": share_link, "item": item},
            dont_filter=True,  # the item rides on it: a filtered request would lose it
        )

    def parse_share_page(
        self, response: Response, infocode: str, share_link: str | None, item: Any
    ) -> Iterator[Request]:
        yield self._api_request(infocode, share_link, item, response.url)

    def share_page_failed(self, failure: Failure) -> Iterator[Request]:
        kwargs = request_of(failure).cb_kwargs
        logger.warning(
            "Share page of %s failed (%s); asking the API anyway",
            kwargs["infocode"],
            failure_reason(failure),
        )
        yield self._api_request(**kwargs, page_url=request_of(failure).url)

    def _api_request(
        self, infocode: str, share_link: str | None, item: Any, page_url: str
    ) -> Request:
        return Request(
            self.share_urls.api(infocode, share_link),
            callback=self.parse_share_api,
            errback=self.share_api_failed,
            cb_kwargs={"infocode": infocode, "item": item, "page_url": page_url},
            dont_filter=True,
        )

    def parse_share_api(
        self, response: Response, infocode: str, item: Any, page_url: str
    ) -> Iterator[ArticleItem]:
        attempt = ShareAttempt(infocode, item, page_url, response.url)
        try:
            content_type = response.headers.get("Content-Type")
            declared = content_type.decode("latin-1") if content_type else None
            article = self.share_api.parse(decode_api_body(response.body, declared))
        except ShareApiError as error:
            yield from self._share_failed(attempt, error.failure, error.detail)
            return
        yield from self.share_done(attempt, article)

    def share_api_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        request = request_of(failure)
        attempt = ShareAttempt(
            request.cb_kwargs["infocode"], request.cb_kwargs["item"],
            request.cb_kwargs["page_url"], request.url,
        )  # fmt: skip
        yield from self._share_failed(attempt, ShareFailure.HTTP_ERROR, failure_reason(failure))

    def _share_failed(
        self, attempt: ShareAttempt, failure: ShareFailure, detail: str
    ) -> Iterator[ArticleItem]:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/share_api/{failure.value}")
        logger.warning("Share API failed for %s: %s (%s)", attempt.infocode, failure.value, detail)
        yield from self.share_unavailable(attempt, failure, detail)

    # -- what the spider does with the outcome -------------------------------------------

    def share_done(self, attempt: ShareAttempt, article: ShareArticle) -> Iterator[ArticleItem]:
        raise NotImplementedError

    def share_unavailable(
        self, attempt: ShareAttempt, failure: ShareFailure, detail: str
    ) -> Iterator[ArticleItem]:
        raise NotImplementedError
