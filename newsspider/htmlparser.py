"""lxml's HTML parser as the project uses it: deep documents are read whole, or refused.

Without ``huge_tree`` libxml2 stops reading at 256 levels of nested elements and drops the
rest of the document with no more than an entry in the parser's error log: a body of
rich-text editor markup nested that deep would lose its end silently. With it the limit is
2,048, and a document past that is refused with :class:`TooDeepError` instead.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

MAX_DEPTH = 2048  # libxml2's limit under XML_PARSE_HUGE


class TooDeepError(ValueError):
    """The document nests elements deeper than libxml2 reads."""


def html_parser(**options: Any) -> Any:
    """An ``etree.HTMLParser`` that reads up to :data:`MAX_DEPTH` levels."""
    return etree.HTMLParser(huge_tree=True, **options)


def check_read_whole(parser: Any, what: str) -> None:
    """Raise :class:`TooDeepError` when ``parser``'s last parse stopped at the depth limit."""
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise TooDeepError(
                f"{what} nests elements deeper than {MAX_DEPTH} levels, past which the HTML "
                f"parser reads nothing: the rest of it would be lost ({error.message})"
            )
