"""Body cleaning: from the HTML a post page shows to safe HTML, Markdown and plain text.

Pure functions, no Scrapy: :func:`clean_body` is what the body pipeline calls.
"""

from newsspider.cleaning.body import CleanedBody, clean_body

__all__ = ["CleanedBody", "clean_body"]
