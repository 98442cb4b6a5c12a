"""Encoding detection for pages that do not declare theirs.

Scrapy decodes by the ``Content-Type`` header, then the ``<meta charset>``, then guesses
UTF-8 or cp1252: a GBK page that declares nothing would come out as cp1252 mojibake. When a
page declares nothing and is not valid UTF-8, its encoding is detected with
charset-normalizer (GBK/GB2312 read as GB18030, their superset).
"""

from __future__ import annotations

import logging
from typing import Self

from charset_normalizer import from_bytes
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
_CHINESE_SUPERSET = {"gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030"}


def detect_encoding(body: bytes) -> str | None:
    best = from_bytes(body[:200_000]).best()
    if best is None:
        return None
    encoding = str(best.encoding).lower()
    return _CHINESE_SUPERSET.get(encoding, encoding)


class CharsetDetectionMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or response._declared_encoding():
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            encoding = detect_encoding(response.body)
            if encoding and encoding != "utf-8":
                self.stats.inc_value(f"newsspider/charset/detected/{encoding}")
                logger.info("Detected %s for %s (no charset declared)", encoding, response.url)
                return response.replace(encoding=encoding)
        return response
