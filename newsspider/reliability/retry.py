"""Retries with exponential backoff that honour ``Retry-After``.

Scrapy's ``RetryMiddleware`` retries at once; a struggling server (5xx bursts, ``429``) is
better left alone for a while. Each retry waits ``NEWSSPIDER_RETRY_BACKOFF`` × 2^(n-1)
seconds (with jitter, capped by ``NEWSSPIDER_RETRY_BACKOFF_MAX``), or what the server's
``Retry-After`` asks, up to ``NEWSSPIDER_RETRY_AFTER_MAX``. A page of the site answered
``200`` without the site's page structure (an empty or garbage body) is retried too.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newsspider.incremental.meta import LISTING, POST


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


_SECTION = b"<section"


def _is_site_page(request: Request) -> bool:
    return LISTING in request.meta or POST in request.meta


class BackoffRetryMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        settings = crawler.settings
        middleware.backoff = settings.getfloat("NEWSSPIDER_RETRY_BACKOFF")
        middleware.backoff_max = settings.getfloat("NEWSSPIDER_RETRY_BACKOFF_MAX")
        middleware.retry_after_max = settings.getfloat("NEWSSPIDER_RETRY_AFTER_MAX")
        return middleware

    backoff: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0

    def delay(self, request: Request, response: Response | None) -> float:
        asked = retry_after_seconds(response.headers.get(b"Retry-After")) if response else None
        if asked is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsspider/retry/retry_after_honoured")
            return min(asked, self.retry_after_max)
        attempt = int(request.meta.get("retry_times", 0))
        exponential = self.backoff * (2**attempt)
        jittered: float = exponential * random.uniform(0.5, 1.5)
        return min(self.backoff_max, jittered)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            await deferred_to_future(deferLater(reactor, seconds, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            reason = response_status_message(response.status)
        elif response.status == 200 and _is_site_page(request) and _SECTION not in response.body:
            # An empty or garbled 200 for a page of the site: a glitch, worth another try.
            reason = "200 without the site's page structure (empty or garbage body)"
        else:
            return response
        retry = self._retry(request, reason)
        if retry is None:
            return response
        await self._wait(self.delay(request, response))
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(self.delay(request, None))
        return retry
