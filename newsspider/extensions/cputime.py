"""CPU time spent on each article inside the crawl process (for the benchmark, ``bench/``).

Enabled only with ``NEWSSPIDER_CPU_PROFILE=True`` (and the extension listed in
``EXTENSIONS``). At ``spider_opened`` it wraps, measuring ``time.thread_time_ns()`` (CPU
time of the reactor thread, where Scrapy runs callbacks, pipelines and signal handlers;
waiting for the network is not CPU time and is not counted):

- the spider's ``parse*`` callbacks (``NEWSSPIDER_CPU_PROFILE_CALLBACKS`` to name others):
  a generator callback is timed step by step, so the work Scrapy and the pipelines do with
  each yielded item or request is not charged to the callback;
- every item pipeline's ``process_item`` (in the pipeline manager, in order);
- every receiver of ``item_scraped`` (the outputs: the JSON Lines feed exporter, the Jekyll
  posts writer, plus the run's bookkeeping receivers), and, reported apart because they run
  *inside* the posts writer, the receivers of ``post_written`` (the crawl-state recorder).

At ``spider_closed`` the figures go to the crawl stats under ``newsspider/cpu/``
(milliseconds, with call counts):

- ``…/callback/<name>/ms``, ``…/pipeline/<Class>/ms``, ``…/output/<Class.method>/ms``,
  ``…/post_written/<Class.method>/ms`` (included in the posts writer's figure);
- ``…/articles``: items that reached ``item_scraped``;
- ``…/parse_ms`` (the post callback, ``NEWSSPIDER_CPU_PROFILE_POST_CALLBACK``),
  ``…/pipelines_ms``, ``…/outputs_ms``, their sum ``…/processing_ms`` and
  ``…/processing_ms_per_article``;
- ``…/process_ms``: CPU time of the whole process (all threads) at the end, for scale.

Only synchronous work is measured: a pipeline or receiver that returns a coroutine or a
Deferred is timed up to that return (counted in ``…/async_results``). Work such a pipeline
measures itself is added from the stats it leaves at its close, as named in
``NEWSSPIDER_CPU_PROFILE_OFFLOADED`` (account name → stats key, in ms): by default the body
cleaner's worker process and the crawl process's side of it (``…/pipeline/<name>/ms``).
"""

from __future__ import annotations

import inspect
import logging
import time
import types
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newsspider.pipelines.body import WORKER_CPU_MS, WORKER_CRAWL_CPU_MS
from newsspider.signals import post_written

logger = logging.getLogger(__name__)
PREFIX = "newsspider/cpu"
OFFLOADED = {
    "BodyCleaningPipeline.worker_process": WORKER_CPU_MS,
    "BodyCleaningPipeline.crawl_process": WORKER_CRAWL_CPU_MS,
}
clock = time.thread_time_ns


@dataclass(slots=True)
class Account:
    """CPU nanoseconds and calls charged to one component."""

    ns: int = 0
    calls: int = 0

    @property
    def ms(self) -> float:
        return self.ns / 1e6


def _timed_iterator(iterator: Iterator[Any], account: Account) -> Iterator[Any]:
    while True:
        start = clock()
        try:
            value = next(iterator)
        except StopIteration:
            return
        finally:
            account.ns += clock() - start
        yield value


async def _timed_async_iterator(
    iterator: AsyncIterator[Any], account: Account
) -> AsyncIterator[Any]:
    # Best effort: a step that really awaits I/O would charge what runs meanwhile.
    while True:
        start = clock()
        try:
            value = await iterator.__anext__()
        except StopAsyncIteration:
            return
        finally:
            account.ns += clock() - start
        yield value


def _component_name(function: Callable[..., Any]) -> str:
    owner = getattr(function, "__self__", None)
    name = getattr(function, "__name__", type(function).__name__)
    return f"{type(owner).__name__}.{name}" if owner is not None else name


class CpuTimeProfile:
    def __init__(
        self,
        crawler: Crawler,
        callbacks: list[str],
        post_callback: str,
        offloaded: dict[str, str] | None = None,
    ) -> None:
        self.crawler = crawler
        self.offloaded = OFFLOADED if offloaded is None else offloaded
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.callback_names = callbacks
        self.post_callback = post_callback
        self.callbacks: dict[str, Account] = {}
        self.pipelines: dict[str, Account] = {}
        self.outputs: dict[str, Account] = {}
        self.nested: dict[str, Account] = {}
        self.articles = 0
        self.async_results = 0
        self._receivers: list[Callable[..., Any]] = []  # strong references to the wrappers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSSPIDER_CPU_PROFILE"):
            raise NotConfigured("NEWSSPIDER_CPU_PROFILE is off")
        profile = cls(
            crawler,
            callbacks=settings.getlist("NEWSSPIDER_CPU_PROFILE_CALLBACKS"),
            post_callback=settings.get("NEWSSPIDER_CPU_PROFILE_POST_CALLBACK") or "parse_post",
            offloaded=settings.getdict("NEWSSPIDER_CPU_PROFILE_OFFLOADED", OFFLOADED),
        )
        crawler.signals.connect(profile.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(profile.spider_closed, signal=signals.spider_closed)
        return profile

    # -- wrapping ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self._wrap_callbacks(spider)
        self._wrap_pipelines()
        self._wrap_receivers(signals.item_scraped, self.outputs, count_articles=True)
        self._wrap_receivers(post_written, self.nested)

    def _wrap_callbacks(self, spider: Spider) -> None:
        names = self.callback_names or [
            name
            for name, _ in inspect.getmembers(type(spider), inspect.isfunction)
            if name.startswith("parse")
        ]
        for name in names:
            original = getattr(spider, name, None)
            if original is None or not callable(original):
                continue
            account = self.callbacks.setdefault(name, Account())

            def timed(
                _spider: Spider,
                *args: Any,
                _original: Callable[..., Any] = original,
                _account: Account = account,
                **kwargs: Any,
            ) -> Any:
                _account.calls += 1
                start = clock()
                try:
                    result = _original(*args, **kwargs)
                finally:
                    _account.ns += clock() - start
                if isinstance(result, Iterator):
                    return _timed_iterator(result, _account)
                if isinstance(result, AsyncIterator):
                    return _timed_async_iterator(result, _account)
                return result

            # Bound to the spider under the same name, and named so, so a request's callback
            # still serialises by name (JOBDIR), found at once (newsspider/scheduler.py).
            timed.__name__ = timed.__qualname__ = name
            setattr(spider, name, types.MethodType(timed, spider))

    def _wrap_pipelines(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.scraper is None:
            return
        manager: Any = engine.scraper.itemproc
        methods = manager.methods.get("process_item")
        if not methods:
            return
        requiring_spider: set[Any] = getattr(manager, "_mw_methods_requiring_spider", set())
        wrapped = []
        for method in methods:
            name = type(getattr(method, "__self__", method)).__name__
            account = self.pipelines.setdefault(name, Account())
            timed = self._timed(method, account)
            if method in requiring_spider:
                requiring_spider.add(timed)
            wrapped.append(timed)
        methods.clear()
        methods.extend(wrapped)

    def _timed(self, function: Callable[..., Any], account: Account) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            account.calls += 1
            start = clock()
            try:
                result = function(*args, **kwargs)
            finally:
                account.ns += clock() - start
            if inspect.isawaitable(result):
                self.async_results += 1
            return result

        return timed

    def _wrap_receivers(
        self, signal: object, accounts: dict[str, Account], *, count_articles: bool = False
    ) -> None:
        from pydispatch import dispatcher
        from pydispatch.robustapply import robustApply

        sender = self.crawler.signals.sender
        receivers = list(dispatcher.liveReceivers(dispatcher.getReceivers(sender, signal)))
        for receiver in receivers:
            self.crawler.signals.disconnect(receiver, signal=signal)
        if count_articles:
            self._connect(signal, self._count_article)
        for receiver in receivers:
            account = accounts.setdefault(_component_name(receiver), Account())

            def timed(
                *args: Any,
                _receiver: Callable[..., Any] = receiver,
                _account: Account = account,
                **named: Any,
            ) -> Any:
                _account.calls += 1
                start = clock()
                try:
                    result = robustApply(_receiver, *args, **named)
                finally:
                    _account.ns += clock() - start
                if inspect.isawaitable(result):
                    self.async_results += 1
                return result

            self._connect(signal, timed)

    def _connect(self, signal: object, receiver: Callable[..., Any]) -> None:
        self._receivers.append(receiver)
        self.crawler.signals.connect(receiver, signal=signal)

    def _count_article(self, **_: Any) -> None:
        self.articles += 1

    # -- the figures -------------------------------------------------------------------------

    def spider_closed(self, spider: Spider) -> None:
        def put(key: str, value: float) -> None:
            self.stats.set_value(f"{PREFIX}/{key}", round(value, 3))

        for name, key in self.offloaded.items():
            offloaded_ms = self.stats.get_value(key)
            if offloaded_ms:
                self.pipelines[name] = Account(ns=round(float(offloaded_ms) * 1e6))
        groups = (
            ("callback", self.callbacks),
            ("pipeline", self.pipelines),
            ("output", self.outputs),
            ("post_written", self.nested),
        )
        for group, accounts in groups:
            for name, account in accounts.items():
                put(f"{group}/{name}/ms", account.ms)
                self.stats.set_value(f"{PREFIX}/{group}/{name}/calls", account.calls)
        post = self.callbacks.get(self.post_callback, Account())
        parse_ms = post.ms
        pipelines_ms = sum(account.ms for account in self.pipelines.values())
        outputs_ms = sum(account.ms for account in self.outputs.values())
        processing_ms = parse_ms + pipelines_ms + outputs_ms
        self.stats.set_value(f"{PREFIX}/clock", "thread_time")
        self.stats.set_value(f"{PREFIX}/articles", self.articles)
        self.stats.set_value(f"{PREFIX}/post_pages", post.calls)
        self.stats.set_value(f"{PREFIX}/async_results", self.async_results)
        put("parse_ms", parse_ms)
        put("pipelines_ms", pipelines_ms)
        put("outputs_ms", outputs_ms)
        put("processing_ms", processing_ms)
        if self.articles:
            put("processing_ms_per_article", processing_ms / self.articles)
        put("process_ms", time.process_time_ns() / 1e6)
        logger.info(
            "CPU: %.1f ms per article over %d articles (parse %.0f ms, pipelines %.0f ms,"
            " outputs %.0f ms)",
            processing_ms / self.articles if self.articles else 0.0,
            self.articles,
            parse_ms,
            pipelines_ms,
            outputs_ms,
        )
