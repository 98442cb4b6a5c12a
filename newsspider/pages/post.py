"""Parser of a post page (``/<categories>/YYYY/MM/DD/<name>.html``).

The page's ``<section>`` holds, in order: ``<small>(GMT+8, …) DATE</small>``, ``<h1>TITLE</h1>``,
the body rendered by kramdown, and ``<small>tags: <em>TAG</em>…</small>``. The head is not
trusted for the body: a hand-written ``og:description`` pastes the body HTML unescaped, so
stray markup leaks out of it (and the HTML parser may move it into ``<body>``, before the
real wrapper). The real content is therefore the *last* ``div.wrapper > section``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import ClassVar

from lxml import etree
from lxml.html import HtmlElement, document_fromstring

from newsspider.pages.navigation import trailing_navigation

SITE_TITLE = "金融消息"
_WHITESPACE_RE = re.compile(r"\s+")


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


class PostPageV1:
    """The post layout of 2021-12 to 2022 (the only one seen so far)."""

    _section_xpath: ClassVar[etree.XPath] = etree.XPath(
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' wrapper ')]/section"
    )
    _any_section_xpath: ClassVar[etree.XPath] = etree.XPath("//section")
    _date_re: ClassVar[re.Pattern[str]] = re.compile(
        r"(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)"
    )
    _tags_prefix: ClassVar[str] = "tags:"

    def parse(self, html: str | bytes) -> PostPage:
        try:
            document = document_fromstring(html)
        except (etree.ParserError, ValueError) as error:
            raise NotAPostError(f"unparseable HTML: {error}") from error
        section = self._content_section(document)
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
        body_blocks = children[start + 1 : end]
        # Text right after the heading belongs to the body; so does each block's tail
        # (``tostring`` keeps tails), the last one sitting just before the tags line.
        lead_text = children[start].tail if start >= 0 else section.text
        body_html = (lead_text or "").strip() + "".join(
            etree.tostring(block, encoding="unicode", method="html") for block in body_blocks
        )

        source_link, back_links, _ = trailing_navigation(body_blocks)
        return PostPage(
            title=normalize_space(heading.text_content()) if heading is not None else "",
            shown_date=self._shown_date(date_small),
            tags=self._tags(tags_small),
            body_html=body_html.strip(),
            source_link=source_link,
            back_links=back_links,
            head_title=self._head_title(document),
            head_published_time=self._meta(document, "article:published_time"),
            head_headline=self._ld_json_headline(document),
            canonical_url=self._canonical(document),
        )

    def _content_section(self, document: HtmlElement) -> HtmlElement:
        sections = self._section_xpath(document) or self._any_section_xpath(document)
        if not sections:
            raise NotAPostError("no <section> element: not a page of the site's layout")
        section: HtmlElement = sections[-1]
        return section

    def _is_date_line(self, element: HtmlElement) -> bool:
        return element.tag == "small" and "GMT+8" in element.text_content()

    def _is_tags_line(self, element: HtmlElement) -> bool:
        text: str = element.text_content()
        return element.tag == "small" and text.strip().startswith(self._tags_prefix)

    def _shown_date(self, small: HtmlElement | None) -> str | None:
        if small is None:
            return None
        match = self._date_re.search(small.text_content().split(")")[-1])
        return match.group(1) if match else None

    def _tags(self, small: HtmlElement | None) -> list[str]:
        if small is None:
            return []
        emphasised = [em.text_content() for em in small.iter("em")]
        raw = emphasised or [small.text_content().strip()[len(self._tags_prefix) :]]
        # Jekyll splits tags on spaces, so a tag never holds one.
        return [tag for text in raw for tag in text.split()]

    def _head_title(self, document: HtmlElement) -> str | None:
        title = document.find(".//head/title")
        if title is None:
            return None
        # jekyll-seo-tag writes "TITLE | SITE", or the site title alone for an untitled page.
        return _without_site_title(title.text_content())

    def _meta(self, document: HtmlElement, prop: str) -> str | None:
        for meta in document.iter("meta"):
            if meta.get("property") == prop or meta.get("name") == prop:
                content = (meta.get("content") or "").strip()
                return content or None
        return None

    def _canonical(self, document: HtmlElement) -> str | None:
        for link in document.iter("link"):
            if (link.get("rel") or "").lower() == "canonical":
                href: str | None = link.get("href")
                return href
        return None

    def _ld_json_headline(self, document: HtmlElement) -> str | None:
        for script in document.iter("script"):
            if script.get("type") != "application/ld+json":
                continue
            try:
                data = json.loads(script.text or "")
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and isinstance(data.get("headline"), str):
                return _without_site_title(html.unescape(data["headline"]))
        return None
