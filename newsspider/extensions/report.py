"""The run's account for schedulers and downstream archives.

- progress in the log every ``NEWSSPIDER_PROGRESS_INTERVAL`` seconds;
- at the end, one summary line (new, revised, skipped, failed, duration) and the run manifest
  ``DATA_DIR/runs/<run-id>.json``: ids of new and revised articles, every article that could
  not be archived with its URL and reason, the output files written (the per-article lists
  wait on disk until then: :mod:`newsspider.extensions.journal`);
- the exit status (:class:`~newsspider.exitcodes.ExitCode`), left in the stats under
  ``newsspider/run/exit_status`` for the ``crawl`` command.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.extensions.feedexport import FeedExporter
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import task
from twisted.python.failure import Failure

from newsspider.exitcodes import UNKNOWN_CATEGORY_STAT, ExitCode
from newsspider.extensions.journal import RunJournal
from newsspider.files import atomic_writer
from newsspider.incremental.pipeline import UnchangedArticle
from newsspider.output_failures import failed_ids
from newsspider.runs import run_id_for
from newsspider.signals import (
    archived_signal,
    article_failed,
    articles_recovered,
    post_written,
)

logger = logging.getLogger(__name__)
EXIT_STATUS_STAT = "newsspider/run/exit_status"
#: Articles (and listings) that could not be archived in this run.
FAILED_STAT = "newsspider/run/failed"
#: The run manifest's path, once written.
MANIFEST_STAT = "newsspider/run/manifest"


class RunReport:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.data_dir = Path(settings["NEWSSPIDER_DATA_DIR"])
        self._data_root: str | None = None  # the data dir resolved, once
        self.max_failed = settings.getint("NEWSSPIDER_MAX_FAILED")
        self.progress_interval = settings.getfloat("NEWSSPIDER_PROGRESS_INTERVAL")
        self.journal = RunJournal(self.data_dir / "runs")
        self.failed: list[dict[str, str]] = []
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self._progress: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        report = cls(crawler)
        connect = crawler.signals.connect
        connect(report.spider_opened, signal=signals.spider_opened)
        connect(report.archived, signal=archived_signal(crawler.settings))
        connect(report.item_dropped, signal=signals.item_dropped)
        connect(report.post_written, signal=post_written)
        connect(report.article_failed, signal=article_failed)
        connect(report.articles_recovered, signal=articles_recovered)
        connect(report.item_error, signal=signals.item_error)
        connect(report.spider_error, signal=signals.spider_error)
        connect(report.spider_closed, signal=signals.spider_closed)
        return report

    # -- what happens during the run ---------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        if self.progress_interval > 0:
            self._progress = task.LoopingCall(self.log_progress)
            self._progress.start(self.progress_interval, now=False)

    def archived(self, item: Any, **_: Any) -> None:
        if item.id in failed_ids(self.crawler):
            return  # an output refused it: listed under "failed" instead
        self.journal.add("new" if item.revision == 1 else "revised", item.id)

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        if isinstance(exception, DropItem) and not isinstance(exception, UnchangedArticle):
            self._fail({"url": str(getattr(item, "url", "")), "reason": str(exception)})

    def post_written(self, path: str | Path, **_: Any) -> None:
        self.journal.add("posts", self._relative(path))

    def item_error(self, item: Any, failure: Failure, **_: Any) -> None:
        """A pipeline raised on the article: it is lost to this run, so the run says so (and
        saves no listing validators, or the next run would not fetch it again)."""
        url = str(getattr(item, "url", ""))
        self._fail({"url": url, "reason": _error_text(failure), "kind": "pipeline"})

    def spider_error(self, failure: Failure, response: Response, **_: Any) -> None:
        self._fail({"url": response.url, "reason": _error_text(failure), "kind": "callback"})

    def articles_recovered(self, ids: list[str], **_: Any) -> None:
        for article_id in ids:
            self.journal.add("recovered", article_id)

    def article_failed(self, url: str, reason: str, kind: str, **_: Any) -> None:
        self._fail({"url": url, "reason": reason, "kind": kind})

    def _fail(self, failure: dict[str, str]) -> None:
        self.failed.append(failure)
        self.stats.inc_value(FAILED_STAT)

    def _skipped(self) -> int:
        names = ("skipped_known", "skipped_old", "unchanged", "listing_not_modified")
        return sum(self.stats.get_value(f"newsspider/incremental/{n}", 0) for n in names)

    def log_progress(self) -> None:
        logger.info(
            "Progress: %d pages fetched, %d new, %d revised, %d skipped, %d failed, %d queued",
            self.stats.get_value("response_received_count", 0),
            self.journal.counts["new"],
            self.journal.counts["revised"],
            self._skipped(),
            len(self.failed),
            self.stats.get_value("scheduler/enqueued", 0)
            - self.stats.get_value("scheduler/dequeued", 0),
        )

    # -- the end ---------------------------------------------------------------------------

    def exit_status(self, reason: str) -> ExitCode:
        get = self.stats.get_value
        if get(UNKNOWN_CATEGORY_STAT, 0):
            return ExitCode.BAD_ARGUMENTS
        if get("newsspider/listing/requested", 0) and not get("newsspider/listing/answered", 0):
            return ExitCode.NO_LISTING
        if get("downloader/request_count", 0) and not get("response_received_count", 0):
            return ExitCode.NO_LISTING  # no server answered at all (the share spider's host)
        # Errors are logged by broken components only (RETRY_GIVE_UP_LOG_LEVEL is WARNING).
        errors = get("log_count/ERROR", 0)
        exceptions = any(key.startswith("spider_exceptions/") for key in self.stats.get_stats())
        if reason != "finished" or errors > 0 or exceptions:
            return ExitCode.COMPONENT_FAILED
        if len(self.failed) > self.max_failed:
            return ExitCode.TOO_MANY_FAILURES
        return ExitCode.OK

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        status = self.exit_status(reason)
        self.stats.set_value(EXIT_STATUS_STAT, int(status))
        duration = time.monotonic() - self.started
        run_id = run_id_for(self.crawler)
        manifest = {
            "run_id": run_id,
            "spider": spider.name,
            "arguments": _arguments(spider),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_seconds": round(duration, 3),
            "finish_reason": reason,
            "exit_status": int(status),
            "new": self.journal.placeholder("new"),
            "revised": self.journal.placeholder("revised"),
            # Archived by an interrupted run, recorded from its feed at this run's start.
            "recovered": self.journal.placeholder("recovered"),
            "failed": self.failed,
            "skipped": self._skipped(),
            "outputs": {"jsonl": self._feeds(), "posts": self.journal.placeholder("posts")},
        }
        path = self.data_dir / "runs" / f"{run_id}.json"
        counts = self.journal.counts
        archived = counts["new"] + counts["revised"]
        if status in (ExitCode.BAD_ARGUMENTS, ExitCode.NO_LISTING) and not archived:
            # Bad input: the run did nothing, and leaves nothing behind but this log.
            logger.error(
                "Run %s did nothing: exit status %d (%s)", run_id, int(status), status.name.lower()
            )
            self.journal.close()
            return
        manifest_written: Path | str = path
        try:
            with atomic_writer(path) as file:
                self.journal.write_json(manifest, file)
                file.write(b"\n")
            self.stats.set_value(MANIFEST_STAT, str(path))
        except OSError as error:
            fail_after_close(self.stats, f"The run manifest {path} could not be written: {error}")
            status = ExitCode(self.stats.get_value(EXIT_STATUS_STAT))
            manifest_written = "not written"
        finally:
            self.journal.close()
        logger.info(
            "Run %s: %d new, %d revised, %d skipped, %d failed in %.1fs; exit status %d (%s);"
            " manifest %s",
            run_id,
            counts["new"],
            counts["revised"],
            self._skipped(),
            len(self.failed),
            duration,
            int(status),
            status.name.lower(),
            manifest_written,
        )
        for failure in self.failed:
            logger.warning("Could not archive %s: %s", failure["url"], failure["reason"])

    def _feeds(self) -> list[str]:
        exporter = self.crawler.get_extension(FeedExporter)
        if exporter is None:
            return []
        return [
            self._relative(Path(slot.uri.removeprefix("file://")))
            for slot in exporter.slots
            if slot.itemcount
        ]

    def _relative(self, path: str | Path) -> str:
        """``path`` relative to the data dir (as is when outside it)."""
        if self._data_root is None:
            self._data_root = str(self.data_dir.resolve()) + os.sep
        text = str(path)
        # The posts writer sends resolved paths: cut by string, not resolved again per post.
        if text.startswith(self._data_root) and os.path.normpath(text) == text:
            return text[len(self._data_root) :]
        try:
            return str(Path(path).resolve().relative_to(self.data_dir.resolve()))
        except ValueError:
            return str(path)


def fail_after_close(stats: StatsCollector, problem: str) -> None:
    """A failure once the exit status is decided (the manifest, the state's last checkpoint)
    still fails the run: the outputs and the state may disagree, and the scheduler must know.
    A manifest already written is corrected to say so."""
    logger.error("%s; the run fails (exit status %d)", problem, ExitCode.COMPONENT_FAILED)
    if stats.get_value(EXIT_STATUS_STAT, ExitCode.OK) != ExitCode.OK:
        return
    stats.set_value(EXIT_STATUS_STAT, int(ExitCode.COMPONENT_FAILED))
    manifest = stats.get_value(MANIFEST_STAT)
    if not manifest:
        return
    path = Path(manifest)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        document.update(exit_status=int(ExitCode.COMPONENT_FAILED), failed_after_close=problem)
        with atomic_writer(path) as file:
            file.write(json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n")
    except (OSError, ValueError) as error:
        logger.error("The run manifest %s could not be corrected: %s", path, error)


def _error_text(failure: Failure) -> str:
    return f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"


def _arguments(spider: Spider) -> dict[str, Any]:
    arguments = getattr(spider, "args", None)
    if arguments is None:
        return {}
    fields = getattr(arguments, "__dataclass_fields__", {})
    return {name: _plain(getattr(arguments, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
