"""Drop what cannot be archived at all, with a reason a person can act on."""

from __future__ import annotations

import logging
import re

from scrapy.exceptions import DropItem

from newsspider.items import ID_PATTERN, ArticleItem
from newsspider.pipelines.base import StatsPipeline

logger = logging.getLogger(__name__)
_ID_RE = re.compile(ID_PATTERN)
# Ids become file names: keep them to what the site itself uses.
_SAFE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")


def why_unarchivable(item: ArticleItem) -> str | None:
    """The reason ``item`` cannot be archived, or ``None`` when it can."""
    if not item.url:
        return "no URL"
    if not item.id:
        return f"no article id in the URL {item.url}"
    if not _SAFE_ID_RE.fullmatch(item.id):
        return f"article id {item.id!r} of {item.url} is not a usable file name"
    if not (item.title or "").strip() and not item.body_text.strip():
        return f"post {item.url} has neither a title nor a body"
    if not item.published_at:
        return f"no date can be found or recovered for {item.url}"
    return None


class RequiredFieldsPipeline(StatsPipeline):
    """Drops an item without a URL, a usable id, a date, or any content (title or text).

    It runs last, on the normalised item, so that every recovery had its chance first.
    """

    stats_key = "validate"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        reason = why_unarchivable(item)
        if reason is not None:
            self.count("dropped")
            raise DropItem(reason)
        if not _ID_RE.fullmatch(item.id):
            item.warnings.append(f"id {item.id!r} is neither an infoCode nor a rolling-news id")
            self.count("unusual_id")
        return item
