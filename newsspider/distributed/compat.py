"""The adapter between scrapy-redis 0.9.1 and Scrapy 2.19: subclasses, nothing patched.

scrapy-redis is tested upstream up to Scrapy 2.11. On Scrapy 2.19 (tested here with
scrapy-redis 0.9.1 and redis-py 8.1, Redis 7.0), as it comes:

1. ``Scheduler.from_settings`` builds a dupefilter without ``from_spider`` through
   ``DUPEFILTER_CLASS.from_settings(settings)``, which Scrapy's own filters no longer have:
   the crawl does not start (``AttributeError: … has no attribute 'from_settings'``) unless
   ``DUPEFILTER_CLASS`` is scrapy-redis's. → :class:`RedisScheduler` builds its filter from
   the crawler.
2. ``Scheduler`` counts ``scheduler/enqueued/redis`` with ``stats.inc_value(…, spider=…)``:
   a ``ScrapyDeprecationWarning`` per request on 2.19 (the argument is going away); its
   ``open()`` logs through ``Spider.log()``, deprecated too; it never calls the filter's
   ``open()``/``close(reason)`` (Scrapy's ``BaseDupeFilter`` interface). → counted without
   ``spider``, ``open`` rewritten, the filter opened and closed. (Scrapy's own
   ``scheduler/enqueued`` and ``…/dequeued`` stay uncounted, as in scrapy-redis: one worker
   dequeues what others enqueued, so their difference, the single process's "queued", would
   mean nothing.)
3. ``RFPDupeFilter.request_fingerprint`` is its own SHA1 of method, canonical URL and body,
   ignoring the crawler's ``REQUEST_FINGERPRINTER_CLASS`` (Scrapy removed the function
   ``scrapy.utils.request.request_fingerprint`` that older scrapy-redis used and made the
   fingerprinter a crawler component). ``from_crawler``/``from_settings`` give each process
   its own key (``dupefilter:<timestamp>``), and ``close()`` deletes the fingerprints, so
   with Scrapy's scheduler (which calls it) the first worker to finish empties the set of
   the others. ``log()`` does not count ``dupefilter/filtered``. → :class:`RedisDupeFilter`
   fingerprints with ``crawler.request_fingerprinter``, uses the run's key, keeps the set on
   close (the run's last worker deletes it) and counts what it filters.
4. ``PriorityQueue.pop`` removes a request from Redis as it hands it out: a worker killed
   with requests downloading loses them, and the shared filter keeps anyone from asking them
   again. → :class:`RedisPriorityQueue` moves a request atomically (Lua) into the worker's
   in-flight hash; the coordinator acknowledges it once its outputs are checkpointed, or puts
   it back in the queue when the worker's heartbeat stops.
5. With ``SCHEDULER_PERSIST = False`` (its default) a worker's ``close`` flushes the queue and
   filter shared with the others, and with ``True`` the filter outlives the run, so the next
   run would filter every listing page. → keys are per run (``RunKeys``), the scheduler
   never flushes, and the run's last worker deletes them.
6. Scrapy 2.13 replaced ``start_requests()`` by the asynchronous ``start()``, which every
   worker's engine calls: scrapy-redis's answer, ``RedisSpider`` reading start URLs from a
   Redis list, needs the spiders changed. → seeding is a spider middleware instead
   (:class:`newsspider.distributed.coordinator.SeedOnceMiddleware`).

Two engine internals are read here and nowhere else (:func:`requests_in_progress`,
:func:`wake`); Scrapy has no public API for "this request is done" or "poll the scheduler
now", and the tests fail loudly if a Scrapy upgrade moves them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Self, cast

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy_redis import connection as _connection
from scrapy_redis import dupefilter as _dupefilter
from scrapy_redis import queue as _queue
from scrapy_redis import scheduler as _scheduler

from newsspider.distributed import scripts
from newsspider.distributed.keys import RunKeys

logger = logging.getLogger(__name__)


def run_keys(crawler: Crawler) -> RunKeys:
    settings = crawler.settings
    return RunKeys(
        settings.get("NEWSSPIDER_REDIS_PREFIX") or "newsspider",
        crawler.spidercls.name,
        settings["NEWSSPIDER_RUN_ID"],
    )


class RedisDupeFilter(_dupefilter.RFPDupeFilter):  # type: ignore[misc]
    """The run's shared fingerprint set, with the crawler's request fingerprinter."""

    def __init__(
        self,
        server: Any,
        key: str,
        debug: bool = False,
        *,
        fingerprinter: Any = None,
        stats: StatsCollector | None = None,
    ) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            _connection.get_redis_from_settings(crawler.settings),
            key=run_keys(crawler).dupefilter,
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
            stats=crawler.stats,
        )

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        if self.fingerprinter is None:
            return cast(str, super().request_fingerprint(request))
        return cast(bytes, self.fingerprinter.fingerprint(request)).hex()

    def open(self) -> None:
        """Nothing to open: the set lives in Redis."""

    def close(self, reason: str = "") -> None:
        """Kept: the other workers of the run still use it (the run's end deletes it)."""

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")


class RedisPriorityQueue(_queue.PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue; a popped request stays in this worker's in-flight hash
    until :meth:`ack` (or until the worker dies and the others put it back)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        keys = run_keys(spider.crawler)
        self.inflight_key = keys.inflight(spider.crawler.settings["NEWSSPIDER_WORKER"])
        self.counter_key = keys.key("counter")
        self._pop = server.register_script(scripts.POP)
        #: token → request handed to the engine and not acknowledged yet
        self.popped: dict[str, Request] = {}

    def pop(self, timeout: int = 0) -> Request | None:
        answer = self._pop(keys=[self.key, self.inflight_key, self.counter_key])
        if not answer:
            return None
        token, data = answer
        request = cast(Request, self._decode_request(data))
        self.popped[token.decode() if isinstance(token, bytes) else str(token)] = request
        return request

    def finished(self, in_progress: set[Request]) -> list[str]:
        """Tokens of the popped requests the engine is done with."""
        return [token for token, request in self.popped.items() if request not in in_progress]

    def ack(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if tokens:
            self.server.hdel(self.inflight_key, *tokens)
            for token in tokens:
                self.popped.pop(token, None)


class RedisScheduler(_scheduler.Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, built from the crawler, on the run's keys, never flushing."""

    queue: RedisPriorityQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        server = _connection.get_redis_from_settings(settings)
        server.ping()
        keys = run_keys(crawler)
        scheduler = cls(
            server=server,
            persist=True,
            flush_on_start=False,
            queue_key=keys.queue,
            queue_cls=f"{RedisPriorityQueue.__module__}.{RedisPriorityQueue.__qualname__}",
            dupefilter=RedisDupeFilter.from_crawler(crawler),
            dupefilter_key=keys.dupefilter,
            idle_before_close=0,
            serializer=None,  # scrapy-redis's pickle: the queue is as trusted as the code
        )
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        # Not super().open(): it logs through Spider.log(), deprecated in Scrapy 2.19.
        self.spider = spider
        self.queue = RedisPriorityQueue(self.server, spider, self.queue_key, self.serializer)
        if len(self.queue):
            logger.info("Run queue holds %d requests", len(self.queue))
        self.df.open()

    def close(self, reason: str) -> None:
        """Never flush: the queue and filter belong to the run, not to this worker."""
        self.df.close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0


# -- the two engine internals --------------------------------------------------------------


def _engine_slot(crawler: Crawler) -> Any:
    engine = crawler.engine
    if engine is None:
        return None
    if not hasattr(engine, "_slot"):
        raise RuntimeError(
            "Scrapy's ExecutionEngine has no _slot any more: adapt newsspider.distributed.compat"
        )
    return engine._slot


def requests_in_progress(crawler: Crawler) -> set[Request] | None:
    """Requests the engine has taken from the scheduler and not finished (downloaded and
    scraped, items through the pipelines and exporters); ``None`` once the engine closed."""
    slot = _engine_slot(crawler)
    return None if slot is None else cast(set[Request], slot.inprogress)


def wake(crawler: Crawler) -> None:
    """Make the engine ask the scheduler now rather than at its next 5 s heartbeat."""
    slot = _engine_slot(crawler)
    if slot is not None and slot.closing is None:
        slot.nextcall.schedule()
