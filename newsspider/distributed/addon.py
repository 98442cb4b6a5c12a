"""The Scrapy add-on (``ADDONS``) that turns a crawl into a worker of a distributed run.

It does nothing unless ``NEWSSPIDER_REDIS_URL`` is set. Then, before the crawl starts, it
joins a run in Redis: ``NEWSSPIDER_RUN_ID`` when given, else the spider's current run (one
that a worker started and that has not finished), else a new one named by the UTC time; the
worker's name (``NEWSSPIDER_WORKER``, default ``<hostname>-<pid>``) gets ``.2``, ``.3``, … when
the run already had a worker of that name. Both end up in the settings, and so in the outputs'
names (``newsspider.runs.run_id_for``: ``<run id>-<worker>``).

Settings it sets, at the project's priority (``-s`` still overrides them): ``SCHEDULER``,
``DUPEFILTER_CLASS``, ``SCHEDULER_QUEUE_CLASS`` (:mod:`newsspider.distributed.compat`),
``SCHEDULER_QUEUE_KEY``, ``SCHEDULER_DUPEFILTER_KEY`` (the run's keys), ``SCHEDULER_PERSIST``
(true: the run's last worker deletes them), ``SCHEDULER_FLUSH_ON_START``,
``SCHEDULER_IDLE_BEFORE_CLOSE`` (0: never block the reactor), ``REDIS_URL``,
``NEWSSPIDER_STATE_BACKEND`` (``newsspider.state.redis.from_crawler``),
``NEWSSPIDER_LISTINGS_AT_ONCE`` (0: no category page waits in one worker); and it adds the
coordinator's extension, spider middleware and item pipeline.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.settings import Settings

from newsspider.distributed.keys import RunKeys, check_name, distributed, worker_name

#: Spider middleware order of the seeding gate: nearer the engine than every other one, so it
#: gates what they add to the start requests too (SkipKnownPostsMiddleware's categories).
SEED_ORDER = 10
#: After ChangedOnlyPipeline (400).
CLAIMS_ORDER = 410
#: After StateRecorder (510) and RunReport (520): its engine_stopped handler runs last.
EXTENSION_ORDER = 530


class RedisAddon:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        if not distributed(settings):
            return
        import redis

        from newsspider.distributed import compat, coordinator, scripts

        url = settings["NEWSSPIDER_REDIS_URL"]
        prefix = check_name("NEWSSPIDER_REDIS_PREFIX", settings.get("NEWSSPIDER_REDIS_PREFIX"))
        explicit = settings.get("NEWSSPIDER_RUN_ID") or ""
        if explicit:
            check_name("NEWSSPIDER_RUN_ID", explicit)
        spider = self.crawler.spidercls.name
        client = redis.Redis.from_url(url, decode_responses=True)
        try:
            join = client.register_script(scripts.JOIN)
            run_id, worker = _join(
                join,
                prefix,
                spider,
                explicit,
                worker_name(settings),
                # Until its first heartbeat (the spider opened): start-up takes seconds.
                max(2 * settings.getint("NEWSSPIDER_REDIS_WORKER_TTL"), 60),
                settings.getint("NEWSSPIDER_REDIS_RUN_TTL"),
            )
        finally:
            client.close()
        settings.set("NEWSSPIDER_RUN_ID", run_id, priority="cmdline")
        settings.set("NEWSSPIDER_WORKER", worker, priority="cmdline")
        keys = RunKeys(prefix, spider, run_id)
        component = f"{compat.__name__}.%s"
        for name, value in {
            "SCHEDULER": component % "RedisScheduler",
            "DUPEFILTER_CLASS": component % "RedisDupeFilter",
            "SCHEDULER_QUEUE_CLASS": component % "RedisPriorityQueue",
            "SCHEDULER_QUEUE_KEY": keys.queue,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_FLUSH_ON_START": False,
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
            "REDIS_URL": url,
            "NEWSSPIDER_STATE_BACKEND": "newsspider.state.redis.from_crawler",
            # Category pages waiting in one worker's listing gate would be lost with that
            # worker: in a shared run they all go to the shared queue at once.
            "NEWSSPIDER_LISTINGS_AT_ONCE": 0,
        }.items():
            settings.set(name, value, priority="project")
        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", coordinator.SeedOnceMiddleware, SEED_ORDER
        )
        settings.set_in_component_priority_dict(
            "ITEM_PIPELINES", coordinator.RunClaimsPipeline, CLAIMS_ORDER
        )
        settings.set_in_component_priority_dict(
            "EXTENSIONS", coordinator.DistributedRun, EXTENSION_ORDER
        )


def _join(
    join: Any, prefix: str, spider: str, explicit: str, base: str, worker_ttl: int, run_ttl: int
) -> tuple[str, str]:
    for _ in range(5):
        candidate = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        run_id, worker = join(args=[prefix, spider, explicit, candidate, base, worker_ttl, run_ttl])
        if run_id == "done":
            raise ValueError(
                f"NEWSSPIDER_RUN_ID={worker!r} has finished: give a new run id (or none)"
            )
        if run_id != "retry":
            return str(run_id), str(worker)
        time.sleep(1.0)  # a run was started this second: the next second's id is free
    raise RuntimeError("could not start a distributed run (run ids taken)")
