"""Tests of the Jekyll-built finews site and of the GitHub-Pages-like server.

Expected titles, tags and dates are read from the corpus files at test time.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate
from pathlib import Path

import pytest
import yaml
from parsel import Selector

from tests.site.build import (
    JekyllBuildError,
    build_site,
    published_corpus_posts,
)
from tests.site.fixtures import require_jekyll
from tests.site.server import SiteServer

HOST = "https://finews.withounder.com"
BEIJING = timezone(timedelta(hours=8))
REFERENCE = "2022-03-03-NW202203032295532740.md"
REFERENCE_URL = "/tianjinribao/2022/03/03/NW202203032295532740.html"
BROKEN = "-202205262391921712.md"
NO_FRONT_MATTER = "2021-12-08-202112082206703990.md"
ROLLING_TAG = "东财滚动新闻"


# -- reading the corpus and the built pages ----------------------------------


@dataclass(frozen=True)
class Post:
    name: str
    title: str
    tags: list[str]
    categories: list[str]
    written_date: str
    shown: datetime  # what the page shows, Beijing time

    @property
    def url(self) -> str:
        slug = self.name[len("YYYY-MM-DD-") : -len(".md")]
        parts = [c.lower() for c in self.categories]
        return "/" + "/".join([*parts, self.shown.strftime("%Y/%m/%d"), f"{slug}.html"])


def read_post(path: Path) -> Post | None:
    """A corpus post as the site shows it; None without front matter."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if match is None:
        return None
    data = yaml.safe_load(match.group(1))
    written = re.search(r"^date:[ \t]*(.*?)[ \t]*$", match.group(1), re.MULTILINE)
    assert written is not None
    value = written.group(1)
    if re.search(r"[+-]\d{4}$", value):
        shown = datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z").astimezone(BEIJING)
    else:  # read as UTC by YAML, shown in Beijing time
        shown = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        shown = shown.astimezone(BEIJING)
    return Post(
        name=path.name,
        title=str(data.get("title") or ""),
        tags=str(data.get("tags") or "").split(),
        categories=str(data.get("categories") or "").split(),
        written_date=value,
        shown=shown,
    )


def corpus_posts(corpus_dir: Path) -> list[Post]:
    return [p for p in map(read_post, published_corpus_posts(corpus_dir)) if p is not None]


def newest_first(posts: list[Post]) -> list[Post]:
    """Jekyll's order: by date, ties by path; newest first."""
    return sorted(posts, key=lambda p: (p.shown, p.name), reverse=True)


def page(site: Path, url: str) -> str:
    path = site / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    return path.read_text(encoding="utf-8")


def section(html: str) -> Selector:
    """The page's <section>: the head may hold a broken copy of the body."""
    start = html.rindex("<section>")
    end = html.index("</section>", start) + len("</section>")
    return Selector(text=html[start:end])


# -- HTTP helpers -------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    server: SiteServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


# -- the build ----------------------------------------------------------------


def test_published_corpus_posts_need_a_date_prefix(corpus_dir: Path) -> None:
    names = [p.name for p in published_corpus_posts(corpus_dir)]
    assert BROKEN not in names
    assert REFERENCE in names
    assert all(re.match(r"\d{4}-\d{2}-\d{2}-", n) for n in names)
    assert len(names) == len(list((corpus_dir / "_posts").glob("*.md"))) - 1


def test_reference_post_page(corpus_site: Path, corpus_dir: Path) -> None:
    post = read_post(corpus_dir / "_posts" / REFERENCE)
    assert post is not None
    assert post.url == REFERENCE_URL
    html = page(corpus_site, REFERENCE_URL)

    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert '<body onload="JavaScript:AutoRefresh(60000);">' in html
    assert f"<title>{post.title} | 金融消息</title>" in html
    assert f'<link rel="canonical" href="{HOST}{REFERENCE_URL}" />' in html
    assert '<meta property="article:published_time" content="2022-03-03T11:33:32+08:00" />' in html
    assert f'<meta property="og:url" content="https://finews.zning.me{REFERENCE_URL}">' in html
    # the hand-written og:description pastes the rendered post unescaped
    assert '<meta property="og:description" content="<small>(GMT+8' in html
    head = html[: html.index("</head>")]
    assert head.count("<small>") == 2  # stray markup inside <head>

    ld_json = re.search(r'<script type="application/ld\+json">\s*(\{.*?\})\s*</script>', html)
    assert ld_json is not None
    ld = json.loads(ld_json.group(1))
    assert ld["@type"] == "BlogPosting"
    assert ld["headline"] == post.title
    assert ld["datePublished"] == "2022-03-03T11:33:32+08:00"
    assert ld["url"] == HOST + REFERENCE_URL

    whole = Selector(text=html)
    for part in ("header", "section", "footer"):
        assert len(whole.css(f"div.wrapper > {part}")) == 1
    assert whole.css("div.wrapper > header a::text").get() == "金融消息"

    content = section(html)
    smalls = content.css("section > small")
    assert smalls[0].css("::text").get() == "(GMT+8, Asia/Shanghai, CST) 2022-03-03 11:33:32"
    assert content.css("section > h1::text").get() == post.title
    assert smalls[-1].css("em::text").getall() == post.tags
    assert smalls[-1].css("::text").get() == "tags: "
    assert content.css("p.em_media")
    share = content.css("section > p > a::attr(href)").getall()
    assert share[0] == (
        "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202203032295532740"
    )
    assert share[1:] == [
        "//finews.withounder.com/category/tianjinribao.html",
        "//finews.withounder.com/",
    ]


def test_every_post_shows_its_date_in_beijing_time(corpus_site: Path, corpus_dir: Path) -> None:
    posts = corpus_posts(corpus_dir)
    shifted = 0
    for post in posts:
        html = page(corpus_site, post.url)
        shown = post.shown.strftime("%Y-%m-%d %H:%M:%S")
        assert f"<small>(GMT+8, Asia/Shanghai, CST) {shown}</small>" in html, post.name
        iso = post.shown.isoformat()
        assert f'<meta property="article:published_time" content="{iso}" />' in html
        if not post.written_date.endswith("+0800"):
            assert post.written_date[11:] != post.shown.strftime("%H:%M:%S")
            shifted += 1
    assert shifted > 50  # most corpus posts carry no offset


def test_offsetless_date_is_shown_eight_hours_later(corpus_site: Path, corpus_dir: Path) -> None:
    post = read_post(corpus_dir / "_posts" / "2021-12-08-202112082206736198.md")
    assert post is not None
    written = datetime.strptime(post.written_date, "%Y-%m-%d %H:%M:%S")  # no offset
    expected = written + timedelta(hours=8)
    html = page(corpus_site, post.url)
    small = section(html).css("section > small::text").get()
    assert small == f"(GMT+8, Asia/Shanghai, CST) {expected:%Y-%m-%d %H:%M:%S}"
    assert f'content="{expected:%Y-%m-%dT%H:%M:%S}+08:00"' in html


def test_post_without_front_matter_is_published_without_layout(
    corpus_site: Path, corpus_dir: Path
) -> None:
    # its file starts with a blank line, so Jekyll sees no front matter
    assert (corpus_dir / "_posts" / NO_FRONT_MATTER).read_text(encoding="utf-8").startswith("\n---")
    assert not (corpus_site / "emnews/2021/12/08/202112082206703990.html").exists()
    raw = page(corpus_site, "/2021/12/08/202112082206703990.html")
    assert "<html" not in raw
    assert raw.startswith("\n<hr />\n<p>layout: post")


def test_category_page_lists_its_posts_newest_first(corpus_site: Path, corpus_dir: Path) -> None:
    tianjin = section(page(corpus_site, "/category/tianjinribao.html"))
    assert tianjin.css("ul > li > a::attr(href)").getall() == [REFERENCE_URL]

    # emnews has no stub in the corpus: build_site generated one
    emnews = [p for p in corpus_posts(corpus_dir) if p.categories == ["emnews"]]
    links = section(page(corpus_site, "/category/emnews.html")).css("ul > li > a")
    assert [a.attrib["href"] for a in links] == [p.url for p in newest_first(emnews)]
    assert [a.css("::text").get(default="") for a in links] == [
        p.title for p in newest_first(emnews)
    ]
    assert (corpus_site / "category/sitenews.html").is_file()


def test_home_page_has_one_section_per_tag(corpus_site: Path, corpus_dir: Path) -> None:
    posts = corpus_posts(corpus_dir)
    content = page(corpus_site, "/")
    body = content[content.rindex("<section>") :]
    chunks = body.split("<hr />")
    tags = {tag for p in posts for tag in p.tags}
    assert len(chunks) == len(tags)
    seen: dict[str, list[str]] = {}
    for chunk in chunks:
        sel = Selector(text=chunk)
        heading = sel.css("h2")
        assert len(heading) == 1
        tag = heading.css("::text").get(default="")
        assert heading.attrib["id"] == tag
        seen[tag] = sel.css("ul > li > a::attr(href)").getall()
    assert set(seen) == tags
    for tag, links in seen.items():
        tagged = newest_first([p for p in posts if tag in p.tags])
        assert links == [HOST + p.url for p in tagged[:5]]


def test_emnews_page_lists_20_newest_rolling_posts(corpus_site: Path, corpus_dir: Path) -> None:
    rolling = newest_first([p for p in corpus_posts(corpus_dir) if ROLLING_TAG in p.tags])
    links = section(page(corpus_site, "/emnews/")).css("ul > li > a")
    assert 0 < len(links) <= 20
    assert all(a.attrib.get("target") == "_blank" for a in links)
    assert [a.attrib["href"] for a in links] == [p.url for p in rolling[:20]]


def test_feed_has_the_ten_newest_posts(corpus_site: Path) -> None:
    feed = (corpus_site / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 10
    assert f'href="{HOST}{REFERENCE_URL}"' in feed


def test_broken_post_shapes(tmp_path: Path, corpus_dir: Path) -> None:
    require_jekyll()
    broken = corpus_dir / "_posts" / BROKEN
    init = corpus_dir / "_posts" / "2021-12-01-init.md"

    # no date prefix: Jekyll does not publish it, and the build succeeds
    site = build_site([broken, init], tmp_path / "site", corpus_dir=corpus_dir)
    assert not [p for p in site.rglob("*202205262391921712*")]
    assert (site / "sitenews/2021/12/01/init.html").is_file()

    # with a date prefix, its `date:  +0800` is fatal to Jekyll (and was to the real site)
    dated = tmp_path / "posts" / "2022-05-26-202205262391921712.md"
    dated.parent.mkdir()
    shutil.copyfile(broken, dated)
    with pytest.raises(JekyllBuildError, match="Invalid date '\\+0800'"):
        build_site([dated], tmp_path / "fails", corpus_dir=corpus_dir)

    # with a date, the rest renders: empty title, `> digest`, `<>`
    text = broken.read_text(encoding="utf-8")
    dated.write_text(
        re.sub(r"^date:.*$", "date: 2022-05-26 09:10:11 +0800", text, count=1, flags=re.M),
        encoding="utf-8",
    )
    site = build_site([dated], tmp_path / "fixed", corpus_dir=corpus_dir)
    html = page(site, "/emnews/2022/05/26/202205262391921712.html")
    assert "<title>金融消息</title>" in html  # jekyll-seo-tag falls back to the site title
    content = section(html)
    assert content.css("section > h1::text").get() is None
    assert content.css("section > blockquote > p")
    assert "<p>&lt;&gt;</p>" in content.get()


# -- the server ---------------------------------------------------------------


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "dir").mkdir(parents=True)
    (root / "index.html").write_text("<p>home</p>\n" * 50, encoding="utf-8")
    (root / "dir" / "index.html").write_text("<p>dir</p>", encoding="utf-8")
    (root / "a b(c).html").write_text("<p>spaces</p>", encoding="utf-8")
    (root / "feed.xml").write_text("<feed/>", encoding="utf-8")
    (root / "404.html").write_text("<h1>custom 404</h1>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_server_paths_and_headers(tiny_site: Path) -> None:
    with SiteServer(tiny_site) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
        home = fetch(server, "/")
        assert home.status == 200
        assert home.body == (tiny_site / "index.html").read_bytes()
        assert home.headers["content-type"] == "text/html; charset=utf-8"
        assert home.headers["cache-control"] == "max-age=600"
        assert re.fullmatch(r'"[0-9a-f]{40}"', home.headers["etag"])
        mtime = (tiny_site / "index.html").stat().st_mtime
        assert home.headers["last-modified"] == formatdate(mtime, usegmt=True)

        assert fetch(server, "/dir/").body == b"<p>dir</p>"
        moved = fetch(server, "/dir?x=1")
        assert (moved.status, moved.headers["location"]) == (301, "/dir/?x=1")
        assert fetch(server, "/a%20b%28c%29.html").body == b"<p>spaces</p>"
        assert fetch(server, "/a%20b(c)").body == b"<p>spaces</p>"
        assert fetch(server, "/feed.xml").headers["content-type"] == (
            "application/xml; charset=utf-8"
        )
        head = fetch(server, "/", method="HEAD")
        assert (head.status, head.body) == (200, b"")
        assert head.headers["content-length"] == str(len(home.body))


def test_server_conditional_requests(tiny_site: Path) -> None:
    with SiteServer(tiny_site) as server:
        first = fetch(server, "/")
        etag, modified = first.headers["etag"], first.headers["last-modified"]

        again = fetch(server, "/", {"If-None-Match": etag})
        assert (again.status, again.body) == (304, b"")
        assert again.headers["etag"] == etag
        assert fetch(server, "/", {"If-None-Match": f'"other", W/{etag}'}).status == 304
        assert fetch(server, "/", {"If-None-Match": '"other"'}).status == 200

        assert fetch(server, "/", {"If-Modified-Since": modified}).status == 304
        later = formatdate((tiny_site / "index.html").stat().st_mtime + 3600, usegmt=True)
        assert fetch(server, "/", {"If-Modified-Since": later}).status == 304
        earlier = formatdate((tiny_site / "index.html").stat().st_mtime - 3600, usegmt=True)
        assert fetch(server, "/", {"If-Modified-Since": earlier}).status == 200

        # a changed file gets a new ETag
        (tiny_site / "index.html").write_text("<p>changed</p>", encoding="utf-8")
        changed = fetch(server, "/", {"If-None-Match": etag})
        assert (changed.status, changed.body) == (200, b"<p>changed</p>")
        assert changed.headers["etag"] != etag


def test_server_gzip(tiny_site: Path) -> None:
    with SiteServer(tiny_site) as server:
        plain = fetch(server, "/")
        assert "content-encoding" not in plain.headers
        zipped = fetch(server, "/", {"Accept-Encoding": "gzip, deflate"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["vary"] == "Accept-Encoding"
        assert len(zipped.body) < len(plain.body)
        assert gzip.decompress(zipped.body) == plain.body
        refused = fetch(server, "/", {"Accept-Encoding": "gzip;q=0"})
        assert "content-encoding" not in refused.headers


def test_server_404_and_escapes(tiny_site: Path) -> None:
    with SiteServer(tiny_site) as server:
        missing = fetch(server, "/emnews/2021/12/08/gone.html")
        assert (missing.status, missing.body) == (404, b"<h1>custom 404</h1>")
        assert missing.headers["content-type"] == "text/html; charset=utf-8"
        assert fetch(server, "/leak.txt").status == 404  # symlink out of the root
        for path in (
            "/../secret.txt",
            "/dir/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/dir/..%2f..%2fsecret.txt",
            "/..\\secret.txt",
            "/%ff",
        ):
            answer = fetch(server, path)
            assert answer.status == 400, path
            assert b"secret" not in answer.body
        assert ("GET", "/../secret.txt", 400) in server.requests
        server.clear()
        fetch(server, "/nope")
        assert server.requests == [("GET", "/nope", 404)]


def test_server_over_the_corpus_site(corpus_server: SiteServer, corpus_site: Path) -> None:
    spaced = fetch(corpus_server, "/category/21shijijingjibaodao%2021caijingAPP.html")
    assert spaced.status == 200
    # Jekyll split the slug on its space: the category page lists nothing
    assert section(spaced.body.decode()).css("ul") and not section(spaced.body.decode()).css("li")

    parens = fetch(corpus_server, "/category/anxinguojizhengquan(xianggang).html")
    assert parens.status == 200

    post = fetch(corpus_server, REFERENCE_URL, {"Accept-Encoding": "gzip"})
    assert post.status == 200
    assert gzip.decompress(post.body) == (corpus_site / REFERENCE_URL.lstrip("/")).read_bytes()
    assert (
        fetch(corpus_server, REFERENCE_URL, {"If-None-Match": post.headers["etag"]}).status == 304
    )

    gone = fetch(corpus_server, "/emnews/2021/12/05/202112052200000000.html")
    assert gone.status == 404
    assert gone.body == (corpus_site / "404.html").read_bytes()
    assert fetch(corpus_server, "/emnews/").body == (corpus_site / "emnews/index.html").read_bytes()
