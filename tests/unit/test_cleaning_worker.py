"""The body-cleaning worker process: same results as cleaning in the crawl, and nothing lost."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from newsspider.cleaning import clean_body
from newsspider.cleaning import worker as worker_module
from newsspider.cleaning.pool import CleaningWorker, worker_environment
from newsspider.cleaning.worker import frame, read_frame, serve
from newsspider.items import ArticleItem
from newsspider.pipelines.body import BodyCleaningPipeline, apply_clean_body

BODIES = [
    f"<p>第{number}段 <strong>粗体</strong></p><table><tr><td>{number}</td></tr></table>"
    '<div class="quote-widget" style="display:none">隐藏</div>'
    f'<p><img src="/img/{number}.png"> <a href="javascript:alert(1)">链接</a></p>'
    for number in range(12)
]


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(test())


async def started(**options: Any) -> CleaningWorker:
    worker = CleaningWorker(**options)
    await worker.start()
    assert worker.running, worker.lost
    return worker


def test_serve_answers_each_batch_in_order() -> None:
    source = io.BytesIO(frame(BODIES[:2]) + frame(BODIES[2:3]))
    sink = io.BytesIO()
    serve(source, sink)
    sink.seek(0)
    answers = [read_frame(sink), read_frame(sink), read_frame(sink)]
    assert answers[2] is None
    first, second = answers[0], answers[1]
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert first[0] == [clean_body(BODIES[0]), clean_body(BODIES[1])]
    assert second[0] == [clean_body(BODIES[2])]
    assert first[1] > 0  # the batch's CPU time


def test_a_body_that_raises_is_answered_by_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(body: str) -> Any:
        if "boom" in body:
            raise ValueError("cannot clean this")
        return clean_body(body)

    monkeypatch.setattr(worker_module, "clean_body", failing)
    results, _ = worker_module.clean_batch(["<p>boom</p>", BODIES[0]])
    assert results == ["ValueError: cannot clean this", clean_body(BODIES[0])]


def test_the_worker_cleans_as_the_crawl_process_does() -> None:
    async def test() -> None:
        worker = await started()
        results = await asyncio.gather(*(worker.clean(body) for body in BODIES))
        await worker.close()
        assert results == [clean_body(body) for body in BODIES]
        assert worker.lost is None
        assert worker.figures.bodies == len(BODIES)
        assert worker.figures.worker_cpu_ns > 0 and worker.figures.crawl_cpu_ns > 0

    run(test)


def test_bodies_waiting_for_a_busy_worker_go_as_one_batch() -> None:
    async def test() -> None:
        worker = await started()
        await asyncio.gather(*(worker.clean(body) for body in BODIES))
        await worker.close()
        # The first body goes alone; the others wait for it and follow together.
        assert worker.figures.batches == 2

    run(test)


def test_batches_are_capped() -> None:
    async def test() -> None:
        worker = await started(max_batch=5)
        await asyncio.gather(*(worker.clean(body) for body in BODIES))
        await worker.close()
        assert worker.figures.batches == 4  # 1, then 5, 5 and 1

    run(test)


def test_a_killed_worker_hands_its_bodies_back() -> None:
    async def test() -> None:
        worker = await started()
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        results = await asyncio.gather(*(worker.clean(body) for body in BODIES[:3]))
        assert results == [None, None, None]
        assert worker.lost == "it ended"
        assert not worker.running
        await worker.close()

    run(test)


def test_a_worker_that_does_not_answer_is_killed_and_its_bodies_handed_back() -> None:
    async def test() -> None:
        worker = await started(timeout=0.5)
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGSTOP)  # alive, silent
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(worker.clean(body) for body in BODIES[:3])), 10
            )
        finally:
            with contextlib.suppress(ProcessLookupError):  # killed and reaped already
                os.kill(worker.pid, signal.SIGCONT)
        assert results == [None, None, None]
        assert worker.lost == "it did not answer within 0.5 s"
        await worker.close()

    run(test)


def test_the_worker_exits_when_closed() -> None:
    async def test() -> None:
        worker = await started()
        await worker.clean(BODIES[0])
        process = worker._process
        await worker.close()
        assert process is not None and process.returncode == 0
        assert worker.lost is None

    run(test)


def test_the_worker_imports_from_the_crawl_s_own_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Under scrapyd the project is an egg on the crawl's sys.path only: the worker gets it."""
    egg = tmp_path / "newsspider.egg"
    monkeypatch.syspath_prepend(str(egg))
    monkeypatch.setenv("PYTHONPATH", "")
    path = worker_environment()["PYTHONPATH"].split(os.pathsep)
    assert path[0] == str(egg)
    assert [entry for entry in sys.path if entry] == path


def test_the_worker_process_starts_with_the_crawl_s_import_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A folder only the crawl's sys.path names is on the worker's path: Python runs the
    ``sitecustomize`` it finds there when the worker starts."""
    marker = tmp_path / "worker-saw-the-path"
    (tmp_path / "sitecustomize.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)

    async def test() -> None:
        worker = await started()
        await worker.clean(BODIES[0])
        await worker.close()

    run(test)
    assert marker.exists()


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="max_batch must be at least 1, not 0"):
        CleaningWorker(max_batch=0)
    with pytest.raises(ValueError, match="timeout must be positive, not -1"):
        CleaningWorker(timeout=-1)


# --- the pipeline with its worker -------------------------------------------------------------


def item_with(body: str) -> ArticleItem:
    return ArticleItem(
        url="https://finews.withounder.com/x/2026/11/27/1.html", id="1", body_html=body
    )


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is started on machines with more than one CPU: be one, wherever the test runs."""
    monkeypatch.setattr("newsspider.pipelines.body.os.cpu_count", lambda: 2)


@pytest.mark.usefixtures("two_cpus")
def test_the_pipeline_fills_the_item_as_without_worker_and_reports_it() -> None:
    crawler = get_crawler(settings_dict={"NEWSSPIDER_CLEANING_WORKER": True})
    assert crawler.stats is not None
    pipeline = BodyCleaningPipeline.from_crawler(crawler)
    assert pipeline.worker is not None

    async def test() -> list[ArticleItem]:
        await pipeline.open_spider()
        pending = [pipeline.process_item(item_with(body)) for body in BODIES]
        items = [await result for result in pending if asyncio.iscoroutine(result)]
        await pipeline.close_spider()
        return items

    items = run(test)
    expected = [item_with(body) for body in BODIES]
    for item in expected:
        apply_clean_body(item)
    assert items == expected
    stats = crawler.stats.get_stats()
    assert stats["newsspider/body/worker/bodies"] == len(BODIES)
    assert stats["newsspider/body/worker/cpu_ms"] > 0
    assert "newsspider/body/worker/lost" not in stats
    assert "newsspider/body/cleaned_in_crawl" not in stats


@pytest.mark.usefixtures("two_cpus")
def test_the_pipeline_cleans_in_the_crawl_what_the_worker_cannot() -> None:
    crawler = get_crawler(settings_dict={"NEWSSPIDER_CLEANING_WORKER": True})
    assert crawler.stats is not None
    pipeline = BodyCleaningPipeline.from_crawler(crawler)

    async def test() -> list[ArticleItem]:
        await pipeline.open_spider()
        worker = pipeline.worker
        assert worker is not None and worker.pid is not None
        first = pipeline.process_item(item_with(BODIES[0]))
        os.kill(worker.pid, signal.SIGKILL)  # the first body is in flight
        assert asyncio.iscoroutine(first)
        items = [await first]
        later = pipeline.process_item(item_with(BODIES[1]))  # cleaned at once, here
        assert isinstance(later, ArticleItem)
        await pipeline.close_spider()
        return [*items, later]

    items = run(test)
    expected = [item_with(BODIES[0]), item_with(BODIES[1])]
    for item in expected:
        apply_clean_body(item)
    assert items == expected
    stats = crawler.stats.get_stats()
    assert stats["newsspider/body/worker/lost"] == "it ended"
    assert stats["newsspider/body/cleaned_in_crawl"] == 1


@pytest.mark.usefixtures("two_cpus")
def test_the_pipeline_does_not_start_a_worker_when_told_not_to() -> None:
    crawler = get_crawler(settings_dict={"NEWSSPIDER_CLEANING_WORKER": False})
    assert BodyCleaningPipeline.from_crawler(crawler).worker is None


def test_the_pipeline_does_not_start_a_worker_on_one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsspider.pipelines.body.os.cpu_count", lambda: 1)
    crawler = get_crawler(settings_dict={"NEWSSPIDER_CLEANING_WORKER": True})
    assert BodyCleaningPipeline.from_crawler(crawler).worker is None


def test_the_worker_process_loads_no_crawl_libraries() -> None:
    """Each crawl starts one: it stays small (lxml and nh3, not Scrapy, parsel, w3lib)."""
    code = (
        "import sys, newsspider.cleaning.worker\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"lxml", "nh3"} <= set(loaded)
    assert not {"scrapy", "twisted", "parsel", "w3lib", "itemadapter"} & set(loaded)


def test_a_late_answer_of_a_worker_given_up_on_is_ignored() -> None:
    """Its bodies were handed back when it timed out: the answer is no broken frame."""
    worker = CleaningWorker(timeout=1)
    worker.lost = "it did not answer within 1 s"
    worker._answered(pickle.dumps((["a cleaned body"], 1000)))  # no error
    assert worker.figures.bodies == 0
