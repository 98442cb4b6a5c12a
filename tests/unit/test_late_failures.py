"""A failure once the run's exit status is decided still fails the run.

The manifest is written, and the state's last checkpoint made, after the status is set:
either failing (a full disk) must not leave the scheduler an exit status of 0.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsspider.exitcodes import ExitCode
from newsspider.extensions import report as report_module
from newsspider.extensions.report import EXIT_STATUS_STAT, FAILED_STAT, RunReport
from newsspider.extensions.state import StateRecorder
from newsspider.htmlparser import TooDeepError
from newsspider.items import ArticleItem
from newsspider.output_failures import output_failed
from newsspider.state.access import state_for


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    return get_crawler(
        Spider,
        settings_dict={"NEWSSPIDER_INCREMENTAL": True, "NEWSSPIDER_DATA_DIR": str(tmp_path)},
    )


def _status(crawler: Crawler) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(EXIT_STATUS_STAT)


def test_a_state_that_cannot_be_saved_at_the_end_fails_the_run(
    crawler: Crawler, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Its manifest, written before, is corrected to say so."""
    recorder = StateRecorder(crawler, state_for(crawler))
    RunReport(crawler).spider_closed(Spider(name="finews"), "finished")
    assert _status(crawler) == ExitCode.OK

    def disk_full(run_id: str) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(recorder.state, "finish_run", disk_full)
    recorder.close()
    assert _status(crawler) == ExitCode.COMPONENT_FAILED
    assert "The crawl state could not be saved: database or disk is full" in caplog.text
    (manifest,) = (Path(crawler.settings["NEWSSPIDER_DATA_DIR"]) / "runs").glob("*.json")
    document = json.loads(manifest.read_text(encoding="utf-8"))
    assert document["exit_status"] == ExitCode.COMPONENT_FAILED
    assert "database or disk is full" in document["failed_after_close"]


def test_an_article_a_pipeline_failed_on_is_a_failure_of_the_run(crawler: Crawler) -> None:
    """Else its listing's validators would be saved and the next run would skip it."""
    report = RunReport(crawler)
    item = ArticleItem(id="NW1", url="https://e.com/a.html")
    report.item_error(item=item, failure=Failure(TooDeepError("nested too deep")))
    assert report.failed == [
        {"url": "https://e.com/a.html", "reason": "TooDeepError: nested too deep",
         "kind": "pipeline"}
    ]  # fmt: skip
    assert crawler.stats is not None
    assert crawler.stats.get_value(FAILED_STAT) == 1


def test_an_article_an_output_refused_is_failed_not_new(crawler: Crawler) -> None:
    report = RunReport.from_crawler(crawler)  # told of the failure by its signal
    refused = ArticleItem(id="NW1", url="https://e.com/a.html")
    output_failed(crawler, refused, "feed", OSError(errno.ENOSPC, "No space left on device"))
    report.archived(refused)
    report.archived(ArticleItem(id="NW2", url="https://e.com/b.html"))
    assert report.journal.counts["new"] == 1
    assert [failure["kind"] for failure in report.failed] == ["feed"]
    report.journal.close()


def test_a_manifest_that_cannot_be_written_fails_the_run(
    crawler: Crawler, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    report = RunReport(crawler)

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report_module, "atomic_writer", disk_full)
    report.spider_closed(Spider(name="finews"), "finished")
    assert _status(crawler) == ExitCode.COMPONENT_FAILED
    assert "could not be written: [Errno 28] No space left on device" in caplog.text
    assert "manifest not written" in caplog.text


def test_an_article_counts_as_archived_after_its_post_or_after_the_feed_without_posts() -> None:
    """The state and the manifest wait for the last output that takes an article."""
    from scrapy import signals
    from scrapy.settings import Settings

    from newsspider.signals import archived_signal, post_written

    assert archived_signal(Settings({"NEWSSPIDER_POSTS_ENABLED": True})) is post_written
    assert archived_signal(Settings({"NEWSSPIDER_POSTS_ENABLED": False})) is signals.item_scraped
