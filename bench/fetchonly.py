"""The benchmark's baseline: Scrapy fetching the same pages as a full crawl, parsing nothing.

It follows the page graph the site generator wrote (``pages.json``: each page and the pages
its links lead to) instead of reading the pages, so what it costs is Scrapy's own work:
scheduling, downloading, middlewares, callbacks that return precomputed requests. Run it with
the project's settings (``scrapy runspider`` inside the project), as ``bench/run.py`` does:

    scrapy runspider bench/fetchonly.py -a pages=OUT/pages.json -a base_url=http://127.0.0.1:PORT

It lives outside ``newsspider/spiders`` on purpose: it is no spider of the project.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class FetchOnlySpider(Spider):
    name = "fetchonly"

    def __init__(self, pages: str, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        graph = json.loads(Path(pages).read_text(encoding="utf-8"))
        self.base_url = base_url.rstrip("/")
        self.start_paths: list[str] = graph["start"]
        self.links: dict[str, list[str]] = graph["links"]

    def request(self, path: str) -> Request:
        return Request(self.base_url + path, callback=self.parse_page, cb_kwargs={"path": path})

    async def start(self) -> AsyncIterator[Request]:
        for path in self.start_paths:
            yield self.request(path)

    def parse_page(self, response: Response, path: str) -> Iterator[Request]:
        for link in self.links.get(path, ()):
            yield self.request(link)
