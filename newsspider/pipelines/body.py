"""Clean the post body: widgets, charts, hidden and navigation blocks out; sanitise; convert."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Coroutine
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import is_asyncio_available

from newsspider.cleaning import CleanedBody, clean_body
from newsspider.cleaning.pool import DEFAULT_MAX_BATCH, DEFAULT_TIMEOUT, CleaningWorker
from newsspider.items import ArticleItem
from newsspider.pipelines.base import STATS_PREFIX, StatsPipeline

logger = logging.getLogger(__name__)
# What the worker did, set at the close (read by the CPU profile, extensions/cputime.py).
WORKER_STATS = f"{STATS_PREFIX}/body/worker"
WORKER_CPU_MS = f"{WORKER_STATS}/cpu_ms"  # the worker process's cleaning
WORKER_CRAWL_CPU_MS = f"{WORKER_STATS}/crawl_cpu_ms"  # this process's side of it


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_cleaned(item: ArticleItem, cleaned: CleanedBody) -> None:
    item.body_html = cleaned.html
    item.body_markdown = cleaned.markdown
    item.body_text = cleaned.text
    item.images = cleaned.images
    item.highlights = cleaned.highlights
    item.summary = cleaned.summary
    item.content_sha256 = content_sha256(cleaned.text)


def apply_clean_body(item: ArticleItem, cleaned: CleanedBody | None = None) -> dict[str, int]:
    """Replace the page's body HTML by its cleaned forms; return what changed.

    ``cleaned``: the body already cleaned (by the worker); cleaned here when None."""
    if cleaned is None:
        cleaned = clean_body(item.body_html)
    apply_cleaned(item, cleaned)
    if not cleaned.text:
        item.warnings.append("the post body is empty")
        cleaned.changes["empty_bodies"] += 1
    return dict(cleaned.changes)


def worker_wanted(crawler: Crawler) -> str | None:
    """Why the body-cleaning worker is not used in this crawl; None when it is."""
    if not crawler.settings.getbool("NEWSSPIDER_CLEANING_WORKER"):
        return "NEWSSPIDER_CLEANING_WORKER is off"
    if (os.cpu_count() or 1) < 2:
        return "this machine has one CPU"
    return None


class BodyCleaningPipeline(StatsPipeline):
    """Fills ``body_html`` (safe), ``body_markdown``, ``body_text``, images, highlights, summary.

    With ``NEWSSPIDER_CLEANING_WORKER`` (default on, on a machine with more than one CPU) the
    cleaning runs in a worker process (:mod:`newsspider.cleaning.pool`), the rest here.
    """

    stats_key = "body"

    def __init__(self, stats: StatsCollector, worker: CleaningWorker | None = None) -> None:
        super().__init__(stats)
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        reason = worker_wanted(crawler)
        if reason is not None:
            logger.info("Bodies are cleaned in the crawl process: %s", reason)
            return cls(crawler.stats)
        worker = CleaningWorker(
            max_batch=settings.getint("NEWSSPIDER_CLEANING_WORKER_BATCH", DEFAULT_MAX_BATCH),
            timeout=settings.getfloat("NEWSSPIDER_CLEANING_WORKER_TIMEOUT", DEFAULT_TIMEOUT),
        )
        return cls(crawler.stats, worker)

    async def open_spider(self) -> None:
        if self.worker is None:
            return
        if not is_asyncio_available():
            logger.info("Bodies are cleaned in the crawl process: the worker needs asyncio")
            self.worker = None
            return
        await self.worker.start()

    async def close_spider(self) -> None:
        worker = self.worker
        if worker is None:
            return
        await worker.close()
        figures = worker.figures
        self.stats.set_value(f"{WORKER_STATS}/bodies", figures.bodies)
        self.stats.set_value(f"{WORKER_STATS}/batches", figures.batches)
        self.stats.set_value(WORKER_CPU_MS, round(figures.worker_cpu_ns / 1e6, 3))
        self.stats.set_value(WORKER_CRAWL_CPU_MS, round(figures.crawl_cpu_ns / 1e6, 3))
        if worker.lost is not None:
            self.stats.set_value(f"{WORKER_STATS}/lost", worker.lost)

    def process_item(self, item: ArticleItem) -> ArticleItem | Coroutine[Any, Any, ArticleItem]:
        if self.worker is None or not self.worker.running:
            self.count_all(apply_clean_body(item).items())
            return item
        return self._clean_in_worker(item, self.worker)

    async def _clean_in_worker(self, item: ArticleItem, worker: CleaningWorker) -> ArticleItem:
        result = await worker.clean(item.body_html)
        started = time.thread_time_ns()
        # A body the worker could not clean (an error, or the worker lost) is cleaned here:
        # the error, if any, is raised here with its traceback and the item, as without it.
        cleaned = result if isinstance(result, CleanedBody) else None
        if cleaned is None:
            self.count("cleaned_in_crawl")
        self.count_all(apply_clean_body(item, cleaned).items())
        worker.figures.crawl_cpu_ns += time.thread_time_ns() - started
        return item
