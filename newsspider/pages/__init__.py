"""Page parsers: one class per page type, plain values out, no I/O and no Scrapy imports.

Each parser takes the page text (or a ``parsel.Selector``) and returns a frozen dataclass, so
tests feed it saved pages. A change of the site's markup is a new parser version beside
the old one, not an ``if`` inside it.
"""

from newsspider.pages.listing import (
    CategoryPage,
    HomePage,
    HomeSection,
    ListingLink,
    NotAListingError,
)
from newsspider.pages.post import NotAPostError, PostPage, PostPageV1

__all__ = [
    "CategoryPage",
    "HomePage",
    "HomeSection",
    "ListingLink",
    "NotAListingError",
    "NotAPostError",
    "PostPage",
    "PostPageV1",
]
