"""Signals of newsspider, sent through the crawler's ``SignalManager``."""

#: A post file was written: ``item``, ``path``.
post_written = object()
#: An article could not be fetched or archived: ``url``, ``reason``.
article_failed = object()
#: A listing page answered: ``url``, ``status`` (200 or 304).
listing_answered = object()
