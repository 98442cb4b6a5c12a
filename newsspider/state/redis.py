"""The crawl state in Redis, shared by every worker of a distributed crawl.

Keys, under ``<NEWSSPIDER_REDIS_PREFIX>:state:``:

- ``article:<id>``: a hash per archived article (the columns of the SQLite table);
- ``category:<slug>``: the set of article ids of a category; ``categories``: every slug;
- ``published``: a sorted set of article ids scored by ``published_at`` (POSIX seconds);
- ``validators``: a hash ``url → [etag, last_modified]`` (JSON);
- ``runs``: a hash ``run id → {feed, finished, data_dir, host}`` (JSON).

:meth:`RedisCrawlState.record_many` is one Lua script, so a batch is recorded whole or not at
all and two workers recording the same article never both get ``NEW``: the second sees the
first's revision (``UNCHANGED`` for the same text). In a distributed run (``run_keys`` given)
:meth:`~RedisCrawlState.save_validators` stages the validators under the run; the last worker
of the run commits them only when no worker of the run failed a request or ended early (see
:mod:`newsspider.distributed.coordinator`), as the SQLite state's caller does for one process.

A run is *unfinished* for :meth:`~RedisCrawlState.unfinished_runs` only once its worker's
heartbeat key (``<prefix>:alive:<run id>``) is gone: the runs of live workers are not a killed
run's journal. Only runs of the same data directory are returned (on this host, or whose feed
this host can read: a shared folder), since recovery replays the feed file.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import redis
from scrapy.crawler import Crawler

from newsspider.distributed.keys import RunKeys, alive_key
from newsspider.state.base import ArchivedRecord, ArticleState, CrawlState, Outcome, Validators

#: Seconds a run's heartbeat key lives without being refreshed (the coordinator refreshes it).
DEFAULT_WORKER_TTL = 30

_RECORD_MANY = """
local prefix = ARGV[1]
local records = cjson.decode(ARGV[2])
local out = {}
local function present(value) return value ~= nil and value ~= cjson.null end
local function index(id, category, score)
  if present(category) then
    redis.call('SADD', prefix .. ':category:' .. category, id)
    redis.call('SADD', prefix .. ':categories', category)
  end
  if present(score) then
    redis.call('ZADD', prefix .. ':published', score, id)
  else
    redis.call('ZREM', prefix .. ':published', id)
  end
end
for i, r in ipairs(records) do
  local key = prefix .. ':article:' .. r.id
  local known = redis.call('HMGET', key, 'content_sha256', 'revision', 'category')
  if not known[1] then
    redis.call('HSET', key, 'id', r.id, 'url', r.url, 'content_sha256', r.content_sha256,
      'revision', 1, 'first_seen', r.seen_at, 'last_seen', r.seen_at)
    if present(r.published_at) then redis.call('HSET', key, 'published_at', r.published_at) end
    if present(r.category) then redis.call('HSET', key, 'category', r.category) end
    index(r.id, r.category, r.score)
    out[i] = 'new:1'
  elseif known[1] == r.content_sha256 then
    redis.call('HSET', key, 'last_seen', r.seen_at)
    redis.call('HDEL', key, 'gone_at')
    out[i] = 'unchanged:' .. known[2]
  else
    local revision = redis.call('HINCRBY', key, 'revision', 1)
    redis.call('HSET', key, 'url', r.url, 'content_sha256', r.content_sha256,
      'last_seen', r.seen_at)
    redis.call('HDEL', key, 'gone_at')
    if present(r.published_at) then
      redis.call('HSET', key, 'published_at', r.published_at)
    else
      redis.call('HDEL', key, 'published_at')
    end
    if known[3] and known[3] ~= r.category then
      redis.call('SREM', prefix .. ':category:' .. known[3], r.id)
      if redis.call('SCARD', prefix .. ':category:' .. known[3]) == 0 then
        redis.call('SREM', prefix .. ':categories', known[3])
      end
    end
    if present(r.category) then
      redis.call('HSET', key, 'category', r.category)
    else
      redis.call('HDEL', key, 'category')
    end
    index(r.id, r.category, r.score)
    out[i] = 'revised:' .. revision
  end
end
return out
"""

_MARK_GONE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'gone_at', ARGV[1])
"""


def _score(published_at: str | None) -> float | None:
    """``published_at`` as POSIX seconds (an offset-less time is taken as UTC)."""
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _article(fields: dict[str, str]) -> ArticleState | None:
    if not fields:
        return None
    return ArticleState(
        id=fields["id"],
        url=fields["url"],
        content_sha256=fields["content_sha256"],
        revision=int(fields["revision"]),
        first_seen=fields["first_seen"],
        last_seen=fields["last_seen"],
        published_at=fields.get("published_at"),
        category=fields.get("category"),
        gone_at=fields.get("gone_at"),
    )


class RedisCrawlState(CrawlState):
    """The :class:`CrawlState` of ``data_dir``'s worker, on a Redis shared by every worker."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "newsspider",
        data_dir: Path,
        run_keys: RunKeys | None = None,
        worker_ttl: int = DEFAULT_WORKER_TTL,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.key = f"{prefix}:state"
        self.data_dir = data_dir.resolve()
        self.host = socket.gethostname()
        self.run_keys = run_keys
        self.worker_ttl = worker_ttl
        self._record_many = client.register_script(_RECORD_MANY)
        self._mark_gone = client.register_script(_MARK_GONE)

    # -- articles ----------------------------------------------------------------------------

    def _hash(self, article_id: str) -> str:
        return f"{self.key}:article:{article_id}"

    def article(self, article_id: str) -> ArticleState | None:
        return _article(cast(dict[str, str], self.client.hgetall(self._hash(article_id))))

    def _articles(self, ids: list[str]) -> list[ArticleState]:
        pipe = self.client.pipeline(transaction=False)
        for article_id in ids:
            pipe.hgetall(self._hash(article_id))
        found = (_article(fields) for fields in pipe.execute())
        return [article for article in found if article is not None]

    def record_many(self, records: list[ArchivedRecord]) -> list[tuple[Outcome, int]]:
        if not records:
            return []
        payload = [
            {
                "id": r.id,
                "url": r.url,
                "content_sha256": r.content_sha256,
                "published_at": r.published_at,
                "category": r.category,
                "seen_at": r.seen_at,
                "score": _score(r.published_at),
            }
            for r in records
        ]
        answers = cast(list[bytes | str], self._record_many(args=[self.key, json.dumps(payload)]))
        outcomes = []
        for answer in answers:
            text = answer.decode() if isinstance(answer, bytes) else answer
            outcome, revision = text.split(":")
            outcomes.append((Outcome(outcome), int(revision)))
        return outcomes

    def mark_seen(self, article_id: str, seen_at: str) -> None:
        key = self._hash(article_id)
        if self.client.exists(key):
            pipe = self.client.pipeline()
            pipe.hset(key, "last_seen", seen_at)
            pipe.hdel(key, "gone_at")
            pipe.execute()

    def mark_gone(self, article_id: str, gone_at: str) -> bool:
        return bool(self._mark_gone(keys=[self._hash(article_id)], args=[gone_at]))

    def served_in_category(self, category: str) -> list[ArticleState]:
        ids = sorted(cast(set[str], self.client.smembers(f"{self.key}:category:{category}")))
        return [a for a in self._articles(ids) if a.gone_at is None and a.category == category]

    def categories(self) -> list[str]:
        return sorted(cast(set[str], self.client.smembers(f"{self.key}:categories")))

    def published_since(self, since_iso: str) -> list[ArticleState]:
        since = _score(since_iso)
        if since is None:
            return []
        ids = cast(list[str], self.client.zrangebyscore(f"{self.key}:published", since, "+inf"))
        return [a for a in self._articles(ids) if a.gone_at is None]

    # -- validators --------------------------------------------------------------------------

    def validators(self, url: str) -> Validators:
        value = cast(str | None, self.client.hget(f"{self.key}:validators", url))
        return Validators(*json.loads(value)) if value else Validators()

    def save_validators(self, url: str, validators: Validators) -> None:
        """Saved at once by a single process; staged under the run in a distributed one."""
        key = self.run_keys.key("validators") if self.run_keys else f"{self.key}:validators"
        self.client.hset(key, url, json.dumps([validators.etag, validators.last_modified]))

    # -- runs --------------------------------------------------------------------------------

    def begin_run(self, run_id: str, feed: str | None) -> None:
        entry = {"feed": feed, "finished": False, "data_dir": str(self.data_dir), "host": self.host}
        pipe = self.client.pipeline()
        pipe.hset(f"{self.key}:runs", run_id, json.dumps(entry))
        # Alive from now on (the coordinator refreshes it): not a killed run's journal.
        pipe.set(alive_key(self.prefix, run_id), "1", ex=self.worker_ttl)
        pipe.execute()

    def finish_run(self, run_id: str) -> None:
        value = cast(str | None, self.client.hget(f"{self.key}:runs", run_id))
        entry: dict[str, Any] = json.loads(value) if value else {"feed": None}
        entry["finished"] = True
        self.client.hset(f"{self.key}:runs", run_id, json.dumps(entry))

    def unfinished_runs(self) -> list[tuple[str, str | None]]:
        runs = cast(dict[str, str], self.client.hgetall(f"{self.key}:runs"))
        unfinished = []
        for run_id, value in sorted(runs.items()):
            entry = json.loads(value)
            if entry.get("finished") or entry.get("data_dir") != str(self.data_dir):
                continue
            feed: str | None = entry.get("feed")
            here = entry.get("host") == self.host or (feed and (self.data_dir / feed).is_file())
            if here and not self.client.exists(alive_key(self.prefix, run_id)):
                unfinished.append((run_id, feed))
        return unfinished

    def close(self) -> None:
        self.client.close()


def from_crawler(crawler: Crawler) -> RedisCrawlState:
    """The ``NEWSSPIDER_STATE_BACKEND`` factory (set by the distributed add-on)."""
    settings = crawler.settings
    url = settings.get("NEWSSPIDER_REDIS_URL")
    if not url:
        raise ValueError("newsspider.state.redis needs NEWSSPIDER_REDIS_URL")
    prefix = settings.get("NEWSSPIDER_REDIS_PREFIX") or "newsspider"
    run_id = settings.get("NEWSSPIDER_RUN_ID")
    run_keys = RunKeys(prefix, crawler.spidercls.name, run_id) if run_id else None
    return RedisCrawlState(
        redis.Redis.from_url(url, decode_responses=True),
        prefix=prefix,
        data_dir=Path(settings["NEWSSPIDER_DATA_DIR"]),
        run_keys=run_keys,
        worker_ttl=settings.getint("NEWSSPIDER_REDIS_WORKER_TTL", DEFAULT_WORKER_TTL),
    )
