"""Page parsers: one class per page type, plain values out, no I/O and no Scrapy imports.

Each parser takes the page text (or a ``parsel.Selector``) and returns a frozen dataclass, so
tests feed it saved pages. A change of the site's markup is a new parser version beside
the old one, not an ``if`` inside it.

The parsers are loaded when first asked for: the body-cleaning worker process imports
``newsspider.pages.navigation`` alone, without parsel and w3lib (12 MB less resident).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsspider.pages.listing import (
        CategoryPage,
        HomePage,
        HomeSection,
        ListingLink,
        NotAListingError,
    )
    from newsspider.pages.post import NotAPostError, PostPage, PostPageV1

_MODULE_OF = {
    "CategoryPage": "listing",
    "HomePage": "listing",
    "HomeSection": "listing",
    "ListingLink": "listing",
    "NotAListingError": "listing",
    "NotAPostError": "post",
    "PostPage": "post",
    "PostPageV1": "post",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
