"""Parsers of the listing pages: the home page, category pages and the rolling-news page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

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

    A page without the site's ``<section>`` (an error page, garbage served with 200) raises
    :class:`NotAListingError`: taking it for an empty category would mark its posts gone.
    """

    def parse(self, selector: Selector) -> list[ListingLink]:
        sections = selector.css("div.wrapper > section") or selector.css("section")
        if not sections:
            raise NotAListingError("no <section>: not a listing page of the site")
        return _links(sections[-1].css("li a[href]"))


def _links(anchors: list[Selector]) -> list[ListingLink]:
    links: list[ListingLink] = []
    for anchor in anchors:
        href = anchor.attrib.get("href", "").strip()
        if href and _is_post_href(href):
            title = normalize_space(anchor.xpath("string()").get(""))
            links.append(ListingLink(href=href, title=title))
    return links
