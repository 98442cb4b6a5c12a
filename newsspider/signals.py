"""Signals of newsspider, sent through the crawler's ``SignalManager``."""

from __future__ import annotations

from scrapy import signals
from scrapy.settings import BaseSettings

#: A post file was written: ``item``, ``path`` (a ``str``, resolved: receivers need not
#: resolve it).
post_written = object()
#: An article (or a listing) could not be fetched or archived: ``url``, ``reason``, ``kind``.
article_failed = object()
#: Articles of an interrupted run were recorded from its feed at this run's start: ``ids``.
articles_recovered = object()


def archived_signal(settings: BaseSettings) -> object:
    """The signal after which every output holds an article: ``post_written``, or Scrapy's
    ``item_scraped`` (after the feed) when posts are off."""
    return post_written if settings.getbool("NEWSSPIDER_POSTS_ENABLED") else signals.item_scraped
