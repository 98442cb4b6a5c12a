"""Feeds: ``%(data_dir)s`` and ``%(run_id)s`` in ``FEEDS`` URIs, and unbuffered file storage.

Each JSON Lines record reaches the operating system when it is exported (one ``write`` per
line), so a run killed at any moment leaves only whole lines, and the crawl state, written
after, never counts an article the feed does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage

from newsspider.runs import run_id_for


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    params["data_dir"] = str(spider.settings.get("NEWSSPIDER_DATA_DIR")).rstrip("/")
    params["run_id"] = run_id_for(spider.crawler)
    return params


class UnbufferedFileFeedStorage(FileFeedStorage):
    def open(self, spider: Spider) -> IO[Any]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)
