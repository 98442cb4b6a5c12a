"""One crawl across many worker processes and machines, on Redis (``NEWSSPIDER_REDIS_URL``).

With ``NEWSSPIDER_REDIS_URL`` set, the add-on :class:`~newsspider.distributed.addon.RedisAddon`
switches the crawl to:

- a shared request queue and request-fingerprint filter (scrapy-redis, through the adapter
  :mod:`newsspider.distributed.compat`), both scoped to one *run*: the next run starts with an
  empty filter, so the crawl state, not the filter, decides what is skipped;
- the crawl state in Redis (:class:`newsspider.state.redis.RedisCrawlState`);
- a coordinator (:mod:`newsspider.distributed.coordinator`): the first worker seeds the run,
  each worker keeps a heartbeat and its requests in flight in Redis, the requests of a dead
  worker go back to the queue, and every worker ends by itself once nothing is queued or in
  flight anywhere.

The spiders are unchanged. ``docs/distributed.md`` tells how to run it.
"""
