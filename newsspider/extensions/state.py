"""Keeps the crawl state in step with the outputs, at checkpoints.

An article is recorded once its JSON Lines record and its post file are written
(``post_written``; ``item_scraped`` when posts are off), unless one of them could not be
(:mod:`newsspider.output_failures`). Records are committed in batches
at checkpoints (every ``NEWSSPIDER_CHECKPOINT_ITEMS`` articles or
``NEWSSPIDER_CHECKPOINT_SECONDS``, and at the end): the outputs are synced to disk first, so
the state never counts an article the disk does not hold. A run killed between checkpoints
is recovered by the next one from its feed (:mod:`newsspider.recovery`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from newsspider.extensions.posts import JekyllPostsWriter
from newsspider.extensions.report import fail_after_close
from newsspider.output_failures import failed_ids
from newsspider.recovery import recover
from newsspider.runs import run_id_for
from newsspider.signals import archived_signal, articles_recovered
from newsspider.state.access import state_for
from newsspider.state.base import ArchivedRecord, CrawlState

logger = logging.getLogger(__name__)


class StateRecorder:
    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        settings = crawler.settings
        self.data_dir = Path(settings["NEWSSPIDER_DATA_DIR"])
        self.batch = max(1, settings.getint("NEWSSPIDER_CHECKPOINT_ITEMS"))
        self.interval = settings.getfloat("NEWSSPIDER_CHECKPOINT_SECONDS")
        self.pending: list[ArchivedRecord] = []
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSSPIDER_INCREMENTAL"):
            raise NotConfigured("NEWSSPIDER_INCREMENTAL is off")
        recorder = cls(crawler, state_for(crawler))
        crawler.signals.connect(recorder.archived, signal=archived_signal(crawler.settings))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        # After every spider_closed handler (the validators are saved in one of them).
        crawler.signals.connect(recorder.close, signal=signals.engine_stopped)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        writer = self.crawler.get_extension(JekyllPostsWriter)
        recovered = recover(self.state, self.data_dir, writer.rewrite if writer else None)
        if recovered:
            self.stats.set_value("newsspider/recovery/articles", len(recovered))
            self.crawler.signals.send_catch_log(articles_recovered, ids=recovered)
        self.state.begin_run(run_id_for(self.crawler), self._feed())
        if self.interval > 0:
            self._timer = task.LoopingCall(self.checkpoint)
            self._timer.start(self.interval, now=False)

    def _feed(self) -> str | None:
        exporter = self.crawler.get_extension(FeedExporter)
        for slot in exporter.slots if exporter else []:
            path = Path(slot.uri.removeprefix("file://")).resolve()
            try:
                return str(path.relative_to(self.data_dir.resolve()))
            except ValueError:
                return str(path)
        return None

    def archived(self, item: Any, **_: Any) -> None:
        if item.id in failed_ids(self.crawler):
            return  # an output could not take it: the next run fetches it again
        self.pending.append(
            ArchivedRecord(
                id=item.id,
                url=item.url,
                content_sha256=item.content_sha256,
                published_at=item.published_at,
                category=item.category,
                seen_at=item.crawled_at,
            )
        )
        if len(self.pending) >= self.batch:
            self.checkpoint()

    def checkpoint(self) -> None:
        if not self.pending:
            return
        os.sync()  # the feed lines and post files of the batch reach the disk first
        for outcome, _revision in self.state.record_many(self.pending):
            self.stats.inc_value(f"newsspider/archived/{outcome.value}")
        self.pending.clear()

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        try:
            self.checkpoint()
            if failed_ids(self.crawler):
                # The state lacks articles the feed may hold (their post failed): left
                # unfinished, the run is replayed from its feed by the next one.
                logger.info("The run is left for the next one to complete from its feed")
            else:
                self.state.finish_run(run_id_for(self.crawler))
        except Exception as error:
            # The articles stay in the feed: the next run recovers them from it.
            fail_after_close(self.stats, f"The crawl state could not be saved: {error}")
        finally:
            self.state.close()
