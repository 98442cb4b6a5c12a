"""Share links: finews follows them; the share spider archives infoCodes; slug derivation."""

from __future__ import annotations

import re
import socket
from collections import Counter
from pathlib import Path

import pytest

from newsspider.articles import article_from_share
from newsspider.pages.share import ShareArticle
from newsspider.share import INFOCODE_RE
from newsspider.slugs import slug_for_tag
from tests.site.server import SiteServer
from tests.site.share_server import ShareServer, share_posts_of
from tests.support.corpus import read_post, source_visible_text, squash
from tests.support.crawl import CrawlResult, run_crawl

REFERENCE_ID = "NW202203032295532740"


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _stats(log: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"'(newsspider/[^']+)': (\d+)", log)}


@pytest.mark.slow
def test_finews_adds_the_share_object_to_every_post_with_a_share_link(
    corpus_server: SiteServer, share_server: ShareServer, tmp_path: Path
) -> None:
    result = run_crawl(
        "finews",
        tmp_path,
        args={"base_url": corpus_server.base_url, "share_base_url": share_server.base_url},
    )
    assert result.returncode == 0, result.log[-3000:]
    records = result.records()
    with_share_link = [r for r in records if r["share_url"]]
    assert [r["id"] for r in with_share_link] == [REFERENCE_ID]
    for record in records:
        if record["share_url"]:
            share = record["share"]
            assert share["status"] == "ok"
            assert share["title"] == record["title"]
            assert share["published_at"] == record["published_at"]
            assert share["source"] == record["source"] == "天津日报"
            assert share["content_sha256"] == record["content_sha256"]
            assert share["api_url"].startswith(share_server.base_url)
            assert not record["warnings"], record["warnings"]
        else:
            assert record["share"] is None
    assert _stats(result.log)["newsspider/share/ok"] == 1


def test_the_share_spider_with_its_host_down_exits_4(tmp_path: Path) -> None:
    """Nothing answered: a dead host must not look like a run that archived nothing new."""
    result = run_crawl(
        "share",
        tmp_path,
        args={
            "infocodes": "NW202203032295532740,NW202203032295532741",
            "share_base_url": _closed_port_url(),
        },
        settings={"RETRY_TIMES": "0"},
    )
    assert result.returncode == 4, result.log[-3000:]
    assert "exit status 4 (no_listing)" in result.log


@pytest.mark.slow
def test_finews_archives_every_post_with_the_share_host_down(
    corpus_server: SiteServer, corpus_crawl: CrawlResult, tmp_path: Path
) -> None:
    result = run_crawl(
        "finews",
        tmp_path,
        args={"base_url": corpus_server.base_url, "share_base_url": _closed_port_url()},
        # robots.txt obeyed, as by default: the share host's cannot be fetched either.
        settings={"RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "1"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert "robots.txt" in result.log and "] ERROR:" not in result.log
    records = {r["id"]: r for r in result.records()}
    assert set(records) == {r["id"] for r in corpus_crawl.records()}
    reference = records[REFERENCE_ID]
    assert reference["share"]["status"] == "http_error"
    assert any(
        "share API failed" in w and "archived from the post page" in w
        for w in reference["warnings"]
    )
    assert reference["body_text"] and reference["title"]
    assert len(list(result.posts_dir.glob("*.md"))) == len(records)


@pytest.mark.slow
def test_follow_share_false_requests_no_share_page(
    corpus_server: SiteServer, share_server: ShareServer, tmp_path: Path
) -> None:
    share_server.clear()
    result = run_crawl(
        "finews",
        tmp_path,
        args={
            "base_url": corpus_server.base_url,
            "share_base_url": share_server.base_url,
            "follow_share": "false",
            "categories": "tianjinribao",
        },
    )
    assert result.returncode == 0, result.log[-3000:]
    (record,) = result.records()
    assert record["share"] is None
    assert share_server.requests == []


def _fifty_corpus_ids(corpus_dir: Path) -> list[str]:
    ids = []
    for path in share_posts_of(corpus_dir):
        post = read_post(path)
        if post is not None and post.title and INFOCODE_RE.match(post.id):
            ids.append(post.id)
    return ids[:50]


@pytest.mark.slow
def test_share_spider_archives_fifty_infocodes_like_the_corpus_posts(
    corpus_dir: Path, share_server: ShareServer, tmp_path: Path
) -> None:
    ids = _fifty_corpus_ids(corpus_dir)
    assert len(ids) == 50
    unknown = ["NW209901010000000001", "209901010000000002"]
    urls_file = tmp_path / "infocodes.txt"
    urls_file.write_text(
        "# infoCodes to archive\n\n"
        + "\n".join(ids[:25])
        + "\n"
        + "\n".join(share_server.share_url(code) for code in ids[25:])
        + "  # share links\n"
        + "\n".join(unknown)
        + "\n",
        encoding="utf-8",
    )
    result = run_crawl(
        "share",
        tmp_path / "data",
        args={"urls_file": str(urls_file), "share_base_url": share_server.base_url},
    )
    assert result.returncode == 0, result.log[-3000:]
    records = {r["id"]: r for r in result.records()}
    assert sorted(records) == sorted(ids), "unknown infoCodes must not become records"
    posts = {p.name.split("-", 3)[-1].removesuffix(".md"): p for p in share_posts_of(corpus_dir)}
    matches: Counter[str] = Counter()
    for code in ids:
        post = read_post(posts[code])
        assert post is not None
        record = records[code]
        expected_outlet = "东财滚动" if post.categories == "emnews" else None
        checks = {
            "title": record["title"] == post.title,
            "date": record["published_at"] == (post.shown_time and post.shown_time.isoformat()),
            "outlet": expected_outlet is None or record["source"] == expected_outlet,
            "body": squash(record["body_text"]) == squash(source_visible_text(post)),
            "category": record["category"] == post.categories,
        }
        for name, ok in checks.items():
            matches[name] += ok
            assert ok, f"{code}: {name} differs"
    print(f"\nshare spider: {dict(matches)} of {len(ids)}")
    for code in unknown:
        assert re.search(rf"Not archived: infoCode {code} \(error: ", result.log)
    assert _stats(result.log)["newsspider/share_spider/not_archived"] == 2


def test_slug_derivation_matches_the_corpus(corpus_dir: Path) -> None:
    """The site's slug of an outlet, checked on every (category, tag) pair of the corpus."""
    pairs: Counter[tuple[str, str]] = Counter()
    for folder in ("_posts", "old_post"):
        for path in sorted((corpus_dir / folder).glob("*.md")):
            post = read_post(path)
            if post is not None and post.categories and post.tags:
                pairs[(post.categories, " ".join(post.tags))] += 1
    total = sum(pairs.values())
    exact = sum(n for (category, tag), n in pairs.items() if slug_for_tag(tag) == category)
    print(f"\nslug derivation: {exact}/{total} posts exact ({100 * exact / total:.2f}%),")
    print(f"  {len(pairs)} distinct (category, tag) pairs: {sorted(pairs)}")
    assert total > 100
    assert exact / total >= 0.99


def test_slug_derivation_matches_the_category_stubs_whose_title_is_right(corpus_dir: Path) -> None:
    """Category stubs carry an outlet name as title; MANIFEST.tsv says which titles are right."""
    rows = [
        line.split("\t")
        for line in (corpus_dir / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    checked = 0
    for path, _commit, _chars, category, note in rows:
        if not path.startswith("category/") or "title matches" not in note:
            continue
        title = re.search(r"^title: (.+)$", (corpus_dir / path).read_text("utf-8"), re.M)
        assert title is not None
        assert slug_for_tag(title.group(1).strip()) == category, path
        checked += 1
    print(f"\nslug derivation: {checked}/{checked} category stubs with a right title match")
    assert checked >= 3


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("天津日报新闻", "tianjinribao"),
        ("21世纪经济报道 21财经APP新闻", "21shijijingjibaodao 21caijingAPP"),
        ("安信国际证券(香港)新闻", "anxinguojizhengquan(xianggang)"),
        ("Career In 投行PEVC新闻", "Career In touxingPEVC"),
        ("Wind新闻", "Wind"),
        ("东财滚动新闻", "emnews"),
    ],
)
def test_slug_for_tag(tag: str, slug: str) -> None:
    assert slug_for_tag(tag) == slug


@pytest.mark.parametrize(
    ("medianame", "tag", "slug"),
    [
        ("天津日报", "天津日报新闻", "tianjinribao"),
        # Names ending in 新闻 keep it in the slug: the site's repository has the stubs
        # category/meirijingjixinwen.html and category/pengpaixinwen.html.
        ("每日经济新闻", "每日经济新闻新闻", "meirijingjixinwen"),
        ("澎湃新闻", "澎湃新闻新闻", "pengpaixinwen"),
        ("东财滚动新闻", "东财滚动新闻", "emnews"),
    ],
)
def test_an_article_known_by_its_share_link_is_filed_as_the_site_files_its_outlet(
    medianame: str, tag: str, slug: str
) -> None:
    article = ShareArticle(body_html="<p>正文</p>", medianame=medianame)
    item = article_from_share("NW202203032295532740", "https://e.com/x", article)
    assert (item.tags, item.category) == ([tag], slug)
