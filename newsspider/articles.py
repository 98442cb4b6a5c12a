"""Building an article item from what a post page shows."""

from __future__ import annotations

from dataclasses import asdict

from newsspider.dates import utc_now_iso
from newsspider.items import ArticleItem
from newsspider.pages.post import PostPage
from newsspider.urls import parse_post_path


def article_from_post_page(url: str, page: PostPage, listing_category: str | None) -> ArticleItem:
    """The raw item of a post page; the pipelines normalise and clean it."""
    post_path = parse_post_path(url)
    hints = asdict(page)
    del hints["title"], hints["tags"], hints["body_html"]
    return ArticleItem(
        id=post_path.name if post_path else "",
        url=url,
        title=page.title,
        category=listing_category,
        tags=list(page.tags),
        body_html=page.body_html,
        crawled_at=utc_now_iso(),
        page=hints,
    )
