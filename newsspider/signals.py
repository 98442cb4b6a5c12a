"""Signals of newsspider, sent through the crawler's ``SignalManager``."""

#: A post file was written: ``item``, ``path`` (a ``str``, resolved: receivers need not
#: resolve it).
post_written = object()
#: An article (or a listing) could not be fetched or archived: ``url``, ``reason``, ``kind``.
article_failed = object()
#: Articles of an interrupted run were recorded from its feed at this run's start: ``ids``.
articles_recovered = object()
