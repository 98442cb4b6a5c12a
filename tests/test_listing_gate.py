"""One category page at a time gives the same archive as the default two."""

from __future__ import annotations

from pathlib import Path

from tests.site.server import SiteServer
from tests.support.crawl import CrawlResult, posts_of, run_crawl


def test_one_category_page_at_a_time_archives_every_post(
    corpus_server: SiteServer, corpus_crawl: CrawlResult, tmp_path: Path
) -> None:
    result = run_crawl(
        "finews",
        tmp_path / "data",
        args={"base_url": corpus_server.base_url},
        settings={"NEWSSPIDER_LISTINGS_AT_ONCE": "1"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert posts_of(result.data_dir) == posts_of(corpus_crawl.data_dir)
    assert len(posts_of(result.data_dir)) >= 50
    # Each page let the next one go: none waited for the idle crawl's safety net.
    assert "still waited for their turn" not in result.log
