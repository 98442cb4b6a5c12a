"""Recognising the site's navigation blocks inside a post body.

kramdown renders a post's trailing ``<URL>`` line as ``<p><a href="URL">URL</a></p>`` (an
empty ``<>`` stays as the text ``<>``) and the back links line as a paragraph of
``返回…`` links. Both the post parser (which reads them) and the body cleaner (which drops
them) use these predicates, so they agree on what navigation is.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

BACK_LINK_PREFIX = "返回"
# What may stand between back links: the full-width bar the site uses, spaces, line breaks.
_BACK_LINK_SEPARATORS_RE = re.compile(r"^[\s|｜/、·]*$")


def _text_between_children(element: HtmlElement) -> str:
    """Text of ``element`` outside its children."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def is_back_links_block(element: HtmlElement) -> bool:
    """A paragraph holding only ``返回…`` links (``返回天津日报新闻``, ``返回首页``)."""
    if element.tag != "p":
        return False
    links = element.findall("a")
    if not links or any(child.tag not in {"a", "br"} for child in element):
        return False
    if not all(link.text_content().strip().startswith(BACK_LINK_PREFIX) for link in links):
        return False
    return bool(_BACK_LINK_SEPARATORS_RE.match(_text_between_children(element)))


def source_link_of(element: HtmlElement) -> str | None:
    """The URL of a source-link paragraph (``""`` for the empty ``<>``), else ``None``.

    A source link is a paragraph holding one autolink whose text is its own address.
    """
    if element.tag != "p":
        return None
    children = list(element)
    text = element.text_content().strip()
    if not children:
        return "" if text == "<>" else None
    if len(children) != 1 or children[0].tag != "a" or (element.text or "").strip():
        return None
    link = children[0]
    href = (link.get("href") or "").strip()
    if (link.tail or "").strip() or not href or link.text_content().strip() != href:
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
        if is_back_links_block(block) and source_link is None:
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
