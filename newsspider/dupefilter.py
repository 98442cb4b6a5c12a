"""A request-fingerprint filter that never persists to ``JOBDIR`` (see settings)."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter


class InMemoryDupeFilter(RFPDupeFilter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        fingerprinter: Any = crawler.request_fingerprinter
        return cls(
            None, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=fingerprinter
        )
