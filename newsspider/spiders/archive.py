"""The ``archive`` spider: backfill from a folder of Jekyll post files (``-a path=DIR``).

Files are read through Scrapy (``file://`` requests) and parsed with the same page-level
conventions as the site (:mod:`newsspider.pages.post_file`), then go through the same
pipelines and outputs. Posts the site would not publish are still archived when an id and a
date can be recovered; otherwise the file is reported with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from newsspider.articles import article_from_post_file
from newsspider.items import ArticleItem
from newsspider.pages.post_file import PostFileError, PostFileV1
from newsspider.pipelines.base import STATS_PREFIX
from newsspider.signals import article_failed
from newsspider.spiders.arguments import ArchiveArguments
from newsspider.spiders.sharing import request_of

logger = logging.getLogger(__name__)

POST_SUFFIXES = (".md", ".markdown")


class ArchiveSpider(Spider):
    name = "archive"
    post_file = PostFileV1()
    # It reads local files (file://): the politeness meant for the site would only slow it
    # (AutoThrottle's start delay made 85 files take 100 s).
    custom_settings: dict[str, Any] | None = {  # noqa: RUF012 (Scrapy's class attribute)
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
    }

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> None:
        ArchiveArguments.from_kwargs(kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = ArchiveArguments.from_kwargs(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})

    def _count(self, name: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/archive/{name}")

    def _not_archived(self, url: str, reason: str) -> None:
        self._count("unreadable")
        logger.warning("Not archived: %s (%s)", url, reason)
        self.crawler.signals.send_catch_log(article_failed, url=url, reason=reason, kind="file")

    async def start(self) -> AsyncIterator[Request]:
        files = sorted(
            p for p in self.args.path.iterdir() if p.suffix in POST_SUFFIXES and p.is_file()
        )
        logger.info("Archiving %d post files from %s", len(files), self.args.path)
        for path in files:
            yield Request(path.as_uri(), callback=self.parse_post_file, errback=self.failed)

    def parse_post_file(self, response: Response) -> Iterator[ArticleItem]:
        name = Path(unquote(urlsplit(response.url).path)).name
        try:
            text = response.body.decode("utf-8")
        except UnicodeDecodeError as error:
            self._not_archived(response.url, f"not UTF-8 ({error})")
            return
        try:
            post = self.post_file.parse(name, text)
        except PostFileError as error:
            self._not_archived(response.url, str(error))
            return
        if post.problems:
            self._count("files_with_problems")
            logger.info("Post file %s: %s", name, "; ".join(post.problems))
        yield article_from_post_file(response.url, post)

    def failed(self, failure: Failure) -> None:
        self._not_archived(request_of(failure).url, failure.getErrorMessage())
