"""The Markdown posts a crawl writes, built again by the real Jekyll, show the same pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsspider.sample_site import SITE_ROOT as SAMPLE_SITE
from tests.site.build import build_site
from tests.site.fixtures import require_jekyll
from tests.support.crawl import CrawlResult, run_crawl
from tests.support.pages import shown_posts


@pytest.mark.slow
def test_written_posts_rebuild_into_the_same_pages(
    corpus_dir: Path, corpus_site: Path, corpus_crawl: CrawlResult, tmp_path: Path
) -> None:
    written = sorted(corpus_crawl.posts_dir.glob("*.md"))
    rebuilt_site = build_site(written, tmp_path / "rebuilt", corpus_dir=corpus_dir)
    original = shown_posts(corpus_site)
    rebuilt = shown_posts(rebuilt_site)
    assert len(written) == len(corpus_crawl.records())

    missing = sorted(set(original) - set(rebuilt))
    differences = [
        f"{path} {field}: {getattr(rebuilt[path], field)!r:.160} != {getattr(page, field)!r:.160}"
        for path, page in sorted(original.items())
        if path in rebuilt
        for field in ("title", "date_line", "body_text")
        if getattr(rebuilt[path], field) != getattr(page, field)
    ]
    same = len(original) - len(missing) - len({d.split()[0] for d in differences})
    print(
        f"\nrebuilt {len(rebuilt)} post pages; {same}/{len(original)} equal to the original build"
    )
    assert not missing, f"post pages missing from the rebuild: {missing}"
    assert not differences, "\n".join(differences)
    assert set(rebuilt) == set(original)


@pytest.fixture(scope="session")
def sample_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """The README's first command: the bundled sample site, served in-process."""
    result = run_crawl("finews", tmp_path_factory.mktemp("sample"), args={"sample": "true"})
    assert result.returncode == 0, result.log[-3000:]
    return result


@pytest.mark.slow
def test_sample_posts_rebuild_into_the_same_pages(
    sample_crawl: CrawlResult, tmp_path: Path
) -> None:
    """The synthetic sample holds the rich bodies (widgets, charts, tables, escapes)."""
    require_jekyll()
    sample_dir = Path(__file__).parents[1] / "sample"
    rebuilt_site = build_site(
        sorted(sample_crawl.posts_dir.glob("*.md")), tmp_path / "rebuilt", corpus_dir=sample_dir
    )
    original = shown_posts(SAMPLE_SITE)
    rebuilt = shown_posts(rebuilt_site)
    assert len(original) == 15
    assert set(rebuilt) == set(original)
    for path, page in original.items():
        assert rebuilt[path] == page, path


@pytest.mark.slow
def test_sample_crawl_stays_on_the_machine(sample_crawl: CrawlResult) -> None:
    """The README's first command: the in-process server plays the share host too."""
    records = sample_crawl.records()
    assert len(records) == 15
    shared = [r for r in records if r["share_url"]]
    assert len(shared) == 8
    for record in shared:
        assert record["share"]["status"] == "ok", record["warnings"]
        assert record["share"]["api_url"].startswith("http://127.0.0.1:")
        assert record["share"]["content_sha256"] == record["content_sha256"]
    assert all(r["url"].startswith("http://127.0.0.1:") for r in records)
