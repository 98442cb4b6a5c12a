"""``scrapy crawl`` that checks spider arguments before anything starts.

A bad ``-a`` value ends the run with one line naming the argument and
:attr:`~newsspider.exitcodes.ExitCode.BAD_ARGUMENTS`, instead of a traceback, and before any
output file is opened.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsspider.exitcodes import ExitCode
from newsspider.spiders.arguments import ArgumentError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            spider_class = self.crawler_process.spider_loader.load(args[0])
            check = getattr(spider_class, "check_arguments", None)
            if check is not None:
                try:
                    check(dict(opts.spargs))
                except ArgumentError as error:
                    print(f"newsspider: {error}", file=sys.stderr)
                    self.exitcode = ExitCode.BAD_ARGUMENTS
                    return
        super().run(args, opts)
