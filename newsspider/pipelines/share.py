"""Merge the outlet's copy (from the share API) into the article.

The spider stores what the API answered under ``item.share`` (``article``: the parsed
:class:`~newsspider.pages.share.ShareArticle` fields, or ``status``/``detail`` of a failure).
This pipeline normalises it into the exported ``share`` object, uses the API's body when the
post's is empty, and warns when the two bodies differ. Title, time and outlet are merged by
the metadata pipeline, which runs next.
"""

from __future__ import annotations

from typing import Any

from newsspider.cleaning import clean_body
from newsspider.dates import parse_shown, to_iso
from newsspider.items import ArticleItem
from newsspider.pipelines.base import StatsPipeline
from newsspider.pipelines.body import apply_cleaned, content_sha256
from newsspider.pipelines.metadata import normalize_title


def _squash(text: str) -> str:
    return "".join(text.split())


def merge_share(item: ArticleItem) -> str | None:
    """Normalise ``item.share`` in place; return its status (``None``: nothing to merge)."""
    raw = item.share
    if raw is None:
        return None
    share: dict[str, Any] = {key: raw[key] for key in ("page_url", "api_url") if key in raw}
    article = raw.get("article")
    if article is None:
        share["status"] = raw.get("status", "http_error")
        share["detail"] = str(raw.get("detail", ""))
        item.warnings.append(
            f"share API failed for {item.id} ({share['status']}: {share['detail']}); "
            "archived from the post page alone"
        )
        item.share = share
        return str(share["status"])

    cleaned = clean_body(article["body_html"])
    showtime = article.get("showtime")
    shown = parse_shown(showtime) if showtime else None
    if showtime and shown is None:
        item.warnings.append(f"the share API's showtime {showtime!r} is not a date")
    share.update(
        status="ok",
        title=normalize_title(article.get("title"))[0] or None,
        published_at=to_iso(shown) if shown else None,
        source=article.get("medianame"),
        content_sha256=content_sha256(cleaned.text),
    )
    item.share = share
    if not item.body_text.strip():
        if item.body_html.strip() != article["body_html"].strip():
            item.warnings.append("body taken from the share API (the post's body is empty)")
        apply_cleaned(item, cleaned)
    elif _squash(cleaned.text) != _squash(item.body_text):
        item.warnings.append("the share API's body text differs from the post's")
    return "ok"


class SharePipeline(StatsPipeline):
    """Normalises the share object; counts ``newsspider/share/<status>``."""

    stats_key = "share"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        status = merge_share(item)
        if status is not None:
            self.count(status)
        return item
