"""Signals of newsspider, sent through the crawler's ``SignalManager``."""

#: A post file was written: ``item``, ``path``.
post_written = object()
#: An article could not be fetched or archived: ``url``, ``reason``.
article_failed = object()
#: Stat counting ``-a categories`` slugs whose page does not exist (the run exits with 2).
UNKNOWN_CATEGORY_STAT = "newsspider/run/unknown_categories"
