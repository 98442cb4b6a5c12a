"""Stopping the run from a component that cannot go on (an output or queue the disk fails)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro


def stop_run(crawler: Crawler | None, reason: str) -> None:
    """Close the spider with ``reason`` (a no-op once it is closing or when none runs), as
    Scrapy's ``CloseSpider`` extension does; the run's exit status follows the reason."""
    try:
        engine = crawler.engine if crawler is not None else None
    except RuntimeError:  # no crawl started yet
        return
    if engine is not None and engine.spider is not None and engine.running:
        deferred_from_coro(engine.close_spider_async(reason=reason))
