"""Building raw article items from what a page, a share API answer or a post file shows.

The items are raw: the pipelines clean, normalise and recover.
"""

from __future__ import annotations

from dataclasses import fields

from newsspider.dates import utc_now_iso
from newsspider.items import ArticleItem
from newsspider.pages.post import PostPage
from newsspider.pages.post_file import PostFile
from newsspider.pages.share import ShareArticle
from newsspider.slugs import slug_for_tag, tag_for_outlet
from newsspider.urls import parse_post_path

#: What a post page shows beyond the item's own fields: hints for the pipelines.
_PAGE_HINTS = tuple(
    f.name for f in fields(PostPage) if f.name not in {"title", "tags", "body_html"}
)


def article_from_post_page(url: str, page: PostPage, listing_category: str | None) -> ArticleItem:
    post_path = parse_post_path(url)
    # What dataclasses.asdict() gave (back_links copied), without its recursive copying.
    hints = {name: getattr(page, name) for name in _PAGE_HINTS}
    hints["back_links"] = list(page.back_links)
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


def article_from_share(infocode: str, page_url: str, article: ShareArticle) -> ArticleItem:
    """An article known only by its share link: the category is derived from the outlet."""
    tags = [tag_for_outlet(article.medianame)] if article.medianame else []
    return ArticleItem(
        id=infocode,
        url=page_url,
        title="",  # the share API's title is merged by the pipelines, like a post's
        category=slug_for_tag(tags[0]) if tags else None,
        tags=tags,
        body_html=article.body_html,
        crawled_at=utc_now_iso(),
    )


def article_from_post_file(url: str, post: PostFile) -> ArticleItem:
    shown = post.shown_time.strftime("%Y-%m-%d %H:%M:%S") if post.shown_time else None
    return ArticleItem(
        id=post.name,
        url=url,
        title=post.title,
        category=post.categories,
        tags=list(post.tags),
        body_html=post.body_html,
        crawled_at=utc_now_iso(),
        warnings=list(post.problems),
        page={
            "shown_date": shown,
            "file_date": post.name_date.isoformat() if post.name_date else None,
            "source_link": post.source_link,
            "back_links": post.back_links,
        },
    )
