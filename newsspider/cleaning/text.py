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


class PlainText:
    """The plain text of the elements and texts it is told about, in document order.

    ``start(tag)`` as an element opens (``""`` for a comment), ``data(text)`` for its text
    and, once it has closed (``end(tag)``), for its tail. The Markdown walk tells it about
    the tree as it goes, so the text costs no walk of its own.
    """

    __slots__ = ("_after_break", "_current", "_open", "_paragraphs")

    def __init__(self) -> None:
        self._current: list[str] = []  # the paragraph being read, empty texts left out
        self._paragraphs: list[str] = []
        self._open = False  # told anything, even an empty text, since the last block edge
        self._after_break = False  # the last thing told was a <br>

    def start(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag == "br":
            self._current.append("\n")
            self._open = self._after_break = True
        elif tag in CELL_TAGS and self._open and not self._after_break:
            self._current.append(" ")  # cells of a row, apart
            self._after_break = False

    def data(self, text: str | None) -> None:
        if text:
            self._current.append(text.replace("\n", " "))
        self._open = True
        self._after_break = False

    def end(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()

    def result(self) -> str:
        self._flush()
        return "\n\n".join(self._paragraphs)

    def _flush(self) -> None:
        """End the paragraph being read: its lines with their spaces collapsed."""
        self._open = False
        current = self._current
        if not current:
            return  # blocks open and close a paragraph each: most calls find nothing
        joined = "".join(current)
        current.clear()
        # ``" ".join(line.split())`` is ``_INLINE_SPACE_RE.sub(" ", line).strip()`` for a
        # line (no "\n"): the same whitespace (str.isspace's), at a quarter of the cost on CJK.
        if "\n" not in joined:
            text = " ".join(joined.split())
        else:
            lines = [" ".join(line.split()) for line in joined.split("\n")]
            text = "\n".join([line for line in lines if line])
        if text:
            self._paragraphs.append(text)


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
