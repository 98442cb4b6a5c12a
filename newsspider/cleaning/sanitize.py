"""Allowlist sanitizing of article HTML with nh3 (the Ammonia sanitizer).

Downstream Jekyll sites render what we archive, so only inert markup survives: text
structure, tables, links and images over http(s), and nothing else (no scripts, styles,
frames, forms, event handlers or ``style`` attributes).
"""

from __future__ import annotations

from collections import Counter

import nh3
from lxml.html import HtmlElement

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "b", "blockquote", "br", "caption", "code", "del", "em", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})


def count_disallowed(root: HtmlElement, changes: Counter[str]) -> None:
    """Count what the sanitizer is about to remove, for the crawl stats."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        if element.tag not in ALLOWED_TAGS:
            changes["unsafe_tags_removed"] += 1
            continue
        allowed = ALLOWED_ATTRIBUTES.get(element.tag, set())
        changes["unsafe_attributes_removed"] += sum(
            1 for name in element.attrib if name not in allowed
        )


def sanitize(html: str) -> str:
    # ``strip_comments`` drops any comment left; ``link_rel=None`` keeps links as authored.
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        strip_comments=True,
        link_rel=None,
    )
