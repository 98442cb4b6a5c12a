"""Jekyll posts: the pure renderer, the item exporter into memory, the writer extension.

The expected posts follow the site's own files (``corpus/finews/_posts/*.md``): front matter,
body, blank line, ``<share url>``, blank line, back links.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsspider.exporters.jekyll import JekyllPostExporter, post_filename, render_post
from newsspider.exporters.yaml_scalars import _parsed_scalar, double_quoted, scalar
from newsspider.extensions.posts import JekyllPostsWriter
from newsspider.items import ArticleItem

ARTICLE_ID = "NW202203032295532740"
SHARE_URL = f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={ARTICLE_ID}"
ORIGIN_URL = "http://finance.eastmoney.com/news/11060,202112082206672930.html"
BODY_MARKDOWN = "■ 重点推动重大项目加快建设进度\n\n**天津北方网讯：**近日，我市召开工作会议。"
BODY_HTML = (
    "<p>■ 重点推动重大项目加快建设进度</p>\n"
    "<p><strong>天津北方网讯：</strong>近日，我市召开工作会议。</p>"
)
BACK_LINKS = (
    "[返回天津日报新闻](//finews.withounder.com/category/tianjinribao.html)"
    "｜[返回首页](//finews.withounder.com/)"
)


def make_item(**fields: Any) -> ArticleItem:
    """A normalised article as it leaves the pipelines, with ``fields`` replaced."""
    values: dict[str, Any] = {
        "id": ARTICLE_ID,
        "url": f"https://finews.withounder.com/tianjinribao/2022/03/03/{ARTICLE_ID}.html",
        "title": "滨海新区加快构建“1+3+4”现代工业产业体系",
        "published_at": "2022-03-03T11:33:32+08:00",
        "category": "tianjinribao",
        "tags": ["天津日报新闻"],
        "source": "天津日报",
        "editor": "张晶晶",
        "body_html": BODY_HTML,
        "body_markdown": BODY_MARKDOWN,
        "body_text": "■ 重点推动重大项目加快建设进度\n\n天津北方网讯：近日，我市召开工作会议。",
        "share_url": SHARE_URL,
        "crawled_at": "2022-03-03T04:00:00+00:00",
    }
    values.update(fields)
    return ArticleItem(**values)


def make_article(**fields: Any) -> dict[str, Any]:
    return ItemAdapter(make_item(**fields)).asdict()


# Jekyll's own front matter split (``Jekyll::Document::YAML_FRONT_MATTER_REGEXP``).
FRONT_MATTER_RE = re.compile(r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.MULTILINE | re.DOTALL)


def front_matter(post: str) -> dict[str, Any]:
    match = FRONT_MATTER_RE.match(post)
    assert match is not None, "no front matter Jekyll would recognise"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def body_of(post: str) -> str:
    match = FRONT_MATTER_RE.match(post)
    assert match is not None
    return post[match.end() :]


# --- render_post ----------------------------------------------------------------------------

EXPECTED_POST = f"""---
layout: post
title: "滨海新区加快构建“1+3+4”现代工业产业体系"
date: 2022-03-03 11:33:32 +0800
categories: tianjinribao
tags: 天津日报新闻
archive_id: {ARTICLE_ID}
outlet: 天津日报
editor: 张晶晶
render_with_liquid: false
---
{BODY_MARKDOWN}

<{SHARE_URL}>

{BACK_LINKS}
"""


def test_render_post_is_the_sites_post_format() -> None:
    assert render_post(make_article()) == EXPECTED_POST


def test_render_post_front_matter_opens_with_the_sites_keys_in_order() -> None:
    lines = render_post(make_article()).splitlines()
    assert lines[:6] == [
        "---",
        "layout: post",
        'title: "滨海新区加快构建“1+3+4”现代工业产业体系"',
        "date: 2022-03-03 11:33:32 +0800",
        "categories: tianjinribao",
        "tags: 天津日报新闻",
    ]


def test_render_post_front_matter_parses_back() -> None:
    assert front_matter(render_post(make_article())) == {
        "layout": "post",
        "title": "滨海新区加快构建“1+3+4”现代工业产业体系",
        # PyYAML reads the timestamp as an aware datetime; compare its text instead.
        "date": yaml.safe_load("2022-03-03 11:33:32 +0800"),
        "categories": "tianjinribao",
        "tags": "天津日报新闻",
        "archive_id": ARTICLE_ID,
        "outlet": "天津日报",
        "editor": "张晶晶",
        "render_with_liquid": False,
    }


def test_render_post_date_is_written_in_beijing_time() -> None:
    post = render_post(make_article(published_at="2022-03-02T20:00:00+00:00"))
    assert "\ndate: 2022-03-03 04:00:00 +0800\n" in post


def test_render_post_tags_are_space_joined() -> None:
    post = render_post(make_article(tags=["21世纪经济报道", "21财经APP新闻"]))
    assert "\ntags: 21世纪经济报道 21财经APP新闻\n" in post


def test_render_post_rolling_news_links_back_to_the_rolling_page() -> None:
    article = make_article(
        id="202112082206672930",
        category="emnews",
        tags=["东财滚动新闻"],
        source="东财滚动",
        editor=None,
        share_url=None,
        origin_url=ORIGIN_URL,
        body_markdown="> 央行开展逆回购操作。\n\n正文。",
    )
    assert body_of(render_post(article)) == (
        "> 央行开展逆回购操作。\n\n正文。\n\n"
        f"<{ORIGIN_URL}>\n\n"
        "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)\n"
    )


@pytest.mark.parametrize(
    ("category", "tags", "back_links"),
    [
        (
            "21shijijingjibaodao 21caijingAPP",
            ["21世纪经济报道", "21财经APP新闻"],
            "[返回21世纪经济报道 21财经APP新闻]"
            "(//finews.withounder.com/category/21shijijingjibaodao 21caijingAPP.html)",
        ),
        (
            "anxinguojizhengquan(xianggang)",
            ["安信国际证券(香港)新闻"],
            "[返回安信国际证券(香港)新闻]"
            "(//finews.withounder.com/category/anxinguojizhengquan(xianggang).html)",
        ),
        ("Wind", ["Wind新闻"], "[返回Wind新闻](//finews.withounder.com/category/Wind.html)"),
        pytest.param(
            "a)b(c",
            ["[x]"],
            r"[返回\[x\]](//finews.withounder.com/category/a%29b%28c.html)",
            id="unbalanced-parentheses",
        ),
    ],
)
def test_render_post_back_link_names_the_category_as_the_site_does(
    category: str, tags: list[str], back_links: str
) -> None:
    post = render_post(make_article(category=category, tags=tags))
    assert post.endswith(f"\n\n{back_links}｜[返回首页](//finews.withounder.com/)\n")


def test_render_post_prefers_the_share_link_to_the_origin_link() -> None:
    post = render_post(make_article(origin_url=ORIGIN_URL))
    assert f"\n\n<{SHARE_URL}>\n\n" in post


def test_render_post_without_source_link_has_no_empty_link() -> None:
    post = render_post(make_article(share_url=None))
    assert body_of(post) == f"{BODY_MARKDOWN}\n\n{BACK_LINKS}\n"


def test_render_post_with_an_empty_body_keeps_the_links() -> None:
    post = render_post(make_article(body_markdown="  \n"))
    assert body_of(post) == f"<{SHARE_URL}>\n\n{BACK_LINKS}\n"


def test_render_post_without_outlet_and_editor_leaves_their_keys_out() -> None:
    data = front_matter(render_post(make_article(source=None, editor=None)))
    assert ("outlet" in data, "editor" in data) == (False, False)


def test_render_post_html_body_variant() -> None:
    post = render_post(make_article(), body_format="html")
    assert body_of(post) == f"<div>\n{BODY_HTML}\n</div>\n\n<{SHARE_URL}>\n\n{BACK_LINKS}\n"


def test_render_post_rejects_an_unknown_body_format() -> None:
    with pytest.raises(ValueError, match="body format must be one of"):
        render_post(make_article(), body_format="pdf")


@pytest.mark.parametrize("published_at", ["", "2022-03-03 11:33:32", "yesterday"])
def test_render_post_rejects_an_article_without_a_valid_date(published_at: str) -> None:
    with pytest.raises(ValueError, match=ARTICLE_ID):
        render_post(make_article(published_at=published_at))


# --- front matter survives hostile values ---------------------------------------------------

HOSTILE = [
    'say "hi"',
    "it's",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#x",
    "- x",
    "-x",
    "--- x",
    "---",
    "...",
    "* x",
    "&x",
    "!x",
    "!!python/object:os.system",
    "%x",
    "@x",
    "`x`",
    "? x",
    "|",
    ">",
    "[a]",
    "{a: 1}",
    "a, b",
    "~",
    "=",
    "<<",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "null",
    "Null",
    "true",
    "1.5",
    "1e3",
    "0x1F",
    "0o17",
    "012",
    "1_000",
    "1:30",
    ".inf",
    "-.nan",
    "2022-01-01",
    "2022-01-01 10:00:00 +0800",
    "",
    " leading",
    "trailing ",
    "a\nb",
    "a\r\nb",
    "\n---\nlayout: evil\n---",
    "a\tb",
    "a\x00b",
    "a\x01b\x1f",
    "a\x7fb",
    "a\x85b",
    "a\u00a0b",
    "a\ufeffb",
    "\ufeffa",
    "a\ufffeb",
    "a\\b",
    "\\",
    "\\n",
    '\\"',
    "标题：“引号”‘单引号’【括号】",
    "x" * 1000,
    "标" * 1000,
    ('a: "b" #c\\' * 100)[:1000],
]
# Line and paragraph separators: PyYAML reads them as line breaks inside a plain scalar.
SEPARATORS = ["a\u2028b", "a\u2029b"]


def hostile_params() -> list[Any]:
    return [pytest.param(value, id=repr(value)[:40]) for value in [*HOSTILE, *SEPARATORS]]


def inert(value: str) -> str:
    """The site's layout prints titles and tags raw: the post holds ``<``/``>`` as entities."""
    return value.replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_title_reads_back_unchanged(value: str) -> None:
    assert front_matter(render_post(make_article(title=value)))["title"] == inert(value)


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_title_is_always_double_quoted(value: str) -> None:
    line = render_post(make_article(title=value)).splitlines()[2]
    assert line == f"title: {double_quoted(inert(value))}"


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_categories_reads_back_unchanged(value: str) -> None:
    assert front_matter(render_post(make_article(category=value)))["categories"] == value


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_tags_read_back_space_joined(value: str) -> None:
    post = render_post(make_article(tags=[value, "天津日报新闻"]))
    assert front_matter(post)["tags"] == f"{inert(value)} 天津日报新闻"


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_outlet_reads_back_unchanged(value: str) -> None:
    data = front_matter(render_post(make_article(source=value or "x")))
    assert data["outlet"] == (value or "x")


@pytest.mark.parametrize("value", hostile_params())
def test_front_matter_keeps_its_keys_with_a_hostile_value_everywhere(value: str) -> None:
    article = make_article(title=value, category=value, tags=[value], source=value, editor=value)
    assert list(front_matter(render_post(article)))[:6] == [
        "layout",
        "title",
        "date",
        "categories",
        "tags",
        "archive_id",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tianjinribao", "tianjinribao"),
        ("21shijijingjibaodao 21caijingAPP", "21shijijingjibaodao 21caijingAPP"),
        ("anxinguojizhengquan(xianggang)", "anxinguojizhengquan(xianggang)"),
        ("天津日报新闻", "天津日报新闻"),
        ("yes", '"yes"'),
        ("2022-01-01", '"2022-01-01"'),
        ("202112082206672930", '"202112082206672930"'),
        ("a: b", '"a: b"'),
        ("a\tb", r'"a\tb"'),
        ("~x", '"~x"'),
        ("", '""'),
    ],
)
def test_scalar_is_plain_only_when_it_reads_back_as_itself(value: str, expected: str) -> None:
    assert scalar(value) == expected


_WORDS = ["NW202203032295532740", "y", "Y", "n", "N", "nan", "inf", "E1", "x1e5", "No1", "oN"]
_WORDS += [w for word in ("yes", "no", "true", "false", "on", "off", "null") for w in (
    word, word.upper(), word.title(), word[:-1] + word[-1].upper()
)]  # fmt: skip


@pytest.mark.parametrize("word", _WORDS)
def test_scalar_of_a_word_skips_yaml_but_answers_as_yaml(word: str) -> None:
    """Letters and digits (an id) are not YAML-parsed; the answer is the parsed one."""
    assert scalar(word) == _parsed_scalar.__wrapped__(word)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('say "hi"', r'"say \"hi\""'),
        ("a\\b", r'"a\\b"'),
        ("a\nb\tc\rd\x00e", r'"a\nb\tc\rd\0e"'),
        ("a\x01\x7f\x85b", r'"a\u0001\u007f\u0085b"'),
        ("a\u2028\u2029\ufeffb", r'"a\u2028\u2029\ufeffb"'),
        ("引号“”", '"引号“”"'),
    ],
)
def test_double_quoted_escapes_what_yaml_forbids_or_misreads(value: str, expected: str) -> None:
    assert double_quoted(value) == expected


# --- post_filename --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, f"2022-03-03-{ARTICLE_ID}.md"),
        (
            {"id": "202112082206672930", "published_at": "2021-12-08T18:39:01+08:00"},
            "2021-12-08-202112082206672930.md",
        ),
        # Beijing day, not the UTC day.
        ({"published_at": "2022-03-02T20:00:00+00:00"}, f"2022-03-03-{ARTICLE_ID}.md"),
        ({"published_at": "2022-03-03T00:00:00+08:00"}, f"2022-03-03-{ARTICLE_ID}.md"),
    ],
)
def test_post_filename_is_the_beijing_day_and_the_id(fields: dict[str, Any], expected: str) -> None:
    assert post_filename(make_article(**fields)) == expected


@pytest.mark.parametrize("published_at", ["", "2022-03-03 11:33:32", "2022-02-30T10:00:00+08:00"])
def test_post_filename_rejects_an_invalid_date(published_at: str) -> None:
    with pytest.raises(ValueError, match=ARTICLE_ID):
        post_filename(make_article(published_at=published_at))


def test_post_filename_rejects_a_missing_date() -> None:
    with pytest.raises(ValueError, match=ARTICLE_ID):
        post_filename(make_article(published_at=None))


# --- JekyllPostExporter ---------------------------------------------------------------------


def export(item: ArticleItem, **kwargs: Any) -> bytes:
    file = io.BytesIO()
    exporter = JekyllPostExporter(file, **kwargs)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    return file.getvalue()


def test_exporter_writes_the_post_as_utf8() -> None:
    assert export(make_item()) == EXPECTED_POST.encode("utf-8")


def test_exporter_html_body_format() -> None:
    expected = render_post(make_article(), body_format="html").encode("utf-8")
    assert export(make_item(), body_format="html") == expected


def test_exporter_accepts_a_plain_dict() -> None:
    assert export(make_article()) == EXPECTED_POST.encode("utf-8")  # type: ignore[arg-type]


# --- JekyllPostsWriter ----------------------------------------------------------------------


def writer_crawler(data_dir: Path, **settings: Any) -> Crawler:
    return get_crawler(
        settings_dict={
            "NEWSSPIDER_DATA_DIR": str(data_dir),
            "NEWSSPIDER_POSTS_ENABLED": True,
            "NEWSSPIDER_POST_BODY": "markdown",
            **settings,
        }
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    # Deep enough that an escaping name would still land under ``tmp_path``, where it is seen.
    return tmp_path / "jobs" / "finews" / "data"


@pytest.fixture
def crawler(data_dir: Path) -> Iterator[Crawler]:
    """A crawler with the posts writer connected to ``item_scraped``."""
    crawler = writer_crawler(data_dir)
    # Held for the test's duration, as Scrapy's ExtensionManager holds it: signal receivers
    # are weak references.
    writer = JekyllPostsWriter.from_crawler(crawler)
    yield crawler
    del writer


def scraped(crawler: Crawler, item: ArticleItem) -> None:
    """Send ``item_scraped`` as Scrapy's scraper does once an item passed every pipeline."""
    crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=None)


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(f"newsspider/posts/{name}")


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


POST_PATH = f"posts/_posts/2022-03-03-{ARTICLE_ID}.md"


def test_writer_writes_the_post_under_posts(crawler: Crawler, data_dir: Path) -> None:
    scraped(crawler, make_item())
    assert files_under(data_dir) == [POST_PATH]


def test_writer_writes_the_rendered_post(crawler: Crawler, data_dir: Path) -> None:
    scraped(crawler, make_item())
    assert (data_dir / POST_PATH).read_text(encoding="utf-8") == EXPECTED_POST


def test_writer_counts_written_posts(crawler: Crawler) -> None:
    scraped(crawler, make_item())
    scraped(crawler, make_item(id="202112082206672930"))
    assert stat(crawler, "written") == 2


def test_writer_replaces_an_earlier_post(crawler: Crawler, data_dir: Path) -> None:
    scraped(crawler, make_item(title="旧标题"))
    scraped(crawler, make_item(title="新标题"))
    assert front_matter((data_dir / POST_PATH).read_text(encoding="utf-8"))["title"] == "新标题"


def test_a_revision_dated_another_day_replaces_the_earlier_post(
    crawler: Crawler, data_dir: Path
) -> None:
    """The date moved across Beijing midnight: one post per article, under the new day."""
    scraped(crawler, make_item(published_at="2022-03-03T23:58:00+08:00"))
    scraped(crawler, make_item(id=f"X-{ARTICLE_ID}", published_at="2022-03-03T10:00:00+08:00"))
    scraped(crawler, make_item(published_at="2022-03-04T00:02:00+08:00", revision=2))
    assert files_under(data_dir / "posts" / "_posts") == [
        f"2022-03-03-X-{ARTICLE_ID}.md",  # another article, whose id ends like this one's
        f"2022-03-04-{ARTICLE_ID}.md",
    ]
    assert stat(crawler, "renamed") == 1


def test_a_recovered_revision_dated_another_day_replaces_the_earlier_post(
    crawler: Crawler, data_dir: Path
) -> None:
    writer = JekyllPostsWriter(crawler, data_dir / "posts" / "_posts", "markdown")
    writer.rewrite(make_article(published_at="2022-03-03T23:58:00+08:00"))
    writer.rewrite(make_article(published_at="2022-03-04T00:02:00+08:00", revision=2))
    assert files_under(data_dir / "posts" / "_posts") == [f"2022-03-04-{ARTICLE_ID}.md"]


def test_writer_replacing_leaves_no_temporary_file(crawler: Crawler, data_dir: Path) -> None:
    scraped(crawler, make_item(title="旧标题"))
    scraped(crawler, make_item(title="新标题"))
    assert files_under(data_dir) == [POST_PATH]


@pytest.fixture
def failed_rewrite(
    crawler: Crawler, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Crawler, Path]:
    scraped(crawler, make_item(title="旧标题"))

    def half_written(self: JekyllPostExporter, item: Any) -> None:
        self.file.write(b"---\nlayout: po")
        raise OSError("No space left on device")

    monkeypatch.setattr(JekyllPostExporter, "export_item", half_written)
    scraped(crawler, make_item(title="新标题"))
    return crawler, data_dir


def test_writer_failing_midway_keeps_the_old_post(failed_rewrite: tuple[Crawler, Path]) -> None:
    _, data_dir = failed_rewrite
    assert (data_dir / POST_PATH).read_text(encoding="utf-8") == render_post(
        make_article(title="旧标题")
    )


def test_writer_failing_midway_leaves_no_temporary_file(
    failed_rewrite: tuple[Crawler, Path],
) -> None:
    _, data_dir = failed_rewrite
    assert files_under(data_dir) == [POST_PATH]


def test_writer_failing_midway_is_counted(failed_rewrite: tuple[Crawler, Path]) -> None:
    crawler, _ = failed_rewrite
    assert (stat(crawler, "written"), stat(crawler, "failed")) == (1, 1)


# ``2022-03-03-<id>.md``: six ``..`` climb from ``_posts`` to ``tmp_path`` itself.
ESCAPING_IDS = ["../x", "../../../../../../x", "a/b", "a\\b", "x\x00y"]


@pytest.mark.parametrize("article_id", ESCAPING_IDS)
def test_writer_refuses_an_id_that_escapes_the_folder(
    crawler: Crawler, tmp_path: Path, article_id: str
) -> None:
    scraped(crawler, make_item(id=article_id))
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("article_id", ESCAPING_IDS)
def test_writer_counts_a_refused_id_as_failed(crawler: Crawler, article_id: str) -> None:
    scraped(crawler, make_item(id=article_id))
    assert (stat(crawler, "written"), stat(crawler, "failed")) == (None, 1)


@pytest.fixture
def outside_target(crawler: Crawler, data_dir: Path, tmp_path: Path) -> Path:
    """A post path that is a symbolic link to a file outside the posts folder."""
    target = tmp_path / "outside.md"
    target.write_text("not a post", encoding="utf-8")
    (data_dir / "posts" / "_posts").mkdir(parents=True)
    (data_dir / POST_PATH).symlink_to(target)
    scraped(crawler, make_item())
    return target


def test_writer_does_not_write_through_a_link_out_of_the_folder(outside_target: Path) -> None:
    assert outside_target.read_text(encoding="utf-8") == "not a post"


def test_writer_replaces_a_link_out_of_the_folder_with_the_post(
    crawler: Crawler, data_dir: Path, outside_target: Path
) -> None:
    """Names are replaced, never followed: the link goes, the post takes its place."""
    post = data_dir / POST_PATH
    assert not post.is_symlink()
    assert post.read_text(encoding="utf-8") == EXPECTED_POST
    assert (stat(crawler, "written"), stat(crawler, "failed")) == (1, None)


def test_writer_counts_an_invalid_date_as_failed(crawler: Crawler) -> None:
    scraped(crawler, make_item(published_at="2022-03-03 11:33:32"))
    assert stat(crawler, "failed") == 1


def test_writer_counts_a_missing_date_as_failed(data_dir: Path) -> None:
    crawler = writer_crawler(data_dir)
    writer = JekyllPostsWriter.from_crawler(crawler)
    # Called directly: ``send_catch_log`` would log the exception and hide it.
    writer.item_scraped(make_item(published_at=None))
    assert stat(crawler, "failed") == 1


def test_writer_html_body_setting(data_dir: Path) -> None:
    crawler = writer_crawler(data_dir, NEWSSPIDER_POST_BODY="html")
    writer = JekyllPostsWriter.from_crawler(crawler)
    scraped(crawler, make_item())
    del writer
    text = (data_dir / POST_PATH).read_text(encoding="utf-8")
    assert text == render_post(make_article(), body_format="html")


@pytest.mark.parametrize("enabled", [False, "False", "0"])
def test_writer_switched_off_is_not_configured(data_dir: Path, enabled: object) -> None:
    with pytest.raises(NotConfigured):
        JekyllPostsWriter.from_crawler(writer_crawler(data_dir, NEWSSPIDER_POSTS_ENABLED=enabled))


@pytest.mark.parametrize("body", ["pdf", "Markdown", "", None])
def test_writer_rejects_a_bad_body_setting_naming_it(data_dir: Path, body: object) -> None:
    with pytest.raises(ValueError, match="NEWSSPIDER_POST_BODY must be one of markdown, html"):
        JekyllPostsWriter.from_crawler(writer_crawler(data_dir, NEWSSPIDER_POST_BODY=body))
