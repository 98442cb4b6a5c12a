"""The workers of a distributed run: seeding once, heartbeats, in-flight requests, the end.

- :class:`SeedOnceMiddleware`: the first worker of a run pushes the start requests (the
  spider's ``start()`` and what the middlewares add to it); the others wait until it is done,
  and take over when it dies first (``SEED`` script: a ``seeded`` key per run).
- :class:`DistributedRun`, an extension: every ``NEWSSPIDER_REDIS_HEARTBEAT_SECONDS`` it
  refreshes the worker's heartbeat key (TTL ``NEWSSPIDER_REDIS_WORKER_TTL``), acknowledges the
  requests the engine finished once the crawl state has recorded their articles (a state
  checkpoint first), and puts the requests of workers whose heartbeat stopped back into the
  queue (after replaying their feed into the state, when it is in this data directory).
  On ``spider_idle`` it keeps the worker open (``DontCloseSpider``) while the run has queued
  requests, requests in flight at any worker, or seeding still going; otherwise the worker ends
  by itself. The last worker out of a finished run commits the run's validators (when no
  request failed) and deletes its queue and filter.
- :class:`RunClaimsPipeline`: an article is exported by one worker of the run only, as the
  single process's ``ChangedOnlyPipeline`` does within one run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self, cast

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import sleep
from twisted.internet import task

from newsspider.distributed import compat, scripts
from newsspider.distributed.keys import RunKeys, alive_key, current_run_key, distributed
from newsspider.extensions.posts import JekyllPostsWriter
from newsspider.extensions.state import StateRecorder
from newsspider.incremental.pipeline import UnchangedArticle
from newsspider.recovery import recover
from newsspider.runs import run_id_for
from newsspider.signals import article_failed, articles_recovered
from newsspider.state.access import state_for

logger = logging.getLogger(__name__)
PREFIX = "newsspider/distributed"
#: Keys of a run kept alive (EXPIRE) by its workers; an abandoned run's expire after RUN_TTL.
_RUN_KEYS = (
    "requests", "dupefilter", "claims", "validators", "seeded", "seeded_done", "names",
    "workers", "created", "failed", "dirty", "counter",
)  # fmt: skip


class _Run:
    """This worker's view of its run: names, Redis client, scripts."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.prefix = settings.get("NEWSSPIDER_REDIS_PREFIX") or "newsspider"
        self.worker: str = settings["NEWSSPIDER_WORKER"]
        self.keys = compat.run_keys(crawler)
        self.client = redis.Redis.from_url(settings["NEWSSPIDER_REDIS_URL"], decode_responses=True)
        self.worker_ttl = settings.getint("NEWSSPIDER_REDIS_WORKER_TTL")
        self.run_ttl = settings.getint("NEWSSPIDER_REDIS_RUN_TTL")
        self.alive_base = alive_key(self.prefix, self.keys.run_id)
        self.scripts = {
            name: self.client.register_script(getattr(scripts, name))
            for name in ("REAP", "STATUS", "SEED", "CLAIM", "LEAVE")
        }

    def call(self, name: str, *args: str | int) -> Any:
        return self.scripts[name](args=[self.keys.base, self.alive_base, *args])

    @property
    def alive(self) -> str:
        return self.keys.alive(self.worker)


def _run(crawler: Crawler) -> _Run:
    run: _Run | None = getattr(crawler, "_newsspider_distributed_run", None)
    if run is None:
        run = _Run(crawler)
        crawler._newsspider_distributed_run = run  # type: ignore[attr-defined]
    return run


class SeedOnceMiddleware:
    """Spider middleware (engine side of every other): start requests from one worker only."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run = _run(crawler)
        self.poll = crawler.settings.getfloat("NEWSSPIDER_REDIS_HEARTBEAT_SECONDS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not distributed(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        run = self.run
        while True:
            verdict = int(run.scripts["SEED"](args=[run.keys.base, run.alive_base, run.worker]))
            if verdict == 0:
                logger.info("Joined run %s as worker %s", run.keys.run_id, run.worker)
                return
            if verdict == 1:
                break
            await sleep(self.poll)
        logger.info("Seeding run %s as worker %s", run.keys.run_id, run.worker)
        seeded = 0
        async for element in start:
            seeded += 1
            yield element
        run.client.set(run.keys.key("seeded_done"), run.worker, ex=run.run_ttl)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(f"{PREFIX}/seeded", seeded)


class RunClaimsPipeline:
    """After ``ChangedOnlyPipeline``: drop an article another live worker exported this run."""

    def __init__(self, crawler: Crawler) -> None:
        self.run = _run(crawler)
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not distributed(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        holder = self.run.call("CLAIM", self.run.worker, item.id)
        if holder:
            self.stats.inc_value("newsspider/incremental/duplicates_in_run")
            raise UnchangedArticle(f"{item.id} was exported by worker {holder} in this run")
        return item


class DistributedRun:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.run = _run(crawler)
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.data_dir = Path(settings["NEWSSPIDER_DATA_DIR"])
        self.heartbeat = settings.getfloat("NEWSSPIDER_REDIS_HEARTBEAT_SECONDS")
        self.ack_interval = max(self.heartbeat, settings.getfloat("NEWSSPIDER_CHECKPOINT_SECONDS"))
        self._timer: task.LoopingCall | None = None
        self._last_ack = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not distributed(crawler.settings):
            raise NotConfigured("NEWSSPIDER_REDIS_URL is not set")
        extension = cls(crawler)
        connect = crawler.signals.connect
        connect(extension.spider_opened, signal=signals.spider_opened)
        connect(extension.spider_idle, signal=signals.spider_idle)
        connect(extension.spider_closed, signal=signals.spider_closed)
        connect(extension.article_failed, signal=article_failed)
        # After StateRecorder.close (its final checkpoint): acknowledge, leave the run.
        connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    # -- the pieces ----------------------------------------------------------------------------

    def _queue(self) -> compat.RedisPriorityQueue | None:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if isinstance(scheduler, compat.RedisScheduler):
            return scheduler.queue
        return None

    def _checkpoint(self) -> None:
        recorder = self.crawler.get_extension(StateRecorder)
        if recorder is not None:
            recorder.checkpoint()

    def acknowledge(self) -> int:
        """Requests finished by the engine leave the in-flight hash, once the state recorded
        their articles (an article in the feed only is replayed from it, not fetched again)."""
        queue = self._queue()
        if queue is None or not queue.popped:
            return 0
        in_progress = compat.requests_in_progress(self.crawler)
        tokens = list(queue.popped) if in_progress is None else queue.finished(in_progress)
        if not tokens:
            return 0
        self._checkpoint()
        queue.ack(tokens)
        self._last_ack = time.monotonic()
        return len(tokens)

    def beat(self) -> None:
        run = self.run
        pipe = run.client.pipeline()
        pipe.set(run.alive, "1", ex=run.worker_ttl)
        pipe.sismember(run.keys.key("workers"), run.worker)
        # Every beat, not every minute: a key made since the last one (the queue, the filter,
        # the claims) would outlive a worker killed before the next with no expiry at all.
        for name in _RUN_KEYS:
            pipe.expire(run.keys.key(name), run.run_ttl)
        pipe.expire(run.keys.inflight(run.worker), run.run_ttl)
        pipe.expire(current_run_key(run.prefix, run.keys.spider), run.run_ttl)
        answers = pipe.execute()
        if not answers[1]:
            # Silent longer than NEWSSPIDER_REDIS_WORKER_TTL: the others took this worker's
            # requests. Its later pops must count again for the run's end.
            logger.warning(
                "Worker %s missed its heartbeat and was taken for dead; joining again",
                run.worker,
            )
            run.client.sadd(run.keys.key("workers"), run.worker)

    def reap(self) -> None:
        """Requests in flight at dead workers go back to the queue; first their feed (if in
        this data directory) is replayed into the state, so that none is exported twice."""
        run = self.run
        workers = cast(set[str], run.client.smembers(run.keys.key("workers")))
        dead = [
            w for w in sorted(workers - {run.worker}) if not run.client.exists(run.keys.alive(w))
        ]
        if not dead:
            return
        state = state_for(self.crawler)
        writer = self.crawler.get_extension(JekyllPostsWriter)
        recovered = recover(state, self.data_dir, writer.rewrite if writer else None)
        if recovered:
            self.stats.inc_value("newsspider/recovery/articles", len(recovered))
            self.crawler.signals.send_catch_log(articles_recovered, ids=recovered)
        answer = run.call("REAP", run.worker)
        for worker, count in zip(answer[::2], answer[1::2], strict=True):
            self.stats.inc_value(f"{PREFIX}/workers_reaped")
            self.stats.inc_value(f"{PREFIX}/requests_requeued", int(count))
            logger.warning(
                "Worker %s of run %s stopped without leaving: %d requests back in the queue",
                worker,
                run.keys.run_id,
                int(count),
            )

    def status(self) -> tuple[int, int, bool]:
        queued, inflight, seeded = self.run.call("STATUS")
        return int(queued), int(inflight), bool(seeded)

    # -- signals -------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.stats.set_value(f"{PREFIX}/run", self.run.keys.run_id)
        self.stats.set_value(f"{PREFIX}/worker", self.run.worker)
        logger.info(
            "Worker %s of run %s (outputs named %s)",
            self.run.worker,
            self.run.keys.run_id,
            run_id_for(self.crawler),
        )
        self._timer = task.LoopingCall(self.tick)
        self._timer.start(self.heartbeat, now=True)

    def tick(self) -> None:
        try:
            self.beat()
            if time.monotonic() - self._last_ack >= self.ack_interval:
                self.acknowledge()
            self.reap()
        except redis.RedisError as error:
            logger.warning("Redis: %s (retrying in %.1fs)", error, self.heartbeat)
            return
        # New requests from the others, or the run's end: the engine asks again now.
        compat.wake(self.crawler)

    def spider_idle(self, spider: Spider) -> None:
        self.acknowledge()
        self.reap()
        queued, inflight, seeded = self.status()
        if queued or inflight or not seeded:
            raise DontCloseSpider
        logger.info("Run %s: nothing queued or in flight at any worker", self.run.keys.run_id)

    def article_failed(self, **_: Any) -> None:
        self.run.client.incr(self.run.keys.key("failed"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if reason != "finished":
            # The run's validators are not committed: a listing may hide posts not archived.
            self.run.client.set(self.run.keys.key("dirty"), self.run.worker, ex=self.run.run_ttl)

    def engine_stopped(self) -> None:
        run = self.run
        queue = self._queue()
        if queue is not None:  # everything finished and (StateRecorder.close) recorded
            queue.ack(list(queue.popped))
        answer = str(
            run.scripts["LEAVE"](
                args=[
                    run.keys.base,
                    run.alive,
                    run.worker,
                    run.prefix,
                    run.keys.spider,
                    run.keys.run_id,
                    f"{run.prefix}:state:validators",
                    run.run_ttl,
                ]
            )
        )
        if answer.startswith("finalized:"):
            _, verdict, saved = answer.split(":")
            logger.info(
                "Run %s finished (last worker out: %s); validators of %s pages %s",
                run.keys.run_id,
                run.worker,
                saved,
                "saved"
                if verdict == "clean"
                else "not saved (a request failed or a worker ended early)",
            )
        elif answer == "unfinished":
            logger.info(
                "Run %s left unfinished by its last worker: workers started later resume it",
                run.keys.run_id,
            )
        else:  # "others": workers still in the run (a killed one's heartbeat may linger)
            logger.info(
                "Worker %s left run %s to its other workers (a worker started once they are"
                " all gone starts a new run)",
                run.worker,
                run.keys.run_id,
            )
        run.client.close()


__all__ = ["DistributedRun", "RunClaimsPipeline", "RunKeys", "SeedOnceMiddleware"]
