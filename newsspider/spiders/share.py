"""The ``share`` spider: archive articles known only by share links or infoCodes.

``-a urls=`` (comma-separated share links), ``-a infocodes=``, ``-a urls_file=`` (one per
line, ``#`` comments), ``-a share_base_url=``. Each goes share page → article API → the same
pipelines and outputs as ``finews``. An infoCode the API does not know is reported (log and
``newsspider/share_spider/not_archived``), never emitted as an empty record.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Any

from scrapy import Request

from newsspider.articles import article_from_share
from newsspider.items import ArticleItem
from newsspider.pages.share import ShareArticle, ShareFailure
from newsspider.pipelines.base import STATS_PREFIX
from newsspider.share import ShareUrls
from newsspider.signals import article_failed
from newsspider.spiders.arguments import ShareArguments
from newsspider.spiders.sharing import ShareAttempt, ShareFollowing

logger = logging.getLogger(__name__)


class ShareSpider(ShareFollowing):
    name = "share"

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> None:
        ShareArguments.from_kwargs(kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = ShareArguments.from_kwargs(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})
        self.share_urls = ShareUrls(self.args.share_base_url)

    async def start(self) -> AsyncIterator[Request]:
        for infocode, share_link in self.args.infocodes:
            yield self.share_page_request(infocode, share_link, None)

    def share_done(self, attempt: ShareAttempt, article: ShareArticle) -> Iterator[ArticleItem]:
        article_item = article_from_share(attempt.infocode, attempt.page_url, article)
        article_item.share = {**attempt.urls(), "article": asdict(article)}
        yield article_item

    def share_unavailable(
        self, attempt: ShareAttempt, failure: ShareFailure, detail: str
    ) -> Iterator[ArticleItem]:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/share_spider/not_archived")
        self.crawler.signals.send_catch_log(
            article_failed, url=attempt.api_url, reason=f"{failure.value}: {detail}", kind="share"
        )
        logger.warning(
            "Not archived: infoCode %s (%s: %s) at %s",
            attempt.infocode,
            failure.value,
            detail,
            attempt.api_url,
        )
        return iter(())
