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
_WIDGET_WRAPPERS = etree.XPath(
    "//span[starts-with(@id, 'stock_') or starts-with(@id, 'bk_') or starts-with(@id, 'Info.')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' em_stock_key_common ')]"
    " | //a[contains(concat(' ', normalize-space(@class), ' '), ' keytip ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' infokey ')]"
)
# Live-quote placeholders filled by script: ``<span id="quote_1.600160"></span>``.
_QUOTE_PLACEHOLDERS = etree.XPath(
    "//span[starts-with(@id, 'quote_') or starts-with(@id, 'bkquote_')"
    " or starts-with(@id, 'Infoquote_')]"
)
_CHART_LINKS = etree.XPath(
    "//a[contains(concat(' ', normalize-space(@class), ' '), ' EmImageRemark ')]"
)
_STYLED = etree.XPath("//*[@style or @hidden or @aria-hidden]")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def unwrap_quote_widgets(root: HtmlElement, changes: Counter[str]) -> None:
    for placeholder in _QUOTE_PLACEHOLDERS(root):
        if placeholder.text_content().strip():
            placeholder.drop_tag()  # not empty after all: keep its words
            changes["quote_widgets_unwrapped"] += 1
        else:
            _drop(placeholder)
            changes["empty_quote_spans_dropped"] += 1
    for wrapper in _WIDGET_WRAPPERS(root):
        wrapper.drop_tag()
        changes["quote_widgets_unwrapped"] += 1


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
    for link in _CHART_LINKS(root):
        _drop(link)
        changes["chart_blocks_dropped"] += 1


def drop_hidden(root: HtmlElement, changes: Counter[str]) -> None:
    for element in _STYLED(root):
        hidden = (
            element.get("hidden") is not None
            or (element.get("aria-hidden") or "").lower() == "true"
            or bool(_HIDDEN_STYLE_RE.search(element.get("style") or ""))
        )
        if hidden and element.getparent() is not None:
            _drop(element)
            changes["hidden_elements_dropped"] += 1


# Never article content, and parsed differently by lxml and the sanitizer (``<noscript>``
# switches parsing modes): removed whole before sanitising.
_DANGEROUS = etree.XPath(
    "//*[self::script or self::style or self::noscript or self::template or self::iframe"
    " or self::frame or self::frameset or self::object or self::embed or self::applet"
    " or self::form or self::input or self::button or self::select or self::textarea"
    " or self::base or self::meta or self::link or self::title]"
)
# Foreign content: a browser closes an unclosed ``<svg>`` at the next ``<p>``, but lxml nests
# the rest of the article inside it. Unwrapped, not dropped, so no article text goes with it.
_FOREIGN = etree.XPath("//*[local-name()='svg' or local-name()='math']")


def drop_dangerous(root: HtmlElement, changes: Counter[str]) -> None:
    for element in _DANGEROUS(root):
        if element.getparent() is not None:
            _drop(element)
            changes["unsafe_tags_removed"] += 1
    for element in _FOREIGN(root):
        if element.getparent() is not None:
            element.drop_tag()
            changes["unsafe_tags_removed"] += 1


def drop_navigation(root: HtmlElement, changes: Counter[str]) -> None:
    """Drop the trailing source-link and back-links blocks (see ``pages.navigation``)."""
    _, _, blocks = trailing_navigation(list(root))
    for block in blocks:
        _drop(block)
        changes["navigation_blocks_dropped"] += 1
