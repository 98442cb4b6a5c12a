"""Bad pages end in a dropped or recovered item with a reason; the crawl goes on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.site.server import SiteServer
from tests.support.crawl import CrawlResult, run_crawl

LAYOUT = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">
<title>{head_title}</title></head><body><div class="wrapper"><header>金融消息</header>
<section>{content}</section><footer></footer></div></body></html>"""
POST = """<small>(GMT+8, Asia/Shanghai, CST) {date}</small><h1>{title}</h1>{body}
<small>tags: <em>测试新闻</em></small>"""
BACK = '<p><a href="/category/ceshi.html">返回测试新闻</a>｜<a href="/">返回首页</a></p>'
GOOD = "<p>正常文章的第一段。第二句话。</p>" + BACK

PAGES = {
    # A healthy post: archived as is.
    "ceshi/2026/11/25/NW202611250000000001.html": (
        "好标题 | 金融消息",
        "2026-11-25 09:00:00",
        "好标题",
        GOOD,
    ),
    # Empty <h1> and an untitled head: the title comes from the first sentence.
    "ceshi/2026/11/25/NW202611250000000002.html": ("金融消息", "2026-11-25 10:00:00", "", GOOD),
    # An unparseable date: recovered from the id, day only.
    "ceshi/2026/11/25/NW202611250000000003.html": (
        "坏日期 | 金融消息",
        "2026-13-45 99:99",
        "坏日期",
        GOOD,
    ),
    # No body and no title: nothing to archive.
    "ceshi/2026/11/25/NW202611250000000004.html": ("金融消息", "2026-11-25 12:00:00", "", BACK),
}
NOT_A_POST = "ceshi/2026/11/25/NW202611250000000005.html"
MISSING = "ceshi/2026/11/25/NW202611250000000006.html"


def _write_site(root: Path) -> None:
    for path, (head_title, date, title, body) in PAGES.items():
        content = POST.format(date=date, title=title, body=body)
        page = root / path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(LAYOUT.format(head_title=head_title, content=content), "utf-8")
    (root / NOT_A_POST).write_text("<html><body><p>不是文章页面</p></body></html>", "utf-8")
    links = "".join(f'<li><a href="/{path}">x</a></li>' for path in [*PAGES, NOT_A_POST, MISSING])
    (root / "category").mkdir()
    category = LAYOUT.format(head_title="测试", content=f"<ul>{links}</ul>")
    (root / "category" / "ceshi.html").write_text(category, "utf-8")
    (root / "404.html").write_text("<html><body>404</body></html>", "utf-8")


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    root = tmp_path_factory.mktemp("bad_site")
    _write_site(root)
    with SiteServer(root) as server:
        return run_crawl(
            "finews",
            tmp_path_factory.mktemp("bad_data"),
            args={"base_url": server.base_url, "categories": "ceshi"},
            settings={"STATS_DUMP": "1"},
        )


def _stats(log: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"'(newsspider/[^']+)': (\d+)", log)}


def test_the_crawl_goes_on_and_exits_zero(bad_crawl: CrawlResult) -> None:
    assert bad_crawl.returncode == 0, bad_crawl.log[-2000:]
    ids = sorted(record["id"] for record in bad_crawl.records())
    assert ids == [f"NW20261125000000000{n}" for n in (1, 2, 3)]


def test_recoveries_are_recorded_in_warnings(bad_crawl: CrawlResult) -> None:
    records = {record["id"]: record for record in bad_crawl.records()}
    untitled = records["NW202611250000000002"]
    assert untitled["title"] == "正常文章的第一段。"
    assert untitled["warnings"] == ["title recovered from the first sentence of the body"]
    undated = records["NW202611250000000003"]
    assert undated["published_at"] == "2026-11-25T00:00:00+08:00"
    assert undated["warnings"] == ["published_at recovered from the id (day only, time unknown)"]
    assert records["NW202611250000000001"]["warnings"] == []


def test_reasons_are_counted_and_logged_with_the_url(bad_crawl: CrawlResult) -> None:
    stats = _stats(bad_crawl.log)
    assert stats["newsspider/validate/dropped"] == 1
    assert stats["newsspider/spider/not_a_post"] == 1
    assert stats["newsspider/spider/requests_failed"] == 1
    assert stats["newsspider/metadata/title_recovered"] == 1
    assert stats["newsspider/metadata/date_recovered_from_id"] == 1
    assert re.search(r"neither a title nor a body", bad_crawl.log)
    assert re.search(r"Dropped:.*NW202611250000000004", bad_crawl.log)
    assert re.search(rf"Not a post page, skipped: \S*{NOT_A_POST}", bad_crawl.log)
    assert re.search(rf"Request failed: \S*{MISSING} \(HTTP 404\)", bad_crawl.log)


def test_posts_are_written_for_archived_items_only(bad_crawl: CrawlResult) -> None:
    names = sorted(path.name for path in bad_crawl.posts_dir.glob("*.md"))
    assert names == [f"2026-11-25-NW20261125000000000{n}.md" for n in (1, 2, 3)]
    assert json.loads(json.dumps(names))  # plain names, nothing outside the folder


def _outputs(data_dir: Path) -> list[Path]:
    """What a run left behind besides its lock and state (jsonl, posts, runs)."""
    if not data_dir.exists():
        return []
    return [
        p
        for p in data_dir.rglob("*")
        if p.is_file() and "state" not in p.relative_to(data_dir).parts
    ]


@pytest.mark.parametrize(
    ("args", "settings", "status", "message"),
    [
        pytest.param(
            {"since": "yesterday"}, {}, 2, "argument since='yesterday'", id="malformed-since"
        ),
        pytest.param({"refresh": "2x"}, {}, 2, "argument refresh='2x'", id="malformed-refresh"),
        pytest.param({"categories": "a,,b"}, {}, 2, "empty slug", id="empty-category"),
        pytest.param(
            {"base_url": "ftp://x"}, {}, 2, "argument base_url='ftp://x'", id="bad-base-url"
        ),
        pytest.param({"colour": "red"}, {}, 2, "unknown argument(s) colour", id="unknown-argument"),
        pytest.param(
            {"base_url": "http://127.0.0.1:9"},
            {"RETRY_TIMES": "0"},
            4,
            "did nothing: exit status 4 (no_listing)",
            id="unreachable-base-url",
        ),
        pytest.param(
            {}, {"NEWSSPIDER_POST_BODY": "pdf"}, 2, "NEWSSPIDER_POST_BODY must be one of",
            id="bad-post-body",
        ),
        pytest.param(
            {}, {"NEWSSPIDER_STATE_BACKEND": "no.such.factory"}, 2,
            "NEWSSPIDER_STATE_BACKEND='no.such.factory' is neither", id="bad-state-backend",
        ),
        pytest.param(
            {}, {"NEWSSPIDER_LISTINGS_AT_ONCE": "-1"}, 2,
            "NEWSSPIDER_LISTINGS_AT_ONCE must be 0 or more", id="negative-setting",
        ),
        pytest.param(
            {}, {"NEWSSPIDER_CHECKPOINT_SECONDS": "soon"}, 2,
            "NEWSSPIDER_CHECKPOINT_SECONDS must be a number", id="non-number-setting",
        ),
        pytest.param(
            {}, {"NEWSSPIDER_GC_THRESHOLD": "1,2"}, 2,
            "NEWSSPIDER_GC_THRESHOLD must be three positive integers", id="bad-gc-threshold",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_problem_exit_documented_status_and_write_nothing(
    tmp_path: Path, args: dict[str, str], settings: dict[str, str], status: int, message: str
) -> None:
    result = run_crawl("finews", tmp_path / "data", args=args, settings=settings, timeout=120)
    assert result.returncode == status, result.log[-2000:]
    assert message in result.log
    assert _outputs(tmp_path / "data") == []


def test_an_unknown_category_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _write_site(root)
    with SiteServer(root) as server:
        result = run_crawl(
            "finews", tmp_path / "data", args={"base_url": server.base_url, "categories": "nosuch"}
        )
    assert result.returncode == 2, result.log[-2000:]
    assert "Unknown category 'nosuch'" in result.log
    assert _outputs(tmp_path / "data") == []


def test_an_unwritable_data_dir_exits_2_before_anything(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_crawl("finews", blocker / "data", args={"sample": "true"})
    assert result.returncode == 2
    assert "is not a writable folder" in result.log
    assert "Spider opened" not in result.log
