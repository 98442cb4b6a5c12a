"""Exit statuses of ``scrapy crawl`` in this project, for scheduled jobs (documented in README)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: The crawl could not start or stopped with an error (Scrapy's own status).
    CRAWL_FAILED = 1
    #: A spider argument or setting is invalid; nothing was crawled or written.
    BAD_ARGUMENTS = 2
