"""A request-fingerprint filter that never persists to ``JOBDIR`` (see settings), and that
reports redirect loops: a redirect back to a page already requested would otherwise vanish."""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter

from newsspider.compact import CompactIntSet
from newsspider.signals import article_failed


class InMemoryDupeFilter(RFPDupeFilter):
    crawler: Crawler | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen = CompactIntSet()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        fingerprinter: Any = crawler.request_fingerprinter
        dupefilter = cls(
            None, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=fingerprinter
        )
        dupefilter.crawler = crawler
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        # The first 64 bits of each fingerprint, in 8 bytes (newsspider.compact), not Scrapy's
        # 40-digit hex string in a set (~180 bytes): one per request of the run, and this
        # filter writes no file.
        fingerprint = int.from_bytes(
            self.fingerprinter.fingerprint(request)[:8], "big", signed=True
        )
        seen = not self.seen.add(fingerprint)
        redirects = request.meta.get("redirect_urls")
        if seen and redirects and self.crawler is not None:
            self.crawler.signals.send_catch_log(
                article_failed,
                url=redirects[0],
                reason=f"redirect loop back to {request.url}",
                kind="redirect",
            )
        return seen
