"""Parsers of the listing pages: the home page, category pages and the rolling-news page."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from parsel import Selector

from newsspider.pages.post import normalize_space
from newsspider.urls import POST_PATH_RE


@dataclass(frozen=True, slots=True)
class ListingLink:
    href: str
    title: str


@dataclass(frozen=True, slots=True)
class HomeSection:
    """One tag's block of the home page: ``<h2 id="TAG">TAG</h2>`` and its newest posts."""

    tag: str
    links: list[ListingLink]


def _is_post_href(href: str) -> bool:
    return POST_PATH_RE.match(unquote(urlsplit(href).path)) is not None


class HomePage:
    """``/``: one ``<h2 id=TAG>`` + ``<ul>`` section per tag, separated by ``<hr />``."""

    def parse(self, selector: Selector) -> list[HomeSection]:
        if not selector.css("section"):
            raise NotAListingError("no <section>: not the site's home page")
        sections: list[HomeSection] = []
        seen: set[str] = set()
        for heading in selector.css("section h2[id]") or selector.css("h2[id]"):
            tag = normalize_space(heading.xpath("string()").get("")) or heading.attrib["id"]
            if tag in seen:
                continue
            seen.add(tag)
            items = heading.xpath("following-sibling::ul[1]//a[@href]")
            sections.append(HomeSection(tag=tag, links=_links(items)))
        return sections


class NotAListingError(ValueError):
    """The page does not have the site's layout: an empty list would be a lie."""


class CategoryPage:
    """``/category/<slug>.html`` and ``/emnews/``: a ``<ul>`` of post links, newest first.

    The links are the ``li a[href]`` of the ``div.wrapper > section`` (the site's layout has
    one; a page without it: those of its last ``section``). A page without any ``<section>``
    (an error page, garbage served with 200) raises :class:`NotAListingError`: taking it for
    an empty category would mark its posts gone.

    :meth:`iter_links` reads the page as a stream of parser events and yields each link as it
    is read, each list item freed once read: a category page lists every post of its
    category (850 KB, 7,000 links at 20,000 posts), and its whole tree, or the list of its
    links, raised the crawl's peak memory for good.
    """

    def parse(self, html: bytes | str, encoding: str | None = None) -> list[ListingLink]:
        return list(self.iter_links(html, encoding))

    def iter_links(self, html: bytes | str, encoding: str | None = None) -> Iterator[ListingLink]:
        """The links, as read; raises :class:`NotAListingError` at the end of a page that
        has no ``<section>`` (having yielded nothing)."""
        if isinstance(html, str):
            html, encoding = html.encode("utf-8"), "utf-8"
        parser = etree.HTMLPullParser(events=("start", "end"), encoding=encoding)
        reader = _ListingReader()
        for offset in range(0, len(html), _CHUNK):
            parser.feed(html[offset : offset + _CHUNK])
            yield from reader.read(parser.read_events())
        with contextlib.suppress(etree.XMLSyntaxError):  # an empty document: no <section>
            parser.close()
        yield from reader.read(parser.read_events())
        yield from reader.fallback_links()


_CHUNK = 64 * 1024


class _ListingReader:
    """``li a[href]`` of the wrapper's sections as they are read; other sections' kept aside
    in case the page has no wrapper section."""

    def __init__(self) -> None:
        self.open_sections: list[bool] = []  # for each open <section>: inside div.wrapper?
        self.in_wrapper = 0  # open wrapper sections
        self.wrapper_seen = False
        self.other_sections: list[list[ListingLink]] = []  # links of sections outside
        self.open_others: list[list[ListingLink]] = []
        self.list_items = 0  # <li> elements open around the current one

    def read(self, events: Iterator[tuple[str, Any]]) -> Iterator[ListingLink]:
        for event, element in events:
            tag = element.tag
            if event == "start":
                if tag == "section":
                    self._open_section(element)
                elif tag == "li":
                    self.list_items += 1
                continue
            if tag == "a" and self.list_items and self.open_sections:
                link = _post_link(element)
                if link is not None and self.in_wrapper:
                    yield link
                elif link is not None and not self.wrapper_seen:
                    for links in self.open_others:
                        links.append(link)
            elif tag == "li":
                self.list_items -= 1
                _free(element)
            elif tag == "section" and self.open_sections:
                self._close_section()

    def _open_section(self, section: Any) -> None:
        parent = section.getparent()
        wrapped = (
            parent is not None
            and parent.tag == "div"
            and "wrapper" in (parent.get("class") or "").split()
        )
        self.open_sections.append(wrapped)
        if wrapped:
            self.in_wrapper += 1
            self.wrapper_seen = True
            self.other_sections.clear()  # never needed now
            self.open_others.clear()
        elif not self.wrapper_seen:
            links: list[ListingLink] = []
            self.other_sections.append(links)
            self.open_others.append(links)

    def _close_section(self) -> None:
        if self.open_sections.pop():
            self.in_wrapper -= 1
        elif self.open_others:
            self.open_others.pop()

    def fallback_links(self) -> list[ListingLink]:
        if self.wrapper_seen:
            return []
        if not self.other_sections:
            raise NotAListingError("no <section>: not a listing page of the site")
        return self.other_sections[-1]


def _free(element: Any) -> None:
    """Drop a list item that was read, and the read ones before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _links(anchors: list[Selector]) -> list[ListingLink]:
    links = (_post_link(anchor.root) for anchor in anchors)
    return [link for link in links if link is not None]


def _post_link(anchor: Any) -> ListingLink | None:
    """The link of an ``<a>`` element to a post, or ``None`` for any other link."""
    href = (anchor.get("href") or "").strip()
    if not href or not _is_post_href(href):
        return None
    return ListingLink(href=href, title=normalize_space("".join(anchor.itertext())))
