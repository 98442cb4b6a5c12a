"""A descriptive User-Agent that names whom to contact (``NEWSSPIDER_CONTACT``)."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware

logger = logging.getLogger(__name__)


def user_agent(base: str, contact: str) -> str:
    """``newsspider/0.1 (archiving crawler for …; +mailto:ops@example.org)``."""
    if not contact:
        return base
    return f"{base[:-1]}; +{contact})" if base.endswith(")") else f"{base} (+{contact})"


class ContactUserAgentMiddleware(UserAgentMiddleware):
    contact: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        contact = settings.get("NEWSSPIDER_CONTACT", "").strip()
        middleware = cls(user_agent(settings["USER_AGENT"], contact))
        middleware.contact = contact
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        urls = getattr(spider, "urls", None)
        if not self.contact and urls is not None and urls.is_site_url(urls.home):
            logger.warning(
                "NEWSSPIDER_CONTACT is empty: set it (an e-mail or URL) so the site's operators"
                " can reach whoever runs this crawler"
            )
