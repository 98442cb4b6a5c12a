"""The raw body's lxml tree: lxml.html's elements, without lxml.html's Python lookup.

``lxml.html``'s parser picks each element's class with a lookup written in Python, which
lxml calls whenever a step touches an element it has not handed out yet: on a post body
that cost as much as the parse. The same parser with lxml's C default lookup, set to the
same classes, builds the same tree of the same ``HtmlElement`` (``drop_tree``,
``drop_tag``, ``text_content``); only the form-field subclasses, unused here, are gone.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HtmlProcessingInstruction,
    fragments_fromstring,
)

from newsspider.htmlparser import check_read_whole, html_parser

_PARSER = html_parser()  # the options of lxml.html's ``html_parser``, and deep bodies whole
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=HtmlComment,
        pi=HtmlProcessingInstruction,
        entity=HtmlEntity,
    )
)


def parse_fragment(html: str) -> HtmlElement:
    """``lxml.html.fragment_fromstring(html, create_parent="div")``, on this parser."""
    elements = fragments_fromstring(html or "", parser=_PARSER)
    check_read_whole(_PARSER, "the post body")
    root: HtmlElement = _PARSER.makeelement("div")
    if elements and isinstance(elements[0], str):
        root.text = elements.pop(0)
    root.extend(elements)
    return root
