"""Jekyll posts in the site's own format (see ``corpus/finews/_posts/2022-03-03-NW….md``).

``render_post`` is a pure function; :class:`JekyllPostExporter` writes one post into the
file object it is given, in Scrapy's ``BaseItemExporter`` protocol.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, BinaryIO
from urllib.parse import quote

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from newsspider.cleaning.markdown import escape
from newsspider.dates import parse_iso, to_front_matter
from newsspider.exporters.yaml_scalars import double_quoted, scalar
from newsspider.urls import DEFAULT_BASE_URL, ROLLING_CATEGORY

SITE_LINK_ROOT = "//" + DEFAULT_BASE_URL.split("://", 1)[1]
BODY_FORMATS = ("markdown", "html")


def article_fields(item: Any) -> dict[str, Any]:
    """An item's fields as a dict, not copied (``ItemAdapter.asdict`` copies every level: a
    third of a post's cost; the renderers only read)."""
    if isinstance(item, dict):
        return item
    if is_dataclass(item) and not isinstance(item, type):
        return {name: getattr(item, name) for name in _field_names(type(item))}
    return ItemAdapter(item).asdict()


@cache
def _field_names(dataclass: type) -> tuple[str, ...]:
    return tuple(field.name for field in fields(dataclass))


def post_filename(article: dict[str, Any]) -> str:
    """``YYYY-MM-DD-<id>.md``: the site's own post file name."""
    published = parse_iso(article.get("published_at") or "")
    if published is None:
        raise ValueError(f"article {article.get('id')!r} has no valid published_at")
    return f"{published:%Y-%m-%d}-{article['id']}.md"


def _category_link(category: str) -> str:
    if category == ROLLING_CATEGORY:
        return f"{SITE_LINK_ROOT}/{ROLLING_CATEGORY}/"
    # Balanced parentheses and spaces survive in kramdown link targets (the site writes them
    # as is); anything else is percent-encoded.
    safe = "() " if _balanced(category) else ""
    return f"{SITE_LINK_ROOT}/category/{quote(category, safe=safe)}.html"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _link_text(text: str) -> str:
    return escape(" ".join(text.split()))


def _inert(text: str) -> str:
    """The site's layout prints titles and tags raw into HTML: no markup may start there."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def render_post(article: dict[str, Any], body_format: str = "markdown") -> str:
    """The post file of ``article`` (a dict of :class:`~newsspider.items.ArticleItem` fields)."""
    if body_format not in BODY_FORMATS:
        raise ValueError(f"body format must be one of {BODY_FORMATS}, got {body_format!r}")
    published = parse_iso(article.get("published_at") or "")
    if published is None:
        raise ValueError(f"article {article.get('id')!r} has no valid published_at")
    tags = " ".join(_inert(tag) for tag in article.get("tags") or [])
    category = article.get("category") or ""
    front_matter = [
        "---",
        "layout: post",
        f"title: {double_quoted(_inert(article.get('title') or ''))}",
        f"date: {to_front_matter(published)}",
        f"categories: {scalar(category)}",
        f"tags: {scalar(tags)}",
        f"archive_id: {scalar(article['id'])}",
    ]
    for key, field in (("outlet", "source"), ("editor", "editor")):
        if article.get(field):
            front_matter.append(f"{key}: {scalar(article[field])}")
    # Article text is never Liquid: Jekyll must show "{{ … }}" and "{% … %}" as written.
    front_matter += ["render_with_liquid: false", "---"]

    body = article["body_markdown"] if body_format == "markdown" else article["body_html"]
    blocks = [body.strip()] if body.strip() else []
    if blocks and body_format == "html":
        # One HTML block, passed through whole: kramdown would otherwise read a line opening
        # with an inline tag (``<img …><p>caption</p>``, once ``<center>`` is sanitized away)
        # or with text as a Markdown paragraph, escaping its block tags and reading ``*``.
        # The sanitized HTML holds no ``div`` that could close it early.
        blocks = [f"<div>\n{blocks[0]}\n</div>"]
    link = article.get("share_url") or article.get("origin_url")
    if link:
        blocks.append(f"<{link}>")
    if category:
        back_text = _link_text(tags or category)
        blocks.append(
            f"[返回{back_text}]({_category_link(category)})｜[返回首页]({SITE_LINK_ROOT}/)"
        )
    return "\n".join(front_matter) + "\n" + "\n\n".join(blocks) + "\n"


class JekyllPostExporter(BaseItemExporter):
    """Writes one article as one Jekyll post into ``file`` (UTF-8)."""

    def __init__(self, file: BinaryIO, *, body_format: str = "markdown", **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.body_format = body_format

    def export_item(self, item: Any) -> None:
        self.file.write(render_post(article_fields(item), self.body_format).encode("utf-8"))
