"""Reading built post pages for comparisons, independently of the project's parsers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml.html import HtmlElement, document_fromstring

from tests.support.corpus import visible_text


@dataclass(frozen=True)
class ShownPost:
    path: str  # URL path of the page, from the site root
    title: str
    date_line: str
    body_text: str


def _is_navigation(block: HtmlElement) -> bool:
    text = block.text_content().strip()
    links = block.findall(".//a")
    if text == "<>":
        return True
    if len(links) == 1 and text == (links[0].get("href") or "").strip():
        return True
    return bool(links) and all(a.text_content().startswith("返回") for a in links)


def read_shown_post(site: Path, page: Path) -> ShownPost | None:
    """The post shown by a built page, or ``None`` when the page is not a post."""
    document = document_fromstring(page.read_bytes())
    sections = document.xpath("//div[@class='wrapper']/section")
    if not sections:
        return None
    section = sections[-1]
    children = [c for c in section if isinstance(c.tag, str)]
    if len(children) < 3 or children[0].tag != "small" or children[1].tag != "h1":
        return None
    body = children[2:-1]
    while body and _is_navigation(body[-1]):
        body.pop()
    html = "".join(etree.tostring(block, encoding="unicode") for block in body)
    return ShownPost(
        path="/" + page.relative_to(site).as_posix(),
        title=" ".join(children[1].text_content().split()),
        date_line=" ".join(children[0].text_content().split()),
        body_text="".join(visible_text(html or "<p></p>").split()),
    )


def shown_posts(site: Path) -> dict[str, ShownPost]:
    """Every post page of a built site, by URL path."""
    posts = {}
    for page in site.rglob("*.html"):
        if page.parts[len(site.parts)] == "category":
            continue
        shown = read_shown_post(site, page)
        if shown is not None:
            posts[shown.path] = shown
    return posts
