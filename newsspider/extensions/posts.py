"""Writes every scraped article as a Jekyll post under ``DATA_DIR/posts/_posts/``.

Like Scrapy's ``FeedExporter``, it listens to ``item_scraped``, so it sees exactly the items
that passed every pipeline. Each post replaces its file whole (:class:`AtomicFolder`: the
folder is made, resolved and opened once a run; names are checked by string rules). Settings:
``NEWSSPIDER_DATA_DIR``, ``NEWSSPIDER_POSTS_ENABLED``, ``NEWSSPIDER_POST_BODY``.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newsspider.exporters.jekyll import (
    BODY_FORMATS,
    JekyllPostExporter,
    article_fields,
    post_filename,
    render_post,
)
from newsspider.files import AtomicFolder
from newsspider.output_failures import output_failed
from newsspider.signals import post_written

logger = logging.getLogger(__name__)
_DAY_PREFIX_RE = re.compile(r"\d{4}-\d{2}-\d{2}-")


def body_format_setting(settings: BaseSettings) -> str:
    """``NEWSSPIDER_POST_BODY``, one of :data:`BODY_FORMATS`."""
    body_format: str = settings.get("NEWSSPIDER_POST_BODY")
    if body_format not in BODY_FORMATS:
        raise ValueError(
            f"NEWSSPIDER_POST_BODY must be one of {', '.join(BODY_FORMATS)}, got {body_format!r}"
        )
    return body_format


class JekyllPostsWriter:
    def __init__(self, crawler: Crawler, posts_dir: Path, body_format: str) -> None:
        self.crawler = crawler
        self.posts_dir = posts_dir
        self.folder = AtomicFolder(posts_dir)
        self.body_format = body_format
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSSPIDER_POSTS_ENABLED"):
            raise NotConfigured("NEWSSPIDER_POSTS_ENABLED is off")
        body_format = body_format_setting(settings)
        posts_dir = Path(settings.get("NEWSSPIDER_DATA_DIR")) / "posts" / "_posts"
        writer = cls(crawler, posts_dir, body_format)
        crawler.signals.connect(writer.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(writer.folder.close, signal=signals.engine_stopped)
        return writer

    def path_for(self, article: dict[str, Any]) -> Path:
        return self.folder.path_of(post_filename(article))

    def rewrite(self, article: dict[str, Any]) -> None:
        """Write the post of a recovered record unless the same file is already there."""
        name = post_filename(article)
        rendered = render_post(article, self.body_format).encode("utf-8")
        if self.folder.read(name) != rendered:
            self.folder.write(name, rendered)
            self.stats.inc_value("newsspider/recovery/posts_rewritten")
        if article.get("revision", 1) > 1:
            self._remove_earlier_names(name, article)

    def _remove_earlier_names(self, name: str, article: dict[str, Any]) -> None:
        """A revision whose date moved to another Beijing day is another file name: the
        earlier revision's post goes, so the archive keeps one post per article."""
        own_name = f"{article['id']}.md"

        def same_article(other: str) -> bool:  # YYYY-MM-DD-<id>.md
            return other[11:] == own_name and _DAY_PREFIX_RE.match(other) is not None

        for earlier in self.folder.remove_others(same_article, keep=name):
            self.stats.inc_value("newsspider/posts/renamed")
            logger.info("Post %s replaces %s (the article's date moved)", name, earlier)

    def item_scraped(self, item: Any) -> None:
        article = article_fields(item)
        try:
            name = post_filename(article)
            post = io.BytesIO()
            exporter = JekyllPostExporter(post, body_format=self.body_format)
            exporter.start_exporting()
            exporter.export_item(item)
            exporter.finish_exporting()
            # Synced at the state's checkpoints (extensions/state.py), not file by file.
            path = self.folder.write(name, post.getvalue())
            if getattr(item, "revision", 1) > 1:
                self._remove_earlier_names(name, article)
        except (OSError, ValueError) as error:
            self.stats.inc_value("newsspider/posts/failed")
            output_failed(self.crawler, item, "post", error)
            return
        self.stats.inc_value("newsspider/posts/written")
        self.crawler.signals.send_catch_log(post_written, item=item, path=path)
