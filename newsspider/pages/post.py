"""Parser of a post page (``/<categories>/YYYY/MM/DD/<name>.html``).

The page's ``<section>`` holds, in order: ``<small>(GMT+8, …) DATE</small>``, ``<h1>TITLE</h1>``,
the body rendered by kramdown, and ``<small>tags: <em>TAG</em>…</small>``. The head is not
trusted for the body: a hand-written ``og:description`` pastes the body HTML unescaped, so
stray markup leaks out of it (and the HTML parser may move it into ``<body>``, before the
real wrapper). The real content is therefore the *last* ``div.wrapper > section``.

The leak doubles the page and is its slowest part to parse, so the page is parsed in two
pieces: the head up to the leaking meta (where jekyll-seo-tag writes every head value read
here) and the document from its ``<body>`` tag. The leak itself is never parsed: its markup is
a copy of the section's. A page that does not fit this shape (no ``<body>`` tag, no wrapper
section after it) is parsed whole, as one document.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any, ClassVar

from lxml import etree

from newsspider.htmlparser import check_read_whole, html_parser
from newsspider.pages.head import ScannedHead, TreeHead, scan_head
from newsspider.pages.navigation import text_of, trailing_navigation

SITE_TITLE = "金融消息"
_WHITESPACE_RE = re.compile(r"\s+")
_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses
#: The hand-written ``og:description`` of the layout; its value holds markup where it leaks.
_LEAK_META = '<meta property="og:description" content="'
_BODY_TAG = "<body"
_BODY_TAG_END = frozenset(" \t\n\r\f>")
#: Plain lxml elements: ``lxml.html``'s element classes cost a lookup per element.
_TEXT_PARSER = html_parser()

Element = Any  # lxml.etree._Element (lxml ships no type stubs)
Head = ScannedHead | TreeHead


class NotAPostError(ValueError):
    """The page does not have the structure of a post page."""


@dataclass(frozen=True, slots=True)
class PostPage:
    """What a post page shows, as plain values (nothing normalised yet)."""

    title: str
    shown_date: str | None
    tags: list[str]
    body_html: str
    source_link: str | None = None
    back_links: list[str] = field(default_factory=list)
    head_title: str | None = None
    head_published_time: str | None = None
    head_headline: str | None = None
    canonical_url: str | None = None


def normalize_space(text: str) -> str:
    return _WHITESPACE_RE.sub(" ", text).strip()


def _without_site_title(text: str) -> str | None:
    """``TITLE | 金融消息`` → ``TITLE``; the site title alone (an untitled page) → ``None``."""
    text = normalize_space(text)
    if text == SITE_TITLE:
        return None
    return normalize_space(text.removesuffix(f"| {SITE_TITLE}")) or None


@cache
def _bytes_parser(encoding: str | None) -> Any:
    return html_parser(encoding=encoding)


def _document(markup: str | bytes, parser: Any) -> Element | None:
    """The root of ``markup``, or ``None`` for a document with nothing in it."""
    try:
        root = etree.fromstring(markup, parser)
        check_read_whole(parser, "the page")
    except (etree.LxmlError, ValueError) as error:
        raise NotAPostError(f"unparseable HTML: {error}") from error
    return root


def _find(markup: str | bytes, literal: str, start: int = 0) -> int:
    if isinstance(markup, str):
        return markup.find(literal, start)
    return markup.find(literal.encode(), start)


def _leak_start(markup: str | bytes) -> int:
    """Where the leaking ``og:description`` starts (a value with markup in it), or -1."""
    meta = _find(markup, _LEAK_META)
    while meta >= 0:
        value = meta + len(_LEAK_META)
        quote = _find(markup, '"', value)
        markup_in_value = _find(markup, "<", value)
        if 0 <= markup_in_value < quote or quote < 0 <= markup_in_value:
            return meta
        meta = _find(markup, _LEAK_META, value)
    return -1


def _body_tag_start(markup: str | bytes, start: int) -> int:
    tag = _find(markup, _BODY_TAG, start)
    while tag >= 0:
        after = markup[tag + len(_BODY_TAG) : tag + len(_BODY_TAG) + 1]
        if (after.decode("latin-1") if isinstance(after, bytes) else after) in _BODY_TAG_END:
            return tag
        tag = _find(markup, _BODY_TAG, tag + 1)
    return -1


def _wrapper_section(root: Element) -> Element | None:
    """The last ``div.wrapper > section`` (a loop: cheaper than XPath for these few)."""
    sections = list(root.iter("section"))
    for section in reversed(sections):
        parent = section.getparent()
        if parent.tag == "div" and "wrapper" in _XML_SPACE_RE.split(parent.get("class") or ""):
            return section
    return None


def _tree_head(root: Element | None) -> TreeHead | None:
    return TreeHead(root) if root is not None else None


def _inert_heading(markup: str | bytes) -> str | bytes:
    """``markup`` with any ``<`` in the post's ``<h1>`` written as ``&lt;``.

    The layout prints the title into ``<h1>`` raw: in ``A<B股跌幅收窄`` the parser (and a
    browser) opens a ``<b股跌幅收窄>`` element that swallows the rest of the section, body and
    tags line included. A title is plain text, so such a ``<`` is a character of it. The
    heading is the first ``<h1>`` after ``<section>`` (the site title's is in ``<header>``).
    """
    section = _find(markup, "<section>")
    heading = _find(markup, "<h1>", section) if section >= 0 else -1
    end = _find(markup, "</h1>", heading) if heading >= 0 else -1
    if end < 0:
        return markup
    start = heading + len("<h1>")
    if _find(markup[start:end], "<") < 0:
        return markup
    if isinstance(markup, str):
        return markup[:start] + markup[start:end].replace("<", "&lt;") + markup[end:]
    return markup[:start] + markup[start:end].replace(b"<", b"&lt;") + markup[end:]


def _split(markup: str | bytes) -> tuple[str | bytes, str | bytes] | None:
    """The head before the leak and the document from its ``<body>`` tag (``None``: no tag).

    The body tag is looked for after the leak (or ``</head>``): a ``<body`` in the head's
    JSON-LD or title text must not cut the head short. (``find``: ten times a regex's speed.)
    """
    leak = _leak_start(markup)
    body = _body_tag_start(markup, leak if leak >= 0 else max(_find(markup, "</head>"), 0))
    if body < 0:
        return None
    head_end = leak if 0 <= leak < body else body
    return markup[:head_end], markup[body:]


class PostPageV1:
    """The post layout of 2021-12 to 2022 (the only one seen so far)."""

    _date_re: ClassVar[re.Pattern[str]] = re.compile(
        r"(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)"
    )
    _tags_prefix: ClassVar[str] = "tags:"

    def parse(self, html: str | bytes) -> PostPage:
        heads, section = self._parse_parts(html)
        children = list(section)
        date_small = next((c for c in children if self._is_date_line(c)), None)
        heading = next((c for c in children if c.tag == "h1"), None)
        tags_small = next((c for c in reversed(children) if self._is_tags_line(c)), None)
        # Every post shows its date line and tags line (even with an empty date or title); a
        # page with neither, such as the 404 page, is not a post.
        if date_small is None and tags_small is None:
            raise NotAPostError("no date line and no tags line in the page's <section>")

        start = max((children.index(c) for c in (date_small, heading) if c is not None), default=-1)
        end = children.index(tags_small) if tags_small is not None else len(children)
        source_link, back_links, _ = trailing_navigation(children[start + 1 : end])
        return PostPage(
            title=normalize_space(text_of(heading)) if heading is not None else "",
            shown_date=self._shown_date(date_small),
            tags=self._tags(tags_small),
            body_html=self._body_html(section, children, start, end),
            source_link=source_link,
            back_links=back_links,
            head_title=self._head_title(heads[0]),
            head_published_time=self._meta(heads, "article:published_time"),
            head_headline=self._ld_json_headline(heads),
            canonical_url=_first(heads, lambda head: head.canonical_hrefs()),
        )

    def _parse_parts(self, markup: str | bytes) -> tuple[list[Head], Element]:
        """Where head values are read (in document order), and the content section."""
        split = _split(markup)
        if split is not None:
            head_markup, body_markup = split
            body_markup = _inert_heading(body_markup)
            head: Head | None
            if isinstance(head_markup, str):
                parser = _TEXT_PARSER
                head = scan_head(head_markup) or _tree_head(_document(head_markup, parser))
            else:  # the body is decoded as the head declares
                root = _document(head_markup, _bytes_parser(None))
                parser = _bytes_parser(
                    root.getroottree().docinfo.encoding if root is not None else None
                )
                head = _tree_head(root)
            body = _document(body_markup, parser)
            section = _wrapper_section(body) if body is not None else None
            if section is not None:
                heads: list[Head] = [TreeHead(body)]
                return ([head, *heads] if head is not None else heads), section
        parser = _TEXT_PARSER if isinstance(markup, str) else _bytes_parser(None)
        document = _document(_inert_heading(markup), parser)
        if document is None:
            raise NotAPostError("unparseable HTML: Document is empty")
        return [TreeHead(document)], self._content_section(document)

    def _content_section(self, document: Element) -> Element:
        section = _wrapper_section(document)
        if section is not None:
            return section
        sections = list(document.iter("section"))  # not the site's layout: any will do
        if not sections:
            raise NotAPostError("no <section> element: not a page of the site's layout")
        return sections[-1]

    def _body_html(self, section: Element, children: list[Element], start: int, end: int) -> str:
        """The blocks between the heading and the tags line, as HTML.

        Text right after the heading belongs to the body; so does each block's tail, the last
        one sitting just before the tags line. The tree is thrown away after the parse, so the
        section is cut down to those blocks and serialised in one call.
        """
        lead_text = children[start].tail if start >= 0 else section.text
        for index, child in enumerate(children):
            if not start < index < end:
                section.remove(child)  # its tail goes with it
        section.text = None
        section.attrib.clear()
        markup: str = etree.tostring(section, encoding="unicode", method="html", with_tail=False)
        blocks = markup[len("<section>") : -len("</section>")]
        return ((lead_text or "").strip() + blocks).strip()

    def _is_date_line(self, element: Element) -> bool:
        return element.tag == "small" and "GMT+8" in text_of(element)

    def _is_tags_line(self, element: Element) -> bool:
        return element.tag == "small" and text_of(element).strip().startswith(self._tags_prefix)

    def _shown_date(self, small: Element | None) -> str | None:
        if small is None:
            return None
        match = self._date_re.search(text_of(small).split(")")[-1])
        return match.group(1) if match else None

    def _tags(self, small: Element | None) -> list[str]:
        if small is None:
            return []
        emphasised = [text_of(em) for em in small.iter("em")]
        raw = emphasised or [text_of(small).strip()[len(self._tags_prefix) :]]
        # Jekyll splits tags on spaces, so a tag never holds one.
        return [tag for text in raw for tag in text.split()]

    def _head_title(self, head: Head) -> str | None:
        title = next(head.titles(), None)
        if title is None:
            return None
        # jekyll-seo-tag writes "TITLE | SITE", or the site title alone for an untitled page.
        return _without_site_title(title)

    def _meta(self, heads: list[Head], prop: str) -> str | None:
        content = _first(heads, lambda head: head.meta_contents(prop))
        return (content or "").strip() or None

    def _ld_json_headline(self, heads: list[Head]) -> str | None:
        for text in chain.from_iterable(head.ld_json_texts() for head in heads):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and isinstance(data.get("headline"), str):
                return _without_site_title(html.unescape(data["headline"]))
        return None


def _first(heads: list[Head], values: Callable[[Head], Iterable[str | None]]) -> str | None:
    """The first value any of ``heads`` gives, in document order."""
    return next(chain.from_iterable(values(head) for head in heads), None)
