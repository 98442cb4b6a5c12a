"""A failure once the run's exit status is decided still fails the run.

The manifest is written, and the state's last checkpoint made, after the status is set:
either failing (a full disk) must not leave the scheduler an exit status of 0.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newsspider.exitcodes import ExitCode
from newsspider.extensions import report as report_module
from newsspider.extensions.report import EXIT_STATUS_STAT, RunReport
from newsspider.extensions.state import StateRecorder
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
    recorder = StateRecorder(crawler, state_for(crawler))
    assert crawler.stats is not None
    crawler.stats.set_value(EXIT_STATUS_STAT, int(ExitCode.OK))

    def disk_full(run_id: str) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(recorder.state, "finish_run", disk_full)
    recorder.close()
    assert _status(crawler) == ExitCode.COMPONENT_FAILED
    assert "The crawl state could not be saved: database or disk is full" in caplog.text


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
