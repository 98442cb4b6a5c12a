"""The archive spider backfills from post files, equal to what finews yields for a post."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.corpus import read_post, source_visible_text, squash
from tests.support.crawl import CrawlResult, run_crawl

COMPARED = ("id", "title", "published_at", "category", "body_text")


@pytest.fixture(scope="module")
def archives(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    results = {}
    for folder in ("_posts", "old_post"):
        result = run_crawl(
            "archive", tmp_path_factory.mktemp(folder), args={"path": str(corpus_dir / folder)}
        )
        assert result.returncode == 0, result.log[-3000:]
        results[folder] = result
    return results


def _unrecoverable(result: CrawlResult) -> list[str]:
    return re.findall(r"(?:Dropped: |Not archived: )(.+)", result.log)


def _comparable(record: dict[str, object]) -> dict[str, object]:
    values = {key: record[key] for key in COMPARED}
    values["body_text"] = squash(str(values["body_text"]))
    return values


@pytest.mark.slow
def test_archive_of_posts_equals_the_finews_crawl(
    archives: dict[str, CrawlResult], corpus_crawl: CrawlResult, corpus_dir: Path
) -> None:
    archived = {r["id"]: r for r in archives["_posts"].records()}
    crawled = {r["id"]: r for r in corpus_crawl.records()}
    files = sorted((corpus_dir / "_posts").glob("*.md"))
    unrecoverable = _unrecoverable(archives["_posts"])
    print(f"\narchive _posts/: {len(archived)} of {len(files)} files archived;")
    print(f"  {len(unrecoverable)} unrecoverable: {unrecoverable}")
    assert len(archived) + len(unrecoverable) == len(files)
    assert set(crawled) <= set(archived)
    for article_id, record in crawled.items():
        assert _comparable(archived[article_id]) == _comparable(record), article_id


@pytest.mark.slow
def test_unpublishable_posts_are_archived_with_warnings(archives: dict[str, CrawlResult]) -> None:
    archived = {r["id"]: r for r in archives["_posts"].records()}
    no_prefix = archived["202205262391921712"]  # `-2022….md`: empty title and date
    assert no_prefix["published_at"] == "2022-05-26T00:00:00+08:00"
    assert no_prefix["title"]
    assert any("no date prefix" in w for w in no_prefix["warnings"])
    assert any("title recovered" in w for w in no_prefix["warnings"])
    blank_line = archived["202112082206703990"]  # front matter after a blank line
    assert blank_line["title"] == "FF：有充足的现金支持到FF 91完成投产"
    assert any("blank lines before the front matter" in w for w in blank_line["warnings"])


@pytest.mark.slow
def test_archive_of_old_posts_matches_their_source(
    archives: dict[str, CrawlResult], corpus_dir: Path
) -> None:
    records = {r["id"]: r for r in archives["old_post"].records()}
    files = sorted((corpus_dir / "old_post").glob("*.md"))
    unrecoverable = _unrecoverable(archives["old_post"])
    print(f"\narchive old_post/: {len(records)} of {len(files)} files archived;")
    print(f"  {len(unrecoverable)} unrecoverable: {unrecoverable}")
    assert len(records) + len(unrecoverable) == len(files)
    for path in files:
        post = read_post(path)
        assert post is not None
        record = records[post.id]
        assert record["title"] == post.title
        assert record["category"] == post.categories
        assert record["tags"] == post.tags
        assert post.shown_time is not None
        assert record["published_at"] == post.shown_time.isoformat()
        assert squash(record["body_text"]) == squash(source_visible_text(post)), post.id


def test_unrecoverable_files_are_reported_with_their_reason(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "notes.md").write_text("没有日期也没有编号的笔记。\n", encoding="utf-8")
    (folder / "2026-11-25-NW202611250000000009.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    (folder / "2026-11-25-NW202611250000000008.md").write_text(
        '---\nlayout: post\ntitle: "好"\ndate: 2026-11-25 09:00:00 +0800\ncategories: ceshi\n'
        "tags: 测试新闻\n---\n<p>正文。</p>\n",
        encoding="utf-8",
    )
    result = run_crawl("archive", tmp_path / "data", args={"path": str(folder)})
    assert result.returncode == 0, result.log[-3000:]
    assert [r["id"] for r in result.records()] == ["NW202611250000000008"]
    reasons = _unrecoverable(result)
    print(f"\nunrecoverable: {reasons}")
    assert len(reasons) == 2
    assert any("no date can be found" in r and "notes.md" in r for r in reasons)
    assert any("not UTF-8" in r and "NW202611250000000009" in r for r in reasons)


def test_the_archive_spider_reads_local_files_without_the_sites_politeness() -> None:
    """AutoThrottle's start delay for file:// reads made 85 files take 100 s."""
    from scrapy.utils.project import get_project_settings

    from newsspider.spiders.archive import ArchiveSpider
    from newsspider.spiders.finews import FinewsSpider

    archive, finews = get_project_settings(), get_project_settings()
    ArchiveSpider.update_settings(archive)
    FinewsSpider.update_settings(finews)
    assert finews.getbool("AUTOTHROTTLE_ENABLED") and finews.getbool("ROBOTSTXT_OBEY")
    assert not archive.getbool("AUTOTHROTTLE_ENABLED")
    assert not archive.getbool("ROBOTSTXT_OBEY")
