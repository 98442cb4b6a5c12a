"""What every pipeline shares: the crawler's stats under one ``newsspider/`` prefix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

STATS_PREFIX = "newsspider"


class StatsPipeline:
    """A pipeline that counts what it does in the crawl stats, under ``newsspider/<stats_key>/``."""

    stats_key: str = ""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def count(self, name: str, amount: int = 1) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{self.stats_key}/{name}", amount)

    def count_all(self, names: Iterable[tuple[str, int]]) -> None:
        for name, amount in names:
            if amount:
                self.count(name, amount)
