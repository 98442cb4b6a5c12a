"""Records archived articles in the crawl state once both outputs hold them.

It listens to ``post_written`` (the Jekyll post is on disk; the JSON Lines feed, written
unbuffered, got its line before) or, with posts disabled, to ``item_scraped``.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newsspider.signals import post_written
from newsspider.state.access import state_for
from newsspider.state.base import CrawlState


class StateRecorder:
    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSSPIDER_INCREMENTAL"):
            raise NotConfigured("NEWSSPIDER_INCREMENTAL is off")
        assert crawler.stats is not None
        recorder = cls(state_for(crawler), crawler.stats)
        written = (
            post_written
            if crawler.settings.getbool("NEWSSPIDER_POSTS_ENABLED")
            else signals.item_scraped
        )
        crawler.signals.connect(recorder.archived, signal=written)
        # After every spider_closed handler (the validators are saved in one of them).
        crawler.signals.connect(recorder.close, signal=signals.engine_stopped)
        return recorder

    def archived(self, item: Any, **_: Any) -> None:
        outcome, _revision = self.state.record(
            item.id,
            item.url,
            item.content_sha256,
            published_at=item.published_at,
            category=item.category,
            seen_at=item.crawled_at,
        )
        self.stats.inc_value(f"newsspider/archived/{outcome.value}")

    def close(self) -> None:
        self.state.close()
