"""What a run does when an output cannot take an article (a full disk, a folder gone).

The article is reported as failed (``article_failed``: the run's manifest and failure count,
so the listings' validators are not saved and the next run fetches it again), it is kept out
of the crawl state (only articles every output holds count as archived), and the run stops
with the reason ``output_failed``: with the disk refusing writes, each further article would
fail the same way, and the exit status tells the scheduler at once.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from scrapy.crawler import Crawler

from newsspider.signals import article_failed
from newsspider.stopping import stop_run

logger = logging.getLogger(__name__)

STOP_REASON = "output_failed"
_FAILED: weakref.WeakKeyDictionary[Crawler, set[str]] = weakref.WeakKeyDictionary()


def failed_ids(crawler: Crawler) -> set[str]:
    """Ids of the articles an output of this crawl could not take."""
    return _FAILED.get(crawler, set())


def output_failed(crawler: Crawler, item: Any, output: str, error: Exception) -> None:
    """Report that ``output`` (``feed``, ``post``) could not take ``item``, and stop the run
    when the cause is the file system (``OSError``) rather than the article."""
    url = str(getattr(item, "url", ""))
    _FAILED.setdefault(crawler, set()).add(str(getattr(item, "id", "")))
    assert crawler.stats is not None
    crawler.stats.inc_value(f"newsspider/outputs/failed/{output}")
    reason = f"the {output} could not be written: {error}"
    crawler.signals.send_catch_log(article_failed, url=url, reason=reason, kind=output)
    if not isinstance(error, OSError):
        logger.error("Could not write the %s of %s: %s", output, url, error)
        return
    logger.error(
        "Could not write the %s of %s: %s. The run stops: later articles would fail the same"
        " way; the next run fetches this one again",
        output,
        url,
        error,
    )
    stop_run(crawler, STOP_REASON)
