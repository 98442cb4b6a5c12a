"""The scheduler keeps pending requests on disk, with or without a JOBDIR."""

from __future__ import annotations

import errno
import inspect
import os
from pathlib import Path
from types import MethodType
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from newsspider import scheduler as scheduler_module
from newsspider.scheduler import QUEUE_PREFIX, RequestMethods, SpiderMethods, SpillingScheduler
from newsspider.settings import SCHEDULER, SCHEDULER_DISK_QUEUE
from newsspider.spiders.finews import FinewsSpider
from tests.support.processes import ended_pid


def open_scheduler(data_dir: Path, **settings: object) -> SpillingScheduler:
    crawler = get_crawler(
        FinewsSpider,
        settings_dict={
            "NEWSSPIDER_DATA_DIR": str(data_dir),
            "NEWSSPIDER_DISK_QUEUE": True,
            "SCHEDULER_DISK_QUEUE": SCHEDULER_DISK_QUEUE,
        }
        | settings,
    )
    spider = FinewsSpider.from_crawler(crawler, base_url="http://127.0.0.1:8000")
    crawler.spider = spider
    crawler.engine = crawler._create_engine()  # the downloader-aware queue asks for it
    scheduler = SpillingScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def post(number: int) -> Request:
    return Request(f"http://127.0.0.1:8000/tianjinribao/2026/11/27/NW{number:018d}.html")


def test_the_project_uses_it() -> None:
    assert SCHEDULER == "newsspider.scheduler.SpillingScheduler"
    assert SCHEDULER_DISK_QUEUE == "newsspider.scheduler.PickleLifoDiskQueue"


def test_a_post_request_comes_back_from_disk_with_its_callbacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = open_scheduler(tmp_path)
    spider = scheduler.spider
    assert isinstance(spider, FinewsSpider)
    searched: list[object] = []  # what Request.to_dict looks callbacks up in
    getmembers = inspect.getmembers

    def recording(obj: object, *args: Any, **kwargs: Any) -> Any:
        searched.append(obj)
        return getmembers(obj, *args, **kwargs)

    monkeypatch.setattr("scrapy.http.request.inspect.getmembers", recording)
    sent = spider.post_request(
        "/tianjinribao/2026/11/27/NW202611270000000001.html", spider.urls.home, "tianjinribao"
    )
    assert sent is not None
    scheduler.enqueue_request(sent)
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/disk") == 1
    back = scheduler.next_request()
    assert back is not None and back is not sent
    assert (back.url, back.cb_kwargs, back.meta) == (sent.url, sent.cb_kwargs, sent.meta)
    assert back.callback == spider.parse_post and back.errback == spider.failed
    # Never the spider itself: reading every attribute of it cost 0.16 ms per request. Only
    # the request's own callback and errback, found by their names.
    assert searched and all(isinstance(obj, RequestMethods) for obj in searched)
    assert [sorted(dir(obj)) for obj in searched] == [["failed", "parse_post"]] * len(searched)
    scheduler.close("finished")


def test_callbacks_are_looked_up_among_the_spiders_methods_only() -> None:
    spider = FinewsSpider.from_crawler(get_crawler(FinewsSpider), base_url="http://127.0.0.1:8000")
    methods = SpiderMethods(spider)
    assert {"parse_post", "parse_listing", "failed", "start"} <= set(dir(methods))
    assert not {"crawler", "settings", "logger", "urls"} & set(dir(methods))
    assert methods.parse_post == spider.parse_post  # type: ignore[attr-defined]


def test_without_jobdir_pending_requests_wait_in_a_run_folder_removed_at_close(
    tmp_path: Path,
) -> None:
    scheduler = open_scheduler(tmp_path)
    folder = tmp_path / "state" / f"{QUEUE_PREFIX}{os.getpid()}"
    assert scheduler.dqdir == str(folder)
    for number in range(50):
        assert scheduler.enqueue_request(post(number))
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/disk") == 50
    assert not scheduler.stats.get_value("scheduler/enqueued/memory")
    assert sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) > 50 * 50
    urls = {request.url for request in iter(scheduler.next_request, None)}
    assert urls == {post(number).url for number in range(50)}
    scheduler.close("finished")
    assert not folder.exists()


def test_a_request_that_cannot_be_pickled_waits_in_memory(tmp_path: Path) -> None:
    scheduler = open_scheduler(tmp_path)
    request = post(1)
    request.meta["lock"] = __import__("threading").Lock()
    assert scheduler.enqueue_request(request)
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/memory") == 1
    assert scheduler.next_request() is request
    scheduler.close("finished")


def test_the_queue_of_a_process_that_is_gone_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / "state" / f"{QUEUE_PREFIX}{ended_pid()}"
    alive = tmp_path / "state" / f"{QUEUE_PREFIX}1"  # init: always running
    for folder in (stale, alive):
        folder.mkdir(parents=True)
        (folder / "q00000").write_bytes(b"x")
    scheduler = open_scheduler(tmp_path)
    assert not stale.exists()
    assert alive.exists()  # another run's queue is left alone
    scheduler.close("finished")


def test_with_jobdir_scrapy_keeps_its_resumable_queue(tmp_path: Path) -> None:
    scheduler = open_scheduler(tmp_path / "data", JOBDIR=str(tmp_path / "job"))
    assert scheduler.dqdir == str(tmp_path / "job" / "requests.queue")
    scheduler.enqueue_request(post(1))
    scheduler.close("shutdown")
    assert (tmp_path / "job" / "requests.queue" / "active.json").exists()
    assert not list((tmp_path / "data" / "state").glob(QUEUE_PREFIX + "*"))


def test_switched_off_pending_requests_stay_in_memory(tmp_path: Path) -> None:
    scheduler = open_scheduler(tmp_path, NEWSSPIDER_DISK_QUEUE=False)
    assert scheduler.dqdir is None
    scheduler.enqueue_request(post(1))
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/memory") == 1
    scheduler.close("finished")


@pytest.mark.parametrize(
    ("wrapper_name", "searched_in"),
    [
        pytest.param("parse_post", RequestMethods, id="named-as-the-callback"),
        pytest.param("timed", SpiderMethods, id="another-name"),
    ],
)
def test_a_callback_rebound_on_the_spider_still_serialises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapper_name: str, searched_in: type
) -> None:
    """The CPU profile (extensions/cputime.py) binds timed callbacks on the spider, named as
    the callback; one of another name is found among all the spider's methods."""
    scheduler = open_scheduler(tmp_path)
    spider = scheduler.spider
    assert isinstance(spider, FinewsSpider)
    original = spider.parse_post

    def timed(_spider: FinewsSpider, *args: object, **kwargs: object) -> object:
        return original(*args, **kwargs)  # type: ignore[arg-type]

    timed.__name__ = wrapper_name
    spider.parse_post = MethodType(timed, spider)  # type: ignore[method-assign]
    searched: list[object] = []
    getmembers = inspect.getmembers

    def recording(obj: object, *args: Any, **kwargs: Any) -> Any:
        searched.append(obj)
        return getmembers(obj, *args, **kwargs)

    monkeypatch.setattr("scrapy.http.request.inspect.getmembers", recording)
    sent = spider.post_request(
        "/tianjinribao/2026/11/27/NW202611270000000001.html", spider.urls.home, "tianjinribao"
    )
    assert sent is not None
    scheduler.enqueue_request(sent)
    assert scheduler.stats is not None
    assert not scheduler.stats.get_value("scheduler/unserializable")
    assert isinstance(searched[0], searched_in)
    back = scheduler.next_request()
    assert back is not None and back.callback == spider.parse_post
    scheduler.close("finished")


def _disk_full(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_request_the_disk_queue_cannot_store_waits_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = open_scheduler(tmp_path)
    on_disk = post(1)
    assert scheduler.enqueue_request(on_disk)
    assert scheduler.dqs is not None
    monkeypatch.setattr(scheduler.dqs, "push", _disk_full)
    assert scheduler.enqueue_request(post(2))
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/memory") == 1
    assert scheduler.stats.get_value("scheduler/disk_failed/store") == 1
    popped = [scheduler.next_request(), scheduler.next_request(), scheduler.next_request()]
    assert {r.url for r in popped if r is not None} == {on_disk.url, post(2).url}
    assert popped[-1] is None
    scheduler.close("finished")


def test_a_disk_queue_that_cannot_be_read_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = open_scheduler(tmp_path)
    assert scheduler.enqueue_request(post(1))
    assert scheduler.dqs is not None
    monkeypatch.setattr(scheduler.dqs, "pop", _disk_full)
    reasons: list[str] = []
    monkeypatch.setattr(scheduler_module, "stop_run", lambda _, reason: reasons.append(reason))
    assert scheduler.next_request() is None
    assert scheduler.next_request() is None  # not asked again: the queue is given up
    assert reasons == ["queue_failed"]
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/disk_failed/read") == 1
    scheduler.close("queue_failed")
