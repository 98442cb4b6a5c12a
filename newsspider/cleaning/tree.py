"""The raw body's lxml tree, with plain elements, and lxml.html's tree edits for them.

``lxml.html`` gives every element Python methods through a class lookup written in
Python, which lxml calls for each element a step touches: on a post body that cost more
than the parse. The same parser without that lookup builds the same tree of plain
elements; the two edits the cleaning steps need are copied here as functions.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from lxml.html import fragments_fromstring

# lxml elements, plain or lxml.html's (lxml ships no type stubs).
Element = Any

_PARSER = etree.HTMLParser()  # lxml.html's ``html_parser``, less its element classes


def parse_fragment(html: str) -> Element:
    """``lxml.html.fragment_fromstring(html, create_parent="div")``, with plain elements."""
    elements = fragments_fromstring(html or "", parser=_PARSER)
    root = _PARSER.makeelement("div")
    if elements and isinstance(elements[0], str):
        root.text = elements.pop(0)
    root.extend(elements)
    return root


def drop_tree(element: Element) -> None:
    """``HtmlElement.drop_tree``: remove ``element`` and its content, keep its tail text."""
    parent = element.getparent()
    if element.tail:
        _append_text(parent, element.getprevious(), element.tail)
    parent.remove(element)


def drop_tag(element: Element) -> None:
    """``HtmlElement.drop_tag``: remove the tag, its text and children going to its place."""
    parent = element.getparent()
    previous = element.getprevious()
    if element.text and isinstance(element.tag, str):
        _append_text(parent, previous, element.text)
    if element.tail:
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + element.tail
        else:
            _append_text(parent, previous, element.tail)
    index = parent.index(element)
    parent[index : index + 1] = element[:]


def _append_text(parent: Element, previous: Element | None, text: str) -> None:
    """Add ``text`` after ``previous`` (at the start of ``parent`` when ``None``)."""
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text


def text_content(element: Element) -> str:
    """``HtmlElement.text_content``: the text of ``element`` and its descendants."""
    return "".join(element.itertext()) if len(element) else element.text or ""
