"""Removing what East Money's page furniture adds to an article body.

Quote widgets wrap words of the article (company and sector names) in spans and links:
the words stay, the wrappers go. Empty live-quote spans, K-line chart blocks, hidden
elements and the post's trailing navigation are not article text and go entirely.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from lxml.html import HtmlElement

from newsspider.pages.navigation import trailing_navigation

CHART_START = "EM_StockImg_Start"
CHART_END = "EM_StockImg_End"

# Spans and links around quoted words: ``<span id="stock_1.600160">``, ``<span id="bk_90.BK0493">``,
# ``<span id="Info.3321">``, ``<span class="em_stock_key_common">``, ``<a class="keytip">``.
_WRAPPER_SPAN_IDS = ("stock_", "bk_", "Info.")
_WRAPPER_SPAN_CLASS = "em_stock_key_common"
_WRAPPER_LINK_CLASSES = frozenset({"keytip", "infokey"})
# Live-quote placeholders filled by script: ``<span id="quote_1.600160"></span>``.
_PLACEHOLDER_IDS = ("quote_", "bkquote_", "Infoquote_")
# XPath's whitespace (``normalize-space``), which separates class names.
_XML_SPACE = str.maketrans("\t\n\r", "   ")


def _classes(element: HtmlElement) -> list[str]:
    value = element.get("class")
    return value.translate(_XML_SPACE).split(" ") if value else []


def _is_placeholder(element: HtmlElement) -> bool:
    return (element.get("id") or "").startswith(_PLACEHOLDER_IDS)


def _is_wrapper(element: HtmlElement) -> bool:
    if element.tag == "a":
        return not _WRAPPER_LINK_CLASSES.isdisjoint(_classes(element))
    return (element.get("id") or "").startswith(_WRAPPER_SPAN_IDS) or (
        _WRAPPER_SPAN_CLASS in _classes(element)
    )


_CHART_LINK_CLASS = "EmImageRemark"
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _has_text(element: HtmlElement) -> bool:
    """``text_content().strip()``, without the XPath query ``text_content`` runs."""
    return any(text.strip() for text in element.itertext())


def unwrap(element: HtmlElement) -> None:
    """``drop_tag()``: the tag goes, its text and children stay where it was.

    Moving the children out one by one and removing the element costs less than lxml.html's
    index lookup and slice assignment, and most wrappers hold one child or none.
    """
    parent = element.getparent()
    previous = element.getprevious()
    children = list(element)
    if element.text:
        _append_text(parent, previous, element.text)
    if element.tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + element.tail
        else:
            _append_text(parent, previous, element.tail)
    for child in children:
        element.addprevious(child)
    parent.remove(element)


def _append_text(parent: HtmlElement, previous: HtmlElement | None, text: str) -> None:
    """Add ``text`` after ``previous``, or at the start of ``parent`` when it is ``None``."""
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text


# Wrappers are unwrapped when the fragment is serialized: renamed to this tag where they
# stand (and stripped of attributes), their tags are then cut from the HTML. Unwrapping in
# the tree moves their words into the neighbouring texts, each move a decode and re-encode
# of a paragraph's text: that cost more than all other steps before the sanitizer.
UNWRAPPED = "newsspider-unwrapped"


def _unwrap_later(element: HtmlElement) -> None:
    element.tag = UNWRAPPED
    element.attrib.clear()


def unwrap_quote_widgets(root: HtmlElement, changes: Counter[str]) -> None:
    # Each list is made before its edits, the wrappers' after the placeholders' edits. (Python
    # tests over ``iter``, which matches names in C, cost less than XPath queries: these walk
    # a few dozen elements, and an XPath query costs some 10 µs before it reads one.)
    placeholders = [span for span in root.iter("span") if _is_placeholder(span)]
    for placeholder in placeholders:
        if _has_text(placeholder):
            _unwrap_later(placeholder)  # not empty after all: keep its words
            changes["quote_widgets_unwrapped"] += 1
            continue
        if len(placeholder):
            _drop(placeholder)
        else:  # left without its blank text, unwrapping it drops it
            placeholder.text = None
            _unwrap_later(placeholder)
        changes["empty_quote_spans_dropped"] += 1
    wrappers = [element for element in root.iter("span", "a") if _is_wrapper(element)]
    for wrapper in wrappers:
        _unwrap_later(wrapper)
        changes["quote_widgets_unwrapped"] += 1


def serialize_unwrapped(root: HtmlElement) -> tuple[str | None, str]:
    """The fragment's leading text and the HTML of the rest, the wrappers unwrapped.

    The serialized HTML, the wrappers' tags cut out, is what unwrapping them in the tree
    would serialize to (the same elements, the same texts in the same order), but for
    two cases, unwrapped in the tree first: wrappers that open the fragment (their words
    would join its leading text, which goes out unescaped) and any wrapper when comments
    are left (their text, written as is, might hold the tags).
    """
    if next(root.iter(etree.Comment), None) is not None:
        for element in list(root.iter(UNWRAPPED)):
            unwrap(element)
    while len(root) and root[0].tag == UNWRAPPED:
        unwrap(root[0])
    whole: str = etree.tostring(root, encoding="unicode", method="html")
    text: str | None = root.text
    # Leading text ends where its serialization ends: at the first "<", which it escapes.
    html = whole[len("<div>") if not text else whole.find("<", len("<div>")) : -len("</div>")]
    if UNWRAPPED in html:
        html = html.replace(f"<{UNWRAPPED}>", "").replace(f"</{UNWRAPPED}>", "")
    return text, html


def drop_chart_blocks(root: HtmlElement, changes: Counter[str]) -> None:
    """Drop ``<!-- EM_StockImg_Start -->…<!-- EM_StockImg_End -->`` and stray chart links."""
    for comment in list(root.iter(etree.Comment)):
        if CHART_START not in (comment.text or "") or comment.getparent() is None:
            continue
        doomed: list[HtmlElement] = [comment]
        sibling = comment.getnext()
        while sibling is not None and not (
            sibling.tag is etree.Comment and CHART_END in (sibling.text or "")
        ):
            doomed.append(sibling)
            sibling = sibling.getnext()
        if sibling is None:
            # No end marker beside it: dropping "everything after" could lose article text.
            _drop(comment)
            changes["unterminated_chart_markers"] += 1
            continue
        for element in [*doomed, sibling]:
            _drop(element)
        changes["chart_blocks_dropped"] += 1
    for link in [a for a in root.iter("a") if _CHART_LINK_CLASS in _classes(a)]:
        _drop(link)
        changes["chart_blocks_dropped"] += 1


def _styled(root: HtmlElement) -> list[HtmlElement]:
    """Elements with a ``style``, ``hidden`` or ``aria-hidden`` attribute, in document order."""
    styled = []
    for element in root.iter(etree.Element):
        names = element.keys()  # one list, cheaper than the ``attrib`` view
        if names and ("style" in names or "hidden" in names or "aria-hidden" in names):
            styled.append(element)
    return styled


def drop_hidden(root: HtmlElement, changes: Counter[str]) -> None:
    for element in _styled(root):
        hidden = (
            element.get("hidden") is not None
            or (element.get("aria-hidden") or "").lower() == "true"
            or bool(_HIDDEN_STYLE_RE.search(element.get("style") or ""))
        )
        if hidden and element.getparent() is not None:
            _drop(element)
            changes["hidden_elements_dropped"] += 1


# Never article content, and parsed differently by lxml and the sanitizer (``<noscript>``
# switches parsing modes): removed whole before sanitising. (``iter`` with tag names, not
# XPath: it tests each element's name in C, where the XPath evaluated 19 tests per element.)
_DANGEROUS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "form", "input", "button", "select", "textarea", "base", "meta",
    "link", "title",
)  # fmt: skip
# Foreign content: a browser closes an unclosed ``<svg>`` at the next ``<p>``, but lxml nests
# the rest of the article inside it. Unwrapped, not dropped, so no article text goes with it.
_FOREIGN = ("svg", "math")


def drop_dangerous(root: HtmlElement, changes: Counter[str]) -> None:
    # Listed first, in document order: one nested in another is counted too, as it is seen.
    for element in list(root.iter(*_DANGEROUS)):
        if element.getparent() is not None:
            _drop(element)
            changes["unsafe_tags_removed"] += 1
    for element in list(root.iter(*_FOREIGN)):
        if element.getparent() is not None:
            element.drop_tag()
            changes["unsafe_tags_removed"] += 1


# Navigation is a source link and a back-links block: the last few blocks are read first.
_LAST_BLOCKS = 4


def _trailing_navigation_blocks(root: HtmlElement) -> list[HtmlElement]:
    """``trailing_navigation(list(root))``'s blocks, reading the last few blocks when they
    hold the answer: it stops at the first block (from the end) that is not navigation."""
    last = root[-_LAST_BLOCKS:]
    _, _, blocks = trailing_navigation(last)
    if len(last) < len(root) and len(blocks) == sum(isinstance(b.tag, str) for b in last):
        _, _, blocks = trailing_navigation(list(root))  # no such block among them: read all
    return blocks


def drop_navigation(root: HtmlElement, changes: Counter[str]) -> None:
    """Drop the trailing source-link and back-links blocks (see ``pages.navigation``)."""
    for block in _trailing_navigation_blocks(root):
        _drop(block)
        changes["navigation_blocks_dropped"] += 1
