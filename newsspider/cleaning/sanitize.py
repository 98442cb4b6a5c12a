"""Allowlist sanitizing of article HTML with nh3 (the Ammonia sanitizer).

Downstream Jekyll sites render what we archive, so only inert markup survives: text
structure, tables, links and images over http(s), and nothing else (no scripts, styles,
frames, forms, event handlers or ``style`` attributes).
"""

from __future__ import annotations

from collections import Counter

import nh3
from lxml import etree
from lxml.html import HtmlElement

from newsspider.cleaning.widgets import UNWRAPPED
from newsspider.htmlparser import check_read_whole, html_parser

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


_NONE: frozenset[str] = frozenset()


def count_disallowed(root: HtmlElement, changes: Counter[str]) -> None:
    """Count what the sanitizer is about to remove, for the crawl stats."""
    tags = attributes = 0
    allowed_seen = False
    for element in root.iterdescendants(etree.Element):
        tag = element.tag
        if tag not in ALLOWED_TAGS:
            if tag != UNWRAPPED:  # a quote widget's wrapper, unwrapped on serializing
                tags += 1
            continue
        allowed_seen = True
        names = element.keys()
        if names:
            allowed = ALLOWED_ATTRIBUTES.get(tag, _NONE)
            attributes += sum(1 for name in names if name not in allowed)
    if tags:
        changes["unsafe_tags_removed"] += tags
    if allowed_seen:  # the key, even at 0, as the stats have always had it
        changes["unsafe_attributes_removed"] += attributes


def _safe_url(url: str) -> str | None:
    """``url`` when it is http(s) (protocol-relative made https), else ``None``."""
    url = url.strip()
    if url.startswith("//"):
        return "https:" + url
    scheme, colon, _ = url.partition(":")
    return url if colon and scheme.lower() in ALLOWED_URL_SCHEMES else None


def drop_unsafe_urls(root: HtmlElement, changes: Counter[str]) -> None:
    """Links and images must point at http(s): others lose the URL (an image, itself)."""
    for element, attribute in (
        *((a, "href") for a in root.iter("a")),
        *((i, "src") for i in root.iter("img")),
    ):
        value = element.get(attribute)
        if value is None:
            if element.tag == "img":
                element.drop_tree()
                changes["images_without_source_dropped"] += 1
            continue
        safe = _safe_url(value)
        if safe is not None:
            element.set(attribute, safe)
            continue
        changes["unsafe_urls_removed"] += 1
        if element.tag == "img":
            element.drop_tree()
        else:
            del element.attrib[attribute]


# Built once: ``nh3.clean`` builds its sanitizer from these options on every call.
# ``strip_comments`` drops any comment left; ``link_rel=None`` keeps links as authored.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    strip_comments=True,
    link_rel=None,
)


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)


# libxml2's HTML parser rearranges elements to fit HTML 4 (a ``<p>`` or ``<li>`` closes an
# open ``<b>``, ``<u>`` or ``<h3>``, a ``<pre>`` can hold no ``<li>``), where html5ever, the
# sanitizer's parser, and browsers keep them as the tags say. Under names it does not know
# (``x-p``, ``x-b``) libxml2 nests elements exactly as written, so the tree is the one the
# sanitized HTML stands for: every ``<`` in the sanitizer's output opens a tag (text and
# attribute values have ``&lt;``). Its void elements keep their names: they close nothing
# once no other name is known, and they need no end tag. (No other allowed tag name starts
# like theirs.)
_VOID_TAGS = ("br", "hr", "img")
_PARSER = html_parser()


def parse_sanitized(html: str) -> etree._Element:
    """The tree of :func:`sanitize`'s output, under a ``div`` (plain lxml elements)."""
    neutral = html.replace("<", "<x-").replace("<x-/", "</x-")
    for tag in _VOID_TAGS:
        neutral = neutral.replace(f"<x-{tag}", f"<{tag}")
    root = etree.fromstring(f"<div>{neutral}</div>", _PARSER)[0][0]  # html > body > div
    check_read_whole(_PARSER, "the sanitized body")
    for element in root.iterdescendants():
        tag = element.tag
        if tag[0] == "x":  # a void element's own name has no "x-"
            element.tag = tag[2:]
    return root
