"""The crawl's state store, opened once per crawler from its settings.

``NEWSSPIDER_STATE_BACKEND``: ``sqlite`` (default; ``DATA_DIR/state/crawl.sqlite3``) or the
import path of a :class:`~newsspider.state.base.CrawlState` factory taking the crawler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from newsspider.state.base import CrawlState
from newsspider.state.sqlite import SQLiteCrawlState

_ATTRIBUTE = "_newsspider_state"


def state_for(crawler: Crawler) -> CrawlState:
    state: CrawlState | None = getattr(crawler, _ATTRIBUTE, None)
    if state is None:
        backend = crawler.settings.get("NEWSSPIDER_STATE_BACKEND", "sqlite")
        if backend == "sqlite":
            data_dir = Path(crawler.settings["NEWSSPIDER_DATA_DIR"])
            state = SQLiteCrawlState(data_dir / "state" / "crawl.sqlite3")
        else:
            factory: Any = load_object(backend)
            state = factory(crawler)
        setattr(crawler, _ATTRIBUTE, state)
    return state
