"""Tests of the share-host stand-in against the real corpus.

Expected values are read from the corpus files at test time (nothing is copied
from them), except the few the spec itself states for the reference post.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.site.fixtures import default_corpus_dir, skip_or_fail
from tests.site.server import RequestRecord
from tests.site.share_server import (
    API_PATH,
    FAULT_MODES,
    NOT_FOUND_ERROR,
    SHARE_PAGE_PATH,
    ShareServer,
    post_id,
    share_posts_of,
)

REFERENCE = "NW202203032295532740"
ROLLING = "202112082206672930"  # in _posts/ (no offset, no back links) and in old_post/
BROKEN = "202205262391921712"  # -202205262391921712.md: title "", date "+0800", source "<>"
NO_FRONT_MATTER = "202112082206703990"  # the _posts/ copy starts with a blank line
SEPARATE_BACK_LINKS = "202112082206736335"  # old_post/ copy: back links on two lines
JOINED_BACK_LINKS = "202112082206885192"  # old_post/ copy: back links joined by ｜
OLD_ONLY = "202112082206978381"  # only in old_post/
UNKNOWN = "NW209901019999999999"
JSON_TYPE = "application/json; charset=utf-8"
SHOWTIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


# -- fixtures and helpers --------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Path:
    path = default_corpus_dir()
    if not (path / "_posts").is_dir() or not (path / "old_post").is_dir():
        skip_or_fail(f"finews corpus not found at {path} (set NEWSSPIDER_CORPUS)")
    return path


@pytest.fixture(scope="module")
def posts(corpus: Path) -> list[Path]:
    return share_posts_of(corpus)


@pytest.fixture(scope="module")
def module_server(posts: list[Path]) -> Iterator[ShareServer]:
    with ShareServer(posts) as server:
        yield server


@pytest.fixture
def share(module_server: ShareServer) -> Iterator[ShareServer]:
    """The module's server with no faults and an empty request log."""
    for article_id in module_server.faults:
        module_server.set_fault(article_id, None)
    module_server.clear()
    yield module_server
    for article_id in module_server.faults:
        module_server.set_fault(article_id, None)


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> dict[str, str]:
        data = json.loads(self.body.decode("utf-8"))
        assert isinstance(data, dict)
        return data


def fetch(url: str, *, method: str = "GET", timeout: float = 10.0) -> Response:
    parts = urlsplit(url)
    assert parts.hostname is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target)
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def api(server: ShareServer, article_id: str) -> dict[str, str]:
    response = fetch(server.api_url(article_id))
    assert response.status == 200
    assert response.content_type == JSON_TYPE
    return response.json()


def corpus_file(corpus: Path, folder: str, article_id: str) -> Path:
    matches = [path for path in (corpus / folder).glob("*.md") if post_id(path) == article_id]
    assert len(matches) == 1, (folder, article_id, matches)
    return matches[0]


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    data = yaml.safe_load(text.split("---\n", 2)[1])
    assert isinstance(data, dict)
    return data


def date_line(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("date:"):
            return line.removeprefix("date:").strip()
    raise AssertionError(f"no date line in {path}")


def source_link(path: Path) -> str | None:
    """The target of the post's last ``<…>`` line."""
    for line in reversed(path.read_text(encoding="utf-8").splitlines()):
        match = re.fullmatch(r"\s*<([^<>\s]*)>\s*", line)
        if match:
            return match.group(1)
    return None


def body_of(article: dict[str, str]) -> str:
    keys = [key for key in ("text", "content") if key in article]
    assert len(keys) == 1, article.keys()
    return article[keys[0]]


# -- the post list -----------------------------------------------------------------


def test_share_posts_of_takes_both_folders_and_prefers_posts(
    corpus: Path, posts: list[Path]
) -> None:
    ids = [post_id(path) for path in posts]
    assert len(ids) == len(set(ids))
    every = list((corpus / "_posts").glob("*.md")) + list((corpus / "old_post").glob("*.md"))
    assert set(ids) == {post_id(path) for path in every}
    by_id = dict(zip(ids, posts, strict=True))
    assert by_id[ROLLING].parent.name == "_posts"
    assert by_id[OLD_ONLY].parent.name == "old_post"
    assert by_id[BROKEN].name == f"-{BROKEN}.md"
    assert by_id[REFERENCE].name == f"2022-03-03-{REFERENCE}.md"


def test_post_id() -> None:
    assert post_id(Path(f"2022-03-03-{REFERENCE}.md")) == REFERENCE
    assert post_id(Path(f"x/2021-12-08-{ROLLING}.md")) == ROLLING
    assert post_id(Path(f"-{BROKEN}.md")) == BROKEN


def test_unreadable_front_matter_is_skipped(share: ShareServer, corpus: Path) -> None:
    blank_first = corpus_file(corpus, "_posts", NO_FRONT_MATTER)
    assert blank_first.read_text(encoding="utf-8").startswith("\n")
    assert share.skipped == [blank_first]
    assert NO_FRONT_MATTER not in share.ids
    assert api(share, NO_FRONT_MATTER) == {"error": NOT_FOUND_ERROR}
    # the old_post/ twin, when given on its own, is served
    with ShareServer([corpus_file(corpus, "old_post", NO_FRONT_MATTER)]) as alone:
        assert alone.ids == [NO_FRONT_MATTER]
        assert body_of(api(alone, NO_FRONT_MATTER))


# -- the article API -----------------------------------------------------------------


def test_reference_post(share: ShareServer, corpus: Path) -> None:
    path = corpus_file(corpus, "_posts", REFERENCE)
    article = api(share, REFERENCE)
    assert set(article) == {"title", "showtime", "medianame", "text"}
    assert article["title"] == " ".join(str(front_matter(path)["title"]).split())
    assert article["showtime"] == "2022-03-03 11:33:32"
    assert article["medianame"] == "天津日报"
    text = article["text"]
    bullets = re.findall(r"<p>■[^<]*</p>", path.read_text(encoding="utf-8"))
    assert len(bullets) >= 2
    for bullet in bullets:
        assert bullet in text
    assert text.lstrip().startswith(bullets[0])
    assert "文章来源" in text
    assert "返回" not in text
    assert "withounder.com" not in text
    assert "NewsShare.html" not in text


def test_rolling_post_uses_content_and_shows_beijing_time(share: ShareServer, corpus: Path) -> None:
    path = corpus_file(corpus, "_posts", ROLLING)
    front = front_matter(path)
    stated = front["date"]
    assert isinstance(stated, datetime)
    assert stated.tzinfo is None  # an offset-less date, UTC to Jekyll
    article = api(share, ROLLING)
    assert "text" not in article
    assert article["showtime"] == (stated + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert article["title"] == front["title"]
    assert article["medianame"] == str(front["tags"]).removesuffix("新闻")
    content = article["content"]
    assert content.startswith("<p>") and content.rstrip().endswith("</p>")
    assert "eastmoney.com" not in content
    assert content.count("<p>") == 1


def test_offset_date_is_shown_as_is(share: ShareServer, corpus: Path) -> None:
    path = corpus_file(corpus, "old_post", OLD_ONLY)
    stated = date_line(path)
    assert stated.endswith(" +0800")
    assert api(share, OLD_ONLY)["showtime"] == stated.removesuffix(" +0800")


def test_broken_post(share: ShareServer, corpus: Path) -> None:
    path = corpus_file(corpus, "_posts", BROKEN)
    assert front_matter(path)["title"] == ""
    assert date_line(path) == "+0800"
    assert source_link(path) == ""
    article = api(share, BROKEN)
    assert "showtime" not in article
    assert not article.get("title")
    assert article["medianame"] == "上海证券报"  # the 文章来源 line, widget span unwrapped
    content = article["content"]
    assert content.startswith("<blockquote>")
    assert "EM_StockImg_Start" in content
    assert "&lt;&gt;" not in content
    assert "返回" not in content


@pytest.mark.parametrize(
    "article_id",
    [
        pytest.param(SEPARATE_BACK_LINKS, id="two-lines"),
        pytest.param(JOINED_BACK_LINKS, id="joined"),
    ],
)
def test_old_post_back_links_are_removed(corpus: Path, article_id: str) -> None:
    path = corpus_file(corpus, "old_post", article_id)
    raw = path.read_text(encoding="utf-8")
    assert "[返回首页]" in raw
    link = source_link(path)
    assert link and link.startswith("http")
    with ShareServer([path]) as server:
        article = api(server, article_id)
    content = article["content"]
    assert "返回" not in content
    assert link not in content
    assert date_line(path).endswith("+0800")
    assert article["showtime"] == date_line(path).removesuffix(" +0800")


def test_every_served_post(share: ShareServer, posts: list[Path]) -> None:
    """Each article: one body key by category, no navigation, the date as the page shows it."""
    skipped = set(share.skipped)
    served = [path for path in posts if path not in skipped]
    assert len(served) == len(share.ids) > 100
    for path in served:
        article_id = post_id(path)
        article = api(share, article_id)
        assert article == share.article(article_id), article_id
        front = front_matter(path)
        rolling = front.get("categories") == "emnews"
        assert ("content" if rolling else "text") in article, article_id
        body = body_of(article)
        assert body.strip(), article_id
        assert "返回首页" not in body, article_id
        link = source_link(path)
        if link:
            assert link not in body, article_id
        if article.get("medianame"):
            assert not article["medianame"].endswith("新闻"), article_id
        stated = date_line(path)
        if re.fullmatch(r"[\d-]+ [\d:]+ \+0800", stated):
            assert article["showtime"] == stated.removesuffix(" +0800"), article_id
        elif re.fullmatch(r"[\d-]+ [\d:]+", stated):
            shown = datetime.strptime(stated, "%Y-%m-%d %H:%M:%S") + timedelta(hours=8)
            assert article["showtime"] == shown.strftime("%Y-%m-%d %H:%M:%S"), article_id
        else:
            assert "showtime" not in article, article_id
        if "showtime" in article:
            assert SHOWTIME.match(article["showtime"]), article_id


def test_unknown_id(share: ShareServer) -> None:
    assert api(share, UNKNOWN) == {"error": NOT_FOUND_ERROR}
    response = fetch(share.base_url + API_PATH)
    assert response.status == 200
    assert response.json() == {"error": NOT_FOUND_ERROR}


# -- faults ------------------------------------------------------------------------------


def test_fault_empty(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "empty")
    share.set_fault(ROLLING, "empty")
    reference = api(share, REFERENCE)
    intact = share.article(REFERENCE)
    assert intact is not None
    assert reference == {**intact, "text": ""}
    assert api(share, ROLLING)["content"] == ""


def test_fault_error(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "error")
    article = api(share, REFERENCE)
    assert set(article) == {"error"}
    assert article["error"]


def test_fault_garbage(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "garbage")
    response = fetch(share.api_url(REFERENCE))
    assert response.status == 200
    assert response.content_type.startswith("text/html")
    assert response.body
    with pytest.raises(ValueError):
        json.loads(response.body)


def test_fault_5xx(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "5xx")
    assert fetch(share.api_url(REFERENCE)).status == 503
    assert fetch(share.share_url(REFERENCE)).status == 200  # the share page still works
    assert ("GET", share.api_path(REFERENCE), 503) in share.requests


def test_fault_slow_times_out_a_patient_client_not(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "slow")
    assert share.slow_seconds == 5.0
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        fetch(share.api_url(REFERENCE), timeout=0.3)
    assert time.monotonic() - started < 3
    assert api(share, ROLLING)  # other ids answer at once meanwhile


def test_fault_slow_answers_normally_after_the_delay(corpus: Path) -> None:
    path = corpus_file(corpus, "_posts", REFERENCE)
    with ShareServer([path], faults={REFERENCE: "slow"}, slow_seconds=0.3) as server:
        started = time.monotonic()
        article = api(server, REFERENCE)
        assert time.monotonic() - started >= 0.3
        assert article == server.article(REFERENCE)


def test_fault_share_page_5xx(share: ShareServer) -> None:
    share.set_fault(REFERENCE, "share_page_5xx")
    assert fetch(share.share_url(REFERENCE)).status == 500
    assert api(share, REFERENCE) == share.article(REFERENCE)


def test_faults_from_constructor_and_healing(corpus: Path) -> None:
    path = corpus_file(corpus, "_posts", REFERENCE)
    with ShareServer([path], faults={REFERENCE: "5xx", UNKNOWN: "error"}) as server:
        assert fetch(server.api_url(REFERENCE)).status == 503
        assert "error" in api(server, UNKNOWN)
        server.set_fault(REFERENCE, None)
        assert api(server, REFERENCE)["text"]
        assert server.faults == {UNKNOWN: "error"}


def test_unknown_fault_mode_is_rejected(corpus: Path) -> None:
    assert {"empty", "error", "garbage", "5xx", "slow", "share_page_5xx"} == FAULT_MODES
    with pytest.raises(ValueError, match="fault mode"):
        ShareServer([], faults={REFERENCE: "teapot"})
    with ShareServer([]) as server, pytest.raises(ValueError, match="fault mode"):
        server.set_fault(REFERENCE, "503")


# -- the share page, other paths, the log --------------------------------------------------


@pytest.mark.parametrize("article_id", [REFERENCE, ROLLING, UNKNOWN])
def test_share_page_is_a_shell_that_loads_the_api(share: ShareServer, article_id: str) -> None:
    response = fetch(share.share_url(article_id))
    assert response.status == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.body.decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<script>" in page
    apis = [unescape(value) for value in re.findall(r'data-api="([^"]*)"', page)]
    assert apis == [f"{API_PATH}?id={article_id}"]
    article = share.article(article_id)
    if article is not None:  # a shell: the article itself is not in the page
        assert body_of(article)[:40] not in page
        assert article["title"] not in page


def test_other_paths_are_404(share: ShareServer) -> None:
    for path in ("/", "/NewsData/", f"/html_News/NewsShare.htm?infoCode={REFERENCE}", "/x.do"):
        assert fetch(share.base_url + path).status == 404, path


def test_access_log(share: ShareServer) -> None:
    fetch(share.share_url(REFERENCE))
    api(share, REFERENCE)
    fetch(share.base_url + "/missing")
    fetch(share.api_url(REFERENCE), method="HEAD")
    assert share.requests == [
        RequestRecord("GET", f"{SHARE_PAGE_PATH}?infoCode={REFERENCE}", 200),
        RequestRecord("GET", f"{API_PATH}?id={REFERENCE}", 200),
        RequestRecord("GET", "/missing", 404),
        RequestRecord("HEAD", f"{API_PATH}?id={REFERENCE}", 200),
    ]
    share.clear()
    assert share.requests == []


def test_not_running() -> None:
    server = ShareServer([])
    with pytest.raises(RuntimeError):
        _ = server.base_url
