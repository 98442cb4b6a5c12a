"""Plain text of cleaned article HTML: one paragraph per block, blank lines between."""

from __future__ import annotations

import re
from typing import Any

# lxml elements, plain or lxml.html's (lxml ships no type stubs).
Element = Any

BLOCK_TAGS = frozenset(
    {
        "p", "div", "blockquote", "li", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "center", "caption", "section",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
# Spaces of any width (``&nbsp;``, the full-width indentation ``　``) collapse to one.
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")


def html_to_text(root: Element) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    _walk(root, current, paragraphs, is_root=True)
    _flush(current, paragraphs)
    return "\n\n".join(paragraphs)


def _flush(current: list[str], paragraphs: list[str]) -> None:
    """End the paragraph ``current`` holds: its lines with their spaces collapsed."""
    if not current:
        return  # blocks open and close a paragraph each: most calls find nothing
    joined = "".join(current)
    current.clear()
    # ``" ".join(line.split())`` is ``_INLINE_SPACE_RE.sub(" ", line).strip()`` for a line
    # (no "\n"): the same whitespace, str.isspace's, at a quarter of the regex's cost on CJK.
    if "\n" not in joined:
        text = " ".join(joined.split())
    else:
        lines = [" ".join(line.split()) for line in joined.split("\n")]
        text = "\n".join([line for line in lines if line])
    if text:
        paragraphs.append(text)


def _walk(
    element: Element, current: list[str], paragraphs: list[str], is_root: bool = False
) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag in BLOCK_TAGS
    if block:
        _flush(current, paragraphs)
    elif tag == "br":
        current.append("\n")
    elif tag in CELL_TAGS and current and not current[-1].endswith("\n"):
        current.append(" ")
    if tag or is_root:
        text = element.text
        current.append(text.replace("\n", " ") if text else "")
        for child in element:
            _walk(child, current, paragraphs)
    if block:
        _flush(current, paragraphs)
    if not is_root:
        tail = element.tail
        current.append(tail.replace("\n", " ") if tail else "")


def first_sentence(text: str, limit: int = 80) -> str:
    """The first sentence of ``text`` (up to ``。！？!?``), at most ``limit`` characters."""
    first_paragraph = text.strip().split("\n", 1)[0] if text.strip() else ""
    match = re.match(r"(.+?[。！？!?])", first_paragraph)
    sentence = match.group(1) if match else first_paragraph
    return sentence[:limit].strip()


def element_text(element: Element) -> str:
    """The text of ``element`` and its descendants, spaces collapsed."""
    text = "".join(element.itertext()) if len(element) else element.text or ""
    return _INLINE_SPACE_RE.sub(" ", text).strip()
