"""At most a few category pages at once: the others wait in the spider until one is read.

A category page of a large site is big (850 KB for 1,800 posts), and the first posts of a
crawl name every category: all of them were downloaded at once and waited, whole, to be read
(+9 MB of resident memory at 20,000 posts). The gate lets ``limit`` category pages be
requested or read at a time (``NEWSSPIDER_LISTINGS_AT_ONCE``); each one finished (read,
failed, or dropped by the scheduler) lets the next waiting one go, through the engine. If
the crawl ever runs out of work while pages wait (a page that never came back), they all go:
the gate can delay a category page, never lose one.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from scrapy import Request

from newsspider.incremental.meta import LISTING

logger = logging.getLogger(__name__)


class ListingGate:
    def __init__(self, limit: int, schedule: Callable[[Request], None]) -> None:
        """``limit``: category pages at once (0: no limit); ``schedule``: sends a request."""
        if limit < 0:
            raise ValueError(f"NEWSSPIDER_LISTINGS_AT_ONCE must be 0 or more, not {limit}")
        self.limit = limit
        self.schedule = schedule
        self.at_once: set[str] = set()  # the categories whose page is requested or being read
        self.waiting: deque[Request] = deque()

    def admit(self, request: Request) -> Request | None:
        """``request`` if it may go now; None when it waits its turn (the gate sends it)."""
        category = request.meta[LISTING]
        if self.limit and len(self.at_once) >= self.limit:
            self.waiting.append(request)
            return None
        self.at_once.add(category)
        return request

    def finished(self, request: Request | None) -> None:
        """The category page of ``request`` is read, failed or dropped: let the next one go."""
        if request is None or LISTING not in request.meta:
            return
        self.at_once.discard(request.meta[LISTING])
        while self.waiting and len(self.at_once) < self.limit:
            self._send(self.waiting.popleft())

    def release_all(self) -> int:
        """Send every waiting page (the crawl is idle: whatever holds a turn is lost)."""
        released = len(self.waiting)
        if released:
            logger.info(
                "%d category page(s) still waited for their turn while the crawl was idle:"
                " requested now",
                released,
            )
        self.at_once.clear()
        while self.waiting:
            self._send(self.waiting.popleft())
        return released

    def _send(self, request: Request) -> None:
        self.at_once.add(request.meta[LISTING])
        self.schedule(request)
