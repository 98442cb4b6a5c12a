"""Clean the post body: widgets, charts, hidden and navigation blocks out; sanitise; convert."""

from __future__ import annotations

import hashlib

from newsspider.cleaning import CleanedBody, clean_body
from newsspider.items import ArticleItem
from newsspider.pipelines.base import StatsPipeline


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_cleaned(item: ArticleItem, cleaned: CleanedBody) -> None:
    item.body_html = cleaned.html
    item.body_markdown = cleaned.markdown
    item.body_text = cleaned.text
    item.images = cleaned.images
    item.highlights = cleaned.highlights
    item.summary = cleaned.summary
    item.content_sha256 = content_sha256(cleaned.text)


def apply_clean_body(item: ArticleItem) -> dict[str, int]:
    """Replace the page's body HTML by its cleaned forms; return what changed."""
    cleaned = clean_body(item.body_html)
    apply_cleaned(item, cleaned)
    if not cleaned.text:
        item.warnings.append("the post body is empty")
        cleaned.changes["empty_bodies"] += 1
    return dict(cleaned.changes)


class BodyCleaningPipeline(StatsPipeline):
    """Fills ``body_html`` (safe), ``body_markdown``, ``body_text``, images, highlights, summary."""

    stats_key = "body"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.count_all(apply_clean_body(item).items())
        return item
