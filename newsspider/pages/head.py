"""The values read from a page's head: from an lxml tree, or straight from jekyll-seo-tag's text.

A post page's head costs lxml as much to parse as the post itself, and only four of its tags
are read: ``<title>``, the ``article:published_time`` meta, the canonical link and the
JSON-LD script. The head that jekyll-seo-tag and the layout write is a flat run of head tags
with escaped values, so :class:`ScannedHead` reads those four from the text with plain string
searches, once one regular expression has checked that the head keeps to that grammar.

The grammar: doctype, ``<html>``, ``<head>``, comments, ``<meta>`` and ``<link>`` in
jekyll-seo-tag's attribute orders, ``<title>``, JSON-LD or JavaScript ``<script>``, a final
``</head>``, ASCII space between them. Values hold no ``<``, ``>``, NUL or CR and no ``&``
but HTML 4's named references and ``&#39;``. Within it every ``<`` opens a tag and lxml's tree holds
exactly these tags with these values (``tests/unit/test_head.py`` checks this against lxml);
:func:`scan_head` answers ``None`` for anything else, which is then parsed by lxml.

Both readers give, in document order, what the post parser picks the first of.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.entities import name2codepoint
from typing import Any

from lxml import etree

_PLAIN = r"[^<>&\x00\r\ud800-\udfff"  # NUL, CR: lxml rewrites them; surrogates: it refuses them
# HTML 4's named references (Liquid's escape_once keeps the "&nbsp;" of descriptions) and the
# "&#39;" of Liquid's escape: lxml decodes exactly these as html.unescape does.
_ESCAPE = "&(?:" + "|".join(sorted(name2codepoint, key=len, reverse=True)) + "|#39);"
_VALUE = rf'"(?:{_PLAIN}"]++|{_ESCAPE})*+"'
_TEXT = rf"(?:{_PLAIN}]++|{_ESCAPE})*+"
_SPACE = r"[ \t\n\r]*+"  # lxml skips it between head tags; any other character is body text
_TAG = (
    "<!DOCTYPE html>|<html(?: lang=" + _VALUE + ")?>|<head>"
    r"|<!--(?:[^<>\-]++|-(?!-))*+-->"
    "|<meta charset=" + _VALUE + "(?: /)?>"
    "|<meta (?:name|property|http-equiv)=" + _VALUE + " content=" + _VALUE + "(?: /)?>"
    "|<link (?:type=" + _VALUE + " )?rel=" + _VALUE + " href=" + _VALUE
    + "(?: title=" + _VALUE + ")?(?: /)?>"
    "|<title>" + _TEXT + "</title>"
    r'|<script type="(?:application/ld\+json|text/javascript)">[^<\x00\r\ud800-\udfff]*+</script>'
)  # fmt: skip
_HEAD_RE = re.compile(f"(?:{_SPACE}(?:{_TAG}))*+{_SPACE}(?:</head>{_SPACE})?")
_LINK_RE = re.compile(r'<link (?:type="[^"]*" )?rel="([^"]*)" href="([^"]*)"')
_LD_JSON_SCRIPT = '<script type="application/ld+json">'


def _unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


class ScannedHead:
    """A head within the grammar, read from its text."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def titles(self) -> Iterator[str]:
        """The first ``<title>``'s text (the grammar keeps every title inside ``<head>``)."""
        start = self.markup.find("<title>")
        if start >= 0:
            start += len("<title>")
            yield _unescape(self.markup[start : self.markup.index("</title>", start)])

    def meta_contents(self, key: str) -> Iterator[str]:
        """``content`` of each ``<meta>`` whose ``name`` or ``property`` is ``key``."""
        markup, needle = self.markup, f'="{key}" content="'
        found = markup.find(needle)
        while found >= 0:
            # Every "<" opens a tag, so this is the first attribute of a real <meta>.
            if markup.endswith("<meta name", 0, found) or markup.endswith(
                "<meta property", 0, found
            ):
                start = found + len(needle)
                yield _unescape(markup[start : markup.index('"', start)])
            found = markup.find(needle, found + 1)

    def canonical_hrefs(self) -> Iterator[str | None]:
        found = self.markup.find("<link ")
        while found >= 0:
            match = _LINK_RE.match(self.markup, found)
            if match and _unescape(match[1]).lower() == "canonical":
                yield _unescape(match[2])
            found = self.markup.find("<link ", found + 1)

    def ld_json_texts(self) -> Iterator[str]:
        markup = self.markup
        found = markup.find(_LD_JSON_SCRIPT)
        while found >= 0:
            start = found + len(_LD_JSON_SCRIPT)
            end = markup.index("</script>", start)
            yield markup[start:end]
            found = markup.find(_LD_JSON_SCRIPT, end)


def scan_head(markup: str) -> ScannedHead | None:
    """``markup`` (a page up to its ``<body>``) as a :class:`ScannedHead`, or ``None`` when it
    leaves the grammar."""
    return ScannedHead(markup) if _HEAD_RE.fullmatch(markup) else None


class TreeHead:
    """The same values from an lxml tree (a whole page, or a part of one)."""

    _title_xpath = etree.XPath("//head/title")
    _meta_xpath = etree.XPath("//meta[@property = $key or @name = $key]")
    _link_xpath = etree.XPath("//link")
    _ld_json_xpath = etree.XPath("//script[@type = 'application/ld+json']")

    def __init__(self, root: Any) -> None:
        self.root = root

    def titles(self) -> Iterator[str]:
        for title in self._title_xpath(self.root)[:1]:
            yield "".join(title.itertext())

    def meta_contents(self, key: str) -> Iterator[str]:
        for meta in self._meta_xpath(self.root, key=key):
            yield meta.get("content") or ""

    def canonical_hrefs(self) -> Iterator[str | None]:
        for link in self._link_xpath(self.root):
            if (link.get("rel") or "").lower() == "canonical":
                yield link.get("href")

    def ld_json_texts(self) -> Iterator[str]:
        for script in self._ld_json_xpath(self.root):
            yield script.text or ""
