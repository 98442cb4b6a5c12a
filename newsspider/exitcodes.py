"""Exit statuses of ``scrapy crawl`` in this project, for scheduled jobs (documented in README)."""

from enum import IntEnum

#: Stat counting ``-a categories`` slugs whose page does not exist (the run exits with 2).
UNKNOWN_CATEGORY_STAT = "newsspider/run/unknown_categories"


class ExitCode(IntEnum):
    OK = 0
    #: The crawl could not start or stopped with an error (Scrapy's own status).
    CRAWL_FAILED = 1
    #: A spider argument or a setting is invalid; nothing was crawled or written.
    BAD_ARGUMENTS = 2
    #: Another run holds the data directory; this run did nothing.
    LOCKED = 3
    #: No listing page could be fetched, or no request got any answer (site or share host
    #: down, wrong base_url, no network).
    NO_LISTING = 4
    #: A component failed (an exception in a callback, pipeline or output writer).
    COMPONENT_FAILED = 5
    #: More articles failed than ``NEWSSPIDER_MAX_FAILED`` allows.
    TOO_MANY_FAILURES = 6
