"""Scrapy's scheduler with its pending requests on disk even when there is no JOBDIR.

A category page lists every post of its category, and Scrapy queues all of them at once: in
memory that is ~1 KB per request, so a run's memory grew with the size of the site (measured:
+50 MB between 2,000 and 20,000 posts, bench/README.md). Scrapy's own disk queue, which it
only uses with a JOBDIR, keeps them in a file instead. Without a JOBDIR this scheduler gives it
a private folder for the run (``state/queue-<pid>`` in the data directory, removed at close;
one left by a killed run is removed by the next). With a JOBDIR, Scrapy's persistent queue is
used unchanged, so a killed run still resumes from it.

Requests that cannot be pickled (a share request carries its article in ``meta``) stay in the
memory queue, as Scrapy does with a JOBDIR (stat ``scheduler/unserializable``).

:class:`PickleLifoDiskQueue` is Scrapy's, except for where it names callbacks:
``Request.to_dict`` finds a callback's name with ``inspect.getmembers`` over the spider, which
reads every attribute of it (0.16 ms per request). The queue shows it only the request's own
callback and errback, found by their names (:class:`RequestMethods`); a callback that is not
the spider's method of its own name is looked up among all the spider's methods
(:class:`SpiderMethods`), as it always was.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from types import FunctionType
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue
from twisted.internet.defer import Deferred

from newsspider.processes import is_running
from newsspider.stopping import stop_run

logger = logging.getLogger(__name__)

QUEUE_PREFIX = "queue-"


QUEUE_FAILED = "queue_failed"  # the reason a run stops when its disk queue cannot be read


class SpillingScheduler(Scheduler):
    """Also: a disk queue the file system fails (a full disk) never hangs the run. A request
    it cannot store stays in memory; one it cannot give back stops the run (the queue is
    then unreadable), with the reason ``queue_failed``, so the run fails at once and saves
    no validators instead of asking for the same request every few seconds."""

    run_queue_dir: Path | None = None
    store_failed = False  # new requests stay in memory; those on disk are still read
    read_failed = False  # the disk queue is not used again

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        if scheduler.dqdir is None and crawler.settings.getbool("NEWSSPIDER_DISK_QUEUE"):
            state_dir = Path(crawler.settings["NEWSSPIDER_DATA_DIR"]) / "state"
            scheduler.run_queue_dir = make_run_queue_dir(state_dir)
            scheduler.dqdir = str(scheduler.run_queue_dir)
        return scheduler

    def _dqpush(self, request: Request) -> bool:
        if self.store_failed or self.read_failed:
            return False
        try:
            return super()._dqpush(request)
        except OSError as error:
            self.store_failed = True
            self._report(error, "store", "New requests wait in memory.")
            return False  # Scrapy keeps it in the memory queue

    def _dqpop(self) -> Request | None:
        if self.read_failed:
            return None
        try:
            return super()._dqpop()
        except OSError as error:
            self.read_failed = True
            self._report(error, "read", "The run stops: the requests it holds cannot be read.")
            stop_run(self.crawler, QUEUE_FAILED)
            return None

    def _report(self, error: OSError, action: str, consequence: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"scheduler/disk_failed/{action}")
        logger.error(
            "The request queue on disk (%s) could not %s a request: %s. %s",
            self.dqdir,
            action,
            error,
            consequence,
        )

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        if self.run_queue_dir is not None:
            # Nothing to resume without a JOBDIR: what is left in the queue is dropped.
            shutil.rmtree(self.run_queue_dir, ignore_errors=True)
        return result


def make_run_queue_dir(state_dir: Path) -> Path:
    """A fresh ``queue-<pid>`` folder, after removing those of processes that are gone."""
    state_dir.mkdir(parents=True, exist_ok=True)
    for folder in state_dir.glob(QUEUE_PREFIX + "*"):
        pid = folder.name.removeprefix(QUEUE_PREFIX)
        if pid.isdigit() and not is_running(int(pid)):
            logger.info("Removing the request queue of a run that ended: %s", folder)
            shutil.rmtree(folder, ignore_errors=True)
    folder = state_dir / f"{QUEUE_PREFIX}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)  # a reused pid: that queue is stale too
    folder.mkdir()
    return folder


class SpiderMethods:
    """The spider's methods and nothing else: what ``Request.to_dict`` and
    ``request_from_dict`` look callbacks up in. Looked up on the spider when asked for, so a
    callback rebound on it later (a profiler's timed callback) is the one found."""

    def __init__(self, spider: Spider) -> None:
        self._spider = spider
        self._names = sorted(
            {
                name
                for klass in type(spider).__mro__
                for name, attribute in vars(klass).items()
                if isinstance(attribute, FunctionType) and not name.startswith("__")
            }
        )
        self._known = frozenset(self._names)

    def __dir__(self) -> list[str]:
        return self._names

    def method(self, name: str) -> Any:
        """The spider's method ``name``, or None when it has none of that name."""
        return getattr(self._spider, name) if name in self._known else None

    def __getattr__(self, name: str) -> Any:
        if name not in self._known:
            raise AttributeError(f"{type(self._spider).__name__} has no method {name!r}")
        return getattr(self._spider, name)


class RequestMethods:
    """A request's callback and errback under the names they have on the spider, or None
    when either is not the spider's method of its own name."""

    def __init__(self, methods: dict[str, Any]) -> None:
        self._methods = methods

    @classmethod
    def of(cls, request: Request, spider: SpiderMethods) -> RequestMethods | None:
        methods: dict[str, Any] = {}
        for function in (request.callback, request.errback):
            if not callable(function):
                continue  # Request.to_dict looks up callables only
            name = getattr(function, "__name__", "")
            method = spider.method(name)
            if getattr(method, "__func__", None) is not getattr(function, "__func__", function):
                return None
            methods[name] = method
        return cls(methods)

    def __dir__(self) -> list[str]:
        return list(self._methods)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._methods[name]
        except KeyError:
            raise AttributeError(name) from None


class PickleLifoDiskQueue(ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        assert crawler.spider is not None
        self.spider: Any = SpiderMethods(crawler.spider)

    def push(self, request: Request) -> None:
        methods: Any = RequestMethods.of(request, self.spider) or self.spider
        # Scrapy's push (``to_dict``, then its pickling queue's push), callbacks looked up
        # among ``methods``.
        queue: Any = super(ScrapyPickleLifoDiskQueue, self)
        queue.push(request.to_dict(spider=methods))
