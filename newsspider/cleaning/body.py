"""The body cleaning steps, in order, over one parsed tree."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape

from lxml import etree
from lxml.html import HtmlElement

from newsspider.cleaning.markdown import markdown_from_element
from newsspider.cleaning.sanitize import (
    count_disallowed,
    drop_unsafe_urls,
    parse_sanitized,
    sanitize,
)
from newsspider.cleaning.text import PlainText, element_text
from newsspider.cleaning.tree import parse_fragment
from newsspider.cleaning.widgets import (
    drop_chart_blocks,
    drop_dangerous,
    drop_hidden,
    drop_navigation,
    serialize_unwrapped,
    unwrap_quote_widgets,
)
from newsspider.htmlparser import TooDeepError

HIGHLIGHT_MARK = "■"
# Characters XML (and so lxml) refuses in text: a body holding one could not be parsed at all.
_NOT_XML_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(slots=True)
class CleanedBody:
    html: str
    markdown: str
    text: str
    images: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    summary: str | None = None
    changes: Counter[str] = field(default_factory=Counter)


def _inner_html(root: HtmlElement) -> str:
    """What the fragment under ``root`` (a bare ``div``) has become, serialized in one call.

    Leading text is escaped again: lxml holds it decoded, and ``&lt;a href=…&gt;`` in the
    source is text, which the sanitizer would otherwise read as a tag.
    """
    text, html = serialize_unwrapped(root)
    return (escape(text, quote=False) if text else "") + html


def clean_body(raw_html: str) -> CleanedBody:
    """Clean the body HTML of a post page (navigation included) into safe HTML and text."""
    changes: Counter[str] = Counter()
    if _NOT_XML_CHARACTERS_RE.search(raw_html or ""):
        raw_html, removed = _NOT_XML_CHARACTERS_RE.subn("", raw_html)
        changes["control_characters_removed"] += removed
    root = parse_fragment(raw_html)
    drop_navigation(root, changes)
    drop_dangerous(root, changes)
    drop_chart_blocks(root, changes)
    drop_hidden(root, changes)
    unwrap_quote_widgets(root, changes)
    drop_unsafe_urls(root, changes)
    count_disallowed(root, changes)
    safe_html = sanitize(_inner_html(root))
    safe_root = parse_sanitized(safe_html)
    plain = PlainText()  # read by the Markdown walk: one walk for both
    try:
        markdown = markdown_from_element(safe_root, plain)
    except RecursionError:
        # The walk recurses once per level: Python's limit comes near 500 nested elements.
        raise TooDeepError(
            "the post body nests elements deeper than the Markdown conversion follows"
        ) from None
    return CleanedBody(
        html=safe_html.strip(),
        markdown=markdown,
        text=plain.result(),
        # The sanitizer writes "<" only to open a tag, and every character as itself: these
        # tests spare most bodies a walk.
        images=_images(safe_root) if "<img" in safe_html else [],
        highlights=_highlights(safe_root) if HIGHLIGHT_MARK in safe_html else [],
        summary=_summary(safe_root),
        changes=changes,
    )


def _images(root: etree._Element) -> list[str]:
    return [src for img in root.iter("img") if (src := img.get("src"))]


def _highlights(root: etree._Element) -> list[str]:
    """The ``■`` lines that head many outlet articles, without the mark: a paragraph each,
    or lines of one paragraph split by ``<br>``."""
    lines = (
        " ".join(line.split())
        for p in root.iter("p")
        for line in "".join(_texts_with_breaks(p)).split("\n")
    )
    return [
        line.lstrip(HIGHLIGHT_MARK).strip() for line in lines if line.startswith(HIGHLIGHT_MARK)
    ]


def _texts_with_breaks(element: etree._Element) -> Iterator[str]:
    """``element.itertext()``, with a ``"\n"`` for each ``<br>`` and for nothing else (a
    line wrapped in the source is one line)."""
    yield (element.text or "").replace("\n", " ")
    for child in element:
        if child.tag == "br":
            yield "\n"
        elif isinstance(child.tag, str):
            yield from _texts_with_breaks(child)
        yield (child.tail or "").replace("\n", " ")


def _summary(root: etree._Element) -> str | None:
    """The rolling-news digest: a blockquote opening the body (``> DIGEST`` in the post),
    its paragraphs a line each."""
    first = next((child for child in root if isinstance(child.tag, str)), None)
    if first is None or first.tag != "blockquote":
        return None
    paragraphs = [element_text(child) for child in first if child.tag == "p"]
    if paragraphs and len(paragraphs) == len(first) and not (first.text or "").strip():
        return "\n".join(paragraph for paragraph in paragraphs if paragraph) or None
    return element_text(first) or None
