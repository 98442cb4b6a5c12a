"""A robots.txt that cannot be fetched is a warning, not a failed run.

Scrapy's ``RobotsTxtMiddleware`` then allows every URL of the host (as it should), but it
logs the download error at ERROR, and an ERROR in the log makes the run exit 5. A share host
that is down would so fail every scheduled run although every article is archived from its
post page. This extension lowers those records to WARNING, traceback dropped.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler

ROBOTSTXT_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class RobotsTxtDownloadErrorsAsWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and str(record.msg).startswith("Error downloading"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class RobotsTxtWarnings:
    """Installs :class:`RobotsTxtDownloadErrorsAsWarnings` on Scrapy's robots.txt logger."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        robots_logger = logging.getLogger(ROBOTSTXT_LOGGER)
        if not any(isinstance(f, RobotsTxtDownloadErrorsAsWarnings) for f in robots_logger.filters):
            robots_logger.addFilter(RobotsTxtDownloadErrorsAsWarnings())
        return cls()
