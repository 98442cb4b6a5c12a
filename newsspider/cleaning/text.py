"""Plain text of cleaned article HTML: one paragraph per block, blank lines between."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    {
        "p", "div", "blockquote", "li", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "center", "caption", "section",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
# Spaces of any width (``&nbsp;``, the full-width indentation ``　``) collapse to one.
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")


def html_to_text(root: HtmlElement) -> str:
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = (_INLINE_SPACE_RE.sub(" ", line).strip() for line in "".join(current).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
        current.clear()

    def walk(element: HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in BLOCK_TAGS:
            flush()
        elif tag == "br":
            current.append("\n")
        elif tag in CELL_TAGS and current and not current[-1].endswith("\n"):
            current.append(" ")
        if tag or element is root:
            current.append((element.text or "").replace("\n", " "))
            for child in element:
                walk(child)
        if tag in BLOCK_TAGS:
            flush()
        if element is not root:
            current.append((element.tail or "").replace("\n", " "))

    walk(root)
    flush()
    return "\n\n".join(paragraphs)


def first_sentence(text: str, limit: int = 80) -> str:
    """The first sentence of ``text`` (up to ``。！？!?``), at most ``limit`` characters."""
    first_paragraph = text.strip().split("\n", 1)[0] if text.strip() else ""
    match = re.match(r"(.+?[。！？!?])", first_paragraph)
    sentence = match.group(1) if match else first_paragraph
    return sentence[:limit].strip()


def element_text(element: etree._Element) -> str:
    return _INLINE_SPACE_RE.sub(" ", element.xpath("string()")).strip()
