"""Recognising the site's navigation blocks inside a post body.

kramdown renders a post's trailing ``<URL>`` line as ``<p><a href="URL">URL</a></p>`` (an
empty ``<>`` stays as the text ``<>``) and the back links line as a paragraph of
``返回…`` links. Both the post parser (which reads them) and the body cleaner (which drops
them) use these predicates, so they agree on what navigation is.
"""

from __future__ import annotations

import re
from typing import Any

# lxml elements, plain (``etree``) or ``lxml.html``'s: lxml ships no type stubs.
HtmlElement = Any

BACK_LINK_PREFIX = "返回"
# What may stand between back links: the full-width bar the site uses, spaces, line breaks.
_BACK_LINK_SEPARATORS_RE = re.compile(r"^[\s|｜/、·]*$")


def text_of(element: HtmlElement) -> str:
    """The text of ``element`` and its descendants (``text_content()`` of any lxml element)."""
    if not len(element):  # most are leaves: skip the iterator, the costly part
        return element.text or ""
    return "".join(element.itertext())


def _text_between_children(element: HtmlElement, children: list[HtmlElement]) -> str:
    """Text of ``element`` outside its children."""
    return (element.text or "") + "".join(child.tail or "" for child in children)


def is_back_links_block(element: HtmlElement) -> bool:
    """A paragraph holding only ``返回…`` links (``返回天津日报新闻``, ``返回首页``)."""
    if element.tag != "p":
        return False
    children = list(element)
    if not children or any(child.tag != "a" and child.tag != "br" for child in children):
        return False
    links = [child for child in children if child.tag == "a"]
    if not links or not all(text_of(link).strip().startswith(BACK_LINK_PREFIX) for link in links):
        return False
    return bool(_BACK_LINK_SEPARATORS_RE.match(_text_between_children(element, children)))


def source_link_of(element: HtmlElement) -> str | None:
    """The URL of a source-link paragraph (``""`` for the empty ``<>``), else ``None``.

    A source link is a paragraph holding one autolink whose text is its own address.
    """
    if element.tag != "p":
        return None
    if not len(element):
        return "" if (element.text or "").strip() == "<>" else None
    if len(element) != 1 or (element.text or "").strip():
        return None
    link = element[0]
    if link.tag != "a":
        return None
    href = (link.get("href") or "").strip()
    if (link.tail or "").strip() or not href or text_of(link).strip() != href:
        return None
    return href


def trailing_navigation(
    blocks: list[HtmlElement],
) -> tuple[str | None, list[str], list[HtmlElement]]:
    """Read the navigation at the end of a post body, last block first.

    Returns the source link (or ``None``), the back-link targets, and the blocks that hold
    them. Only trailing blocks count: an autolink in the middle of an article is content.
    """
    source_link: str | None = None
    back_links: list[str] = []
    navigation: list[HtmlElement] = []
    for block in reversed(blocks):
        if not isinstance(block.tag, str):  # comments between the blocks
            continue
        if source_link is None and is_back_links_block(block):
            back_links = [a.get("href", "") for a in block.iter("a")] + back_links
            navigation.append(block)
            continue
        link = source_link_of(block)
        if link is not None and source_link is None:
            source_link = link
            navigation.append(block)
            continue
        break
    return source_link, back_links, navigation
