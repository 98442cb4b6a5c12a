"""The archived article: one typed schema, mirrored by ``schemas/article.schema.json``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: Article ids: an infoCode (``NW`` + YYYYMMDD + digits) or a rolling-news id (YYYYMMDD + digits).
ID_PATTERN = r"^(NW)?\d{8}\d+$"


@dataclass(slots=True)
class ArticleItem:
    """One article of the site, as archived.

    Fields marked ``export=False`` in their metadata are working values of the pipelines
    (what the page showed, before normalisation); the feed and the posts leave them out.
    """

    id: str
    url: str
    title: str | None = None
    published_at: str | None = None  # ISO 8601, Beijing time: 2022-03-03T11:33:32+08:00
    category: str | None = None  # the slug exactly as the site spells it
    tags: list[str] = field(default_factory=list)
    source: str | None = None  # the outlet, e.g. 天津日报
    editor: str | None = None
    highlights: list[str] = field(default_factory=list)  # the ■ lines
    summary: str | None = None  # the rolling-news digest
    body_html: str = ""  # cleaned and sanitised
    body_markdown: str = ""
    body_text: str = ""  # paragraphs separated by blank lines
    images: list[str] = field(default_factory=list)
    share_url: str | None = None
    origin_url: str | None = None
    content_sha256: str = ""  # of body_text
    crawled_at: str = ""  # ISO 8601, UTC
    revision: int = 1  # 2, 3, … when a re-check found the cleaned text changed
    warnings: list[str] = field(default_factory=list)
    # The outlet's copy behind the share link: page_url, api_url, status ("ok" or the failure),
    # and when ok its title, published_at, source and content_sha256. None: no share link.
    share: dict[str, Any] | None = None
    page: dict[str, Any] = field(default_factory=dict, metadata={"export": False})


EXPORT_FIELDS: list[str] = [f.name for f in fields(ArticleItem) if f.metadata.get("export", True)]
