"""``scrapy crawl`` for scheduled jobs.

Before anything starts it checks the spider arguments and takes the data directory's lock;
after the crawl it exits with the run's status (:class:`~newsspider.exitcodes.ExitCode`).
A bad argument or a running twin ends the run at once with one line on stderr, having written
nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newsspider import lock
from newsspider.distributed.keys import lock_name
from newsspider.exitcodes import ExitCode
from newsspider.extensions.report import EXIT_STATUS_STAT
from newsspider.settings_check import SettingsError, check_settings
from newsspider.spiders.arguments import ArgumentError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None:
            raise UsageError("give one spider name")
        spider_class = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spider_class, "check_arguments", None)
        try:
            if check is not None:
                check(dict(opts.spargs))
        except ArgumentError as error:
            return self._stop(ExitCode.BAD_ARGUMENTS, str(error))
        assert self.settings is not None
        try:
            check_settings(self.settings)
        except SettingsError as error:
            return self._stop(ExitCode.BAD_ARGUMENTS, str(error))
        data_dir = Path(self.settings["NEWSSPIDER_DATA_DIR"])
        try:
            worker_lock = lock_name(self.settings)  # one lock per worker of a distributed run
        except ValueError as error:
            return self._stop(ExitCode.BAD_ARGUMENTS, str(error))
        try:
            lock.acquire(data_dir, worker_lock)
            with tempfile.TemporaryFile(dir=data_dir):
                pass  # the outputs can be written there
        except lock.DataDirLockedError as error:
            return self._stop(ExitCode.LOCKED, str(error))
        except OSError as error:
            return self._stop(
                ExitCode.BAD_ARGUMENTS,
                f"NEWSSPIDER_DATA_DIR={str(data_dir)!r} is not a writable folder: {error}",
            )
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.CRAWL_FAILED
            return None
        stats = crawler.stats.get_stats() if crawler.stats else {}
        self.exitcode = int(stats.get(EXIT_STATUS_STAT, ExitCode.OK))
        return None

    def _stop(self, status: ExitCode, message: str) -> None:
        print(f"newsspider: {message}", file=sys.stderr)
        self.exitcode = status
