"""One crawl across several worker processes on a real Redis (``NEWSSPIDER_REDIS_URL``).

A ``redis-server`` is started on a free loopback port (no persistence); every test uses its
own key prefix. The end-to-end tests run three ``scrapy crawl finews`` workers over the
Jekyll-built corpus site and compare what they archived together with the single-process
``corpus_crawl``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsspider.distributed.keys import check_name, lock_name
from newsspider.lock import lock_path
from newsspider.state.base import ArchivedRecord, Outcome, Validators
from tests.site.fixtures import REPO_ROOT, skip_or_fail
from tests.site.server import SiteServer
from tests.support.crawl import TEST_SETTINGS, CrawlResult

try:
    import redis
    import scrapy_redis  # noqa: F401
except ImportError:
    if os.environ.get("NEWSSPIDER_STRICT") == "1":
        raise
    pytest.skip("pip install redis scrapy-redis (the test extra)", allow_module_level=True)

from newsspider.distributed import outputs
from newsspider.distributed.keys import RunKeys
from newsspider.state.redis import RedisCrawlState

ARGS = {"follow_share": "false"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed: apt-get install redis-server")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    server = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


_PREFIXES = iter(range(1, 1000))


@pytest.fixture
def prefix() -> str:
    return f"t{os.getpid()}n{next(_PREFIXES)}"


# -- the crawl state on Redis ----------------------------------------------------------------


def _record(article_id: str, sha: str = "a" * 64, **extra: str | None) -> ArchivedRecord:
    values: dict[str, str | None] = {
        "id": article_id,
        "url": f"https://finews.withounder.com/x/2026/11/25/{article_id}.html",
        "content_sha256": sha,
        "published_at": "2026-11-25T09:00:00+08:00",
        "category": "ceshi",
        "seen_at": "2026-11-27T00:00:00+00:00",
        **extra,
    }
    return ArchivedRecord(**values)  # type: ignore[arg-type]


def _state(
    redis_url: str, prefix: str, data_dir: Path, run_keys: RunKeys | None = None
) -> RedisCrawlState:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    return RedisCrawlState(
        client, prefix=prefix, data_dir=data_dir, run_keys=run_keys, worker_ttl=2
    )


def test_redis_state_records_like_the_sqlite_one(
    redis_url: str, prefix: str, tmp_path: Path
) -> None:
    state = _state(redis_url, prefix, tmp_path)
    assert state.article("NW1") is None
    assert state.record(_record("NW1")) == (Outcome.NEW, 1)
    assert state.record(_record("NW1")) == (Outcome.UNCHANGED, 1)
    assert state.record(_record("NW1", sha="b" * 64, category="other")) == (Outcome.REVISED, 2)
    article = state.article("NW1")
    assert article is not None and article.revision == 2 and article.category == "other"
    assert state.categories() == ["other"], "a category with no article left is gone"
    state.record(_record("NW2", published_at="2026-11-26T08:00:00+08:00"))
    state.record(_record("NW3", published_at=None))
    assert [a.id for a in state.published_since("2026-11-25T00:00:00+08:00")] == ["NW1", "NW2"]
    assert [a.id for a in state.published_since("2026-11-26T00:00:00+08:00")] == ["NW2"]
    assert state.mark_gone("NW2", "2026-11-28T00:00:00+00:00") is True
    assert state.mark_gone("NW2", "2026-11-29T00:00:00+00:00") is False
    assert state.mark_gone("NW9", "2026-11-29T00:00:00+00:00") is False
    assert [a.id for a in state.served_in_category("ceshi")] == ["NW3"]
    state.mark_seen("NW2", "2026-11-30T00:00:00+00:00")
    assert [a.id for a in state.served_in_category("ceshi")] == ["NW2", "NW3"]
    state.save_validators("/category/ceshi.html", Validators('"abc"', "Tue, 01 Dec 2026"))
    assert state.validators("/category/ceshi.html") == Validators('"abc"', "Tue, 01 Dec 2026")
    state.close()


def test_two_workers_recording_the_same_article_archive_it_once(
    redis_url: str, prefix: str, tmp_path: Path
) -> None:
    states = [_state(redis_url, prefix, tmp_path / f"w{n}") for n in range(4)]
    records = [_record(f"NW{n}") for n in range(200)]
    outcomes: list[list[tuple[Outcome, int]]] = [[] for _ in states]
    barrier = threading.Barrier(len(states))

    def record(n: int) -> None:
        barrier.wait()
        outcomes[n] = states[n].record_many(records)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(len(states))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(len(records)):
        seen = Counter(outcome[index][0] for outcome in outcomes)
        assert seen == {Outcome.NEW: 1, Outcome.UNCHANGED: len(states) - 1}


def test_a_run_is_unfinished_only_once_its_worker_is_dead(
    redis_url: str, prefix: str, tmp_path: Path
) -> None:
    keys = RunKeys(prefix, "finews", "20261127T000000Z")
    state = _state(redis_url, prefix, tmp_path, keys)
    elsewhere = _state(redis_url, prefix, tmp_path / "other")
    state.begin_run("20261127T000000Z-w1", "jsonl/finews-20261127T000000Z-w1.jsonl")
    assert state.unfinished_runs() == [], "its heartbeat is alive"
    time.sleep(2.5)  # worker_ttl=2, nobody refreshes it: the worker is dead
    assert state.unfinished_runs() == [
        ("20261127T000000Z-w1", "jsonl/finews-20261127T000000Z-w1.jsonl")
    ]
    assert elsewhere.unfinished_runs() == [], "another data directory cannot replay its feed"
    state.finish_run("20261127T000000Z-w1")
    assert state.unfinished_runs() == []
    # In a distributed run, validators wait for the run's end (committed by its last worker).
    state.save_validators("/emnews/", Validators('"x"'))
    assert not state.validators("/emnews/")


def test_no_category_page_waits_in_one_worker_of_a_distributed_run(
    redis_url: str, prefix: str
) -> None:
    """A page waiting in a worker's listing gate would be lost with that worker."""
    from types import SimpleNamespace

    from scrapy.utils.project import get_project_settings

    from newsspider.distributed.addon import RedisAddon
    from newsspider.spiders.finews import FinewsSpider

    settings = get_project_settings()
    assert settings.getint("NEWSSPIDER_LISTINGS_AT_ONCE") == 2
    settings.set("NEWSSPIDER_REDIS_URL", redis_url)
    settings.set("NEWSSPIDER_REDIS_PREFIX", prefix)
    settings.set("NEWSSPIDER_WORKER", "w1")
    RedisAddon(SimpleNamespace(spidercls=FinewsSpider)).update_settings(settings)  # type: ignore[arg-type]
    assert settings.getint("NEWSSPIDER_LISTINGS_AT_ONCE") == 0


@pytest.mark.parametrize(
    ("left", "joins"),
    [
        ("dead worker", "a new run"),  # its heartbeat outlived the last live worker
        ("live worker", "the run"),
        ("request queued", "the run"),
        ("request in flight", "the run"),
        ("seeding unfinished", "the run"),
    ],
)
def test_a_worker_joins_the_current_run_unless_its_work_is_over_and_no_one_is_left(
    redis_url: str, prefix: str, left: str, joins: str
) -> None:
    """Else each scheduled worker joined a run with nothing to do and crawled nothing."""
    import redis as redis_module

    from newsspider.distributed import scripts

    client = redis_module.Redis.from_url(redis_url, decode_responses=True)
    old = RunKeys(prefix, "finews", "20261127T000000Z")
    client.set(f"{prefix}:finews:current", old.run_id)
    client.set(old.key("created"), "1")
    client.sadd(old.key("workers"), "w2")
    if left != "seeding unfinished":
        client.set(old.key("seeded_done"), "1")
    if left == "live worker":
        client.set(old.alive("w2"), "1")
    if left == "request queued":
        client.zadd(old.key("requests"), {"a request": 0})
    if left == "request in flight":
        client.hset(old.key("inflight:w2"), "1", "0 a request")
    join = client.register_script(scripts.JOIN)
    run_id, _ = join(args=[prefix, "finews", "", "20261127T010000Z", "w3", 30, 3600])
    assert run_id == (old.run_id if joins == "the run" else "20261127T010000Z")
    assert (client.get(old.key("done")) == "dirty") is (joins == "a new run")
    client.close()


def test_worker_names_and_locks(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    assert lock_name(Settings({"NEWSSPIDER_WORKER": "w1"})) is None, "not distributed"
    distributed = Settings({"NEWSSPIDER_REDIS_URL": "redis://x", "NEWSSPIDER_WORKER": "w1"})
    assert lock_name(distributed) == "w1"
    assert lock_path(tmp_path, "w1") == tmp_path / "state" / "run-w1.lock"
    default = lock_name(Settings({"NEWSSPIDER_REDIS_URL": "redis://x"}))
    assert default is not None and default.endswith(f"-{os.getpid()}")
    for bad in ("", "../x", "a/b", "a b", "-x", "x" * 101):
        with pytest.raises(ValueError):
            check_name("NEWSSPIDER_WORKER", bad)


# -- workers -----------------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 300) -> int:
        return self.process.wait(timeout=timeout)


def _start_worker(
    name: str,
    data_dir: Path,
    base_url: str,
    redis_url: str,
    prefix: str,
    logs: Path,
    **settings: str,
) -> Worker:
    command = [sys.executable, "-m", "scrapy", "crawl", "finews", "-a", f"base_url={base_url}"]
    for key, value in ARGS.items():
        command += ["-a", f"{key}={value}"]
    for key, value in {
        **TEST_SETTINGS,
        "NEWSSPIDER_DATA_DIR": str(data_dir),
        "NEWSSPIDER_REDIS_URL": redis_url,
        "NEWSSPIDER_REDIS_PREFIX": prefix,
        "NEWSSPIDER_WORKER": name,
        "NEWSSPIDER_REDIS_HEARTBEAT_SECONDS": "0.3",
        **settings,
    }.items():
        command += ["-s", f"{key}={value}"]
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return Worker(name, data_dir, process, log_path)


def _records(data_dirs: list[Path]) -> list[dict[str, object]]:
    return [record for data_dir in data_dirs for record in CrawlResult(data_dir, 0, "").records()]


def _finish(workers: list[Worker], timeout: float = 300) -> None:
    try:
        for worker in workers:
            status = worker.wait(timeout)
            assert status == 0, f"{worker.name} exited {status}:\n{worker.log[-4000:]}"
            assert " ERROR: " not in worker.log, worker.log[-4000:]
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()


def _manifests(data_dirs: list[Path], run_id: str) -> list[dict[str, object]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for data_dir in data_dirs
        for path in sorted((data_dir / "runs").glob(f"{run_id}-*.json"))
    ]


@pytest.fixture(scope="module")
def distributed_run(
    corpus_server: SiteServer,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, list[Worker]]:
    """Three workers, each with its own data directory, over the corpus site (one run)."""
    root = tmp_path_factory.mktemp("distributed")
    prefix = f"shared{os.getpid()}"
    # Slow enough that a worker started seconds after the others still finds work left: alone,
    # one worker would take half a minute.
    slow = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.3"}
    workers = [
        _start_worker(
            f"w{n}", root / f"data{n}", corpus_server.base_url, redis_url, prefix, root, **slow
        )
        for n in (1, 2, 3)
    ]
    _finish(workers)
    run_ids = {m for w in workers for m in re.findall(r"Worker w\d of run (\S+) ", w.log)}
    assert len(run_ids) == 1, "the workers joined one run"
    return prefix, workers


@pytest.mark.slow
def test_three_workers_archive_every_post_once(
    distributed_run: tuple[str, list[Worker]], corpus_crawl: CrawlResult
) -> None:
    _prefix, workers = distributed_run
    expected = Counter(str(record["id"]) for record in corpus_crawl.records())
    assert expected and all(count == 1 for count in expected.values())
    records = _records([w.data_dir for w in workers])
    assert Counter(str(record["id"]) for record in records) == expected, "each post once"
    for worker in workers:
        mine = _records([worker.data_dir])
        assert mine, f"{worker.name} archived nothing"
        feeds = list((worker.data_dir / "jsonl").glob("finews-*.jsonl"))
        assert len(feeds) == 1 and feeds[0].stem.endswith(f"-{worker.name}")
        (manifest,) = list((worker.data_dir / "runs").glob(f"*-{worker.name}.json"))
        assert manifest.stem == feeds[0].stem.removeprefix("finews-")
    posts = Counter(p.name for w in workers for p in (w.data_dir / "posts" / "_posts").glob("*.md"))
    assert posts == Counter(p.name for p in corpus_crawl.posts_dir.glob("*.md"))
    assert sum("Seeding run" in w.log for w in workers) == 1, "one worker seeded the run"
    (run_id,) = {m for w in workers for m in re.findall(r"Worker w\d of run (\S+) ", w.log)}
    listed = outputs.summary(run_id, [w.data_dir for w in workers])
    assert [w["worker"] for w in listed["workers"]] == ["w1", "w2", "w3"]
    assert sum(w["new"] for w in listed["workers"]) == sum(expected.values())
    assert len(listed["posts"]) == sum(expected.values())
    assert sum("finished (last worker out" in w.log for w in workers) == 1


@pytest.mark.slow
def test_a_finished_run_leaves_no_key_that_never_expires(
    distributed_run: tuple[str, list[Worker]], redis_url: str
) -> None:
    """What a run leaves in Redis goes by itself (the state's own keys aside)."""
    import redis as redis_module

    prefix, _workers = distributed_run
    client = redis_module.Redis.from_url(redis_url, decode_responses=True)
    keys = [key for key in client.scan_iter(f"{prefix}:*") if ":state:" not in key]
    assert keys, "the run left its 'done' marker at least"
    assert [key for key in keys if client.ttl(key) == -1] == []
    run_keys = {key.rsplit(":", 1)[1] for key in keys if ":run:" in key}
    assert not run_keys & {"requests", "dupefilter", "claims", "failed", "counter"}
    client.close()


@pytest.mark.slow
def test_a_second_distributed_run_exports_nothing_new(
    distributed_run: tuple[str, list[Worker]],
    corpus_server: SiteServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    prefix, first = distributed_run
    before = len(_records([w.data_dir for w in first]))
    workers = [
        _start_worker(w.name, w.data_dir, corpus_server.base_url, redis_url, prefix, tmp_path)
        for w in first
    ]
    _finish(workers)
    assert len(_records([w.data_dir for w in workers])) == before, "nothing exported again"
    for worker in workers:
        assert "0 new, 0 revised" in worker.log, worker.log[-3000:]


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(
    corpus_server: SiteServer, corpus_crawl: CrawlResult, redis_url: str, prefix: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Three workers sharing one data directory; one is killed (SIGKILL) mid-crawl."""
    data = tmp_path / "data"
    slow = {
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.2",
        "NEWSSPIDER_REDIS_WORKER_TTL": "3",
    }
    workers = [
        _start_worker(f"w{n}", data, corpus_server.base_url, redis_url, prefix, tmp_path, **slow)
        for n in (1, 2, 3)
    ]
    victim, survivors = workers[0], workers[1:]
    feed_lines = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim.process.poll() is None:
        feeds = list((data / "jsonl").glob(f"finews-*-{victim.name}.jsonl"))
        feed_lines = feeds[0].read_bytes().count(b"\n") if feeds else 0
        if feed_lines >= 3:
            break
        time.sleep(0.02)
    victim.process.send_signal(signal.SIGKILL)
    victim.wait(30)
    assert feed_lines >= 3, "the victim was killed after archiving a few posts"
    _finish(survivors)

    expected = Counter(str(record["id"]) for record in corpus_crawl.records())
    records = _records([data])
    assert Counter(str(record["id"]) for record in records) == expected, "none lost or doubled"
    posts = {p.name for p in (data / "posts" / "_posts").glob("*.md")}
    assert posts == {p.name for p in corpus_crawl.posts_dir.glob("*.md")}
    assert any("stopped without leaving" in w.log for w in survivors), "the victim was reaped"
    for feed in (data / "jsonl").glob("*.jsonl"):
        assert feed.read_bytes().endswith(b"\n"), "no partial line"
    # The crawl state (the source of truth) knows every post, the victim's included.
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        for article_id in expected:
            assert client.exists(f"{prefix}:state:article:{article_id}"), article_id
        assert not client.keys(f"{prefix}:finews:run:*:requests"), "the run's queue is gone"
    finally:
        client.close()
