"""``Request.meta`` keys by which the spiders tell the incremental components what a request is."""

from __future__ import annotations

from scrapy import Request

from newsspider.urls import ROLLING_CATEGORY

#: A listing page (home, rolling news, category): its value is the category ("home" for /).
LISTING = "newsspider_listing"
#: A post page: its value is the article id from the URL.
POST = "newsspider_post"
#: Set on a post request that re-checks a known article with a conditional request.
RECHECK = "newsspider_recheck"
#: Set by the spider on a listing response it could parse (only those can show a post gone).
LISTING_OK = "newsspider_listing_ok"
#: Set by the downloader middleware when a known post answered 404 (recorded as gone).
GONE = "newsspider_gone"


def is_rolling_category_page(request: Request) -> bool:
    """The rolling feed's ``/category/emnews.html``: its own page is ``/emnews/``, and the
    real site may have no category page for it at all."""
    return "/category/" in request.url and request.meta.get(LISTING) == ROLLING_CATEGORY
