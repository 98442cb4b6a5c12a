"""Crawl state for incremental runs: what is archived, and the listings' HTTP validators.

One small interface (:class:`~newsspider.state.base.CrawlState`), two stores: SQLite under
``DATA_DIR/state/`` (the default) and Redis (for crawls spread over several machines).
"""

from newsspider.state.base import ArchivedRecord, ArticleState, CrawlState, Outcome, Validators
from newsspider.state.sqlite import SQLiteCrawlState

__all__ = [
    "ArchivedRecord",
    "ArticleState",
    "CrawlState",
    "Outcome",
    "SQLiteCrawlState",
    "Validators",
]
