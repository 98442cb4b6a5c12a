"""Page parsers against saved pages: ``tests/fixtures/pages/<case>.html`` is the input,
``<case>.json`` the plain values the parse must give, one assertion per field.

``sample_*`` pages are copies of the bundled sample site (real Jekyll renderings);
``hw_*`` pages are hand-written variants an independent server following the spec might
serve. Each JSON names its ``parser``:

- ``post``: ``expected`` holds every :class:`PostPage` field; ``back_link_categories`` the
  category slug each back link names; ``cleaned`` (optional, used by ``test_cleaning``) what
  :func:`clean_body` makes of the body.
- ``home``: ``expected.sections``, one ``{tag, links}`` per ``<h2 id=TAG>`` section.
- ``category``: ``expected.links`` and ``post_paths`` (what each link's URL says).
- ``not_a_post``: the post parser must raise :class:`NotAPostError`.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.html import document_fromstring, fragment_fromstring
from parsel import Selector

from newsspider.pages import (
    CategoryPage,
    HomePage,
    NotAListingError,
    NotAPostError,
    PostPage,
    PostPageV1,
)
from newsspider.urls import SiteUrls, category_slug_from_url, parse_post_path

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
POST_FIELDS = tuple(field.name for field in dataclasses.fields(PostPage))
CASES: dict[str, dict[str, Any]] = {
    path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(PAGES.glob("*.json"))
}


def _known_bug(case: str, field: str, expected: object = None) -> str | None:
    """Known bugs of newsspider/ as strict xfails (none open now; a fix shows up as XPASS)."""
    return None


def _marks(reason: str | None) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _cases(parser: str) -> list[str]:
    return [case for case, data in CASES.items() if data["parser"] == parser]


def _page_text(case: str) -> str:
    return (PAGES / f"{case}.html").read_text(encoding="utf-8")


@cache
def _parsed_post(case: str) -> PostPage:
    return PostPageV1().parse(_page_text(case))


def _selector(case: str) -> Selector:
    return Selector(text=_page_text(case))


def canonical_html(markup: str) -> str:
    """``markup`` re-serialised: the same for two spellings of the same blocks.

    Parsing and serialising again evens out ``<br />``/``<br>``, ``&nbsp;``/U+00A0,
    ``&amp;`` in attributes and the like; the whitespace around top-level
    blocks is trimmed. Everything else (blocks, comments, attributes, text) must match.
    """
    root = fragment_fromstring(markup.strip(), create_parent="div")
    root.text = (root.text or "").strip() or None
    for child in root:
        child.tail = (child.tail or "").strip() or None
    return etree.tostring(root, encoding="unicode", method="html")


# --- fixtures are complete -----------------------------------------------------------


def test_every_page_has_its_expectations() -> None:
    pages = {path.stem for path in PAGES.glob("*.html")}
    assert pages == set(CASES)


@pytest.mark.parametrize("case", _cases("post"))
def test_post_fixture_names_every_field(case: str) -> None:
    assert set(CASES[case]["expected"]) == set(POST_FIELDS)


# --- post pages ----------------------------------------------------------------------


def _post_field_params() -> list[Any]:
    return [
        pytest.param(
            case,
            field,
            id=f"{case}-{field}",
            marks=_marks(_known_bug(case, field, CASES[case]["expected"][field])),
        )
        for case in _cases("post")
        for field in POST_FIELDS
    ]


@pytest.mark.parametrize(("case", "field"), _post_field_params())
def test_post_field(case: str, field: str) -> None:
    actual = getattr(_parsed_post(case), field)
    expected = CASES[case]["expected"][field]
    if field == "body_html":
        assert canonical_html(actual) == canonical_html(expected)
    else:
        assert actual == expected


@pytest.mark.parametrize("case", _cases("post"))
def test_post_back_link_categories(case: str) -> None:
    """The slug each back link names, as the spider and the metadata pipeline read it."""
    slugs = [category_slug_from_url(href) for href in _parsed_post(case).back_links]
    assert slugs == CASES[case]["back_link_categories"]


def test_post_parse_of_bytes_equals_parse_of_text() -> None:
    case = "sample_post_outlet_widgets"
    from_bytes = PostPageV1().parse((PAGES / f"{case}.html").read_bytes())
    assert from_bytes == _parsed_post(case)


def test_body_is_read_from_the_section_not_the_leaking_head() -> None:
    """The og:description leak puts a second copy of the body before the wrapper."""
    case = "sample_post_outlet_widgets"
    document = document_fromstring(_page_text(case))
    outlet_lines = document.xpath("//p[@class='em_media']")
    assert len(outlet_lines) == 2, "the fixture no longer shows the leak"
    assert _parsed_post(case).body_html.count('class="em_media"') == 1


# --- pages that are not posts --------------------------------------------------------


def _not_a_post_params() -> list[Any]:
    return [
        pytest.param(case, id=case, marks=_marks(_known_bug(case, "raises")))
        for case, data in CASES.items()
        if data["parser"] != "post"
    ]


@pytest.mark.parametrize("case", _not_a_post_params())
def test_post_parser_rejects_page(case: str) -> None:
    with pytest.raises(NotAPostError):
        PostPageV1().parse(_page_text(case))


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("", id="empty"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param("<p>不是页面</p>", id="fragment-without-section"),
        pytest.param(
            "<html><body><div class='wrapper'><section><p>正文</p></section></div></body></html>",
            id="section-without-date-h1-tags",
        ),
    ],
)
def test_post_parser_rejects_markup(markup: str | bytes) -> None:
    with pytest.raises(NotAPostError):
        PostPageV1().parse(markup)


def _post_with_body(body: str) -> str:
    return (
        "<html><head><title>标题 | 金融消息</title></head><body><div class='wrapper'><section>"
        "<small>(GMT+8, Asia/Shanghai, CST) 2026-01-01 10:00:00</small><h1>标题</h1>"
        f"{body}<small>tags: <em>天津日报新闻</em></small></section></div></body></html>"
    )


def _post_titled(title: str) -> str:
    """A post page as the site's layout prints it: the title raw in ``<h1>``, escaped in the
    head (jekyll-seo-tag), a header ``<h1>`` with the site title before the section."""
    return (
        '<html><head><meta charset="utf-8">'
        f"<title>{title.replace('<', '&lt;')} | 金融消息</title></head><body>"
        '<div class="wrapper"><header><h1><a href="/">金融消息</a></h1></header><section>\n'
        "<small>(GMT+8, Asia/Shanghai, CST) 2026-01-01 10:00:00</small>\n"
        f"<h1>{title}</h1>\n<p>正文一句话。</p>\n"
        "<small>tags: <em>天津日报新闻</em></small>\n</section></div></body></html>"
    )


@pytest.mark.parametrize("title", ["A<B股跌幅收窄", "PE<PB的公司", "*ST<ST", "涨幅<3%", "x</b>y"])
@pytest.mark.parametrize("form", ["text", "bytes", "no-body-tag"])
def test_a_title_with_a_less_than_sign_keeps_the_page_apart(title: str, form: str) -> None:
    """The layout prints the title raw: ``<B股…`` would open an element holding the rest."""
    markup = _post_titled(title)
    if form == "no-body-tag":  # the page is parsed whole
        markup = markup.replace("<body>", "")
    page = PostPageV1().parse(markup.encode() if form == "bytes" else markup)
    assert page.title == title
    assert page.tags == ["天津日报新闻"]
    assert page.body_html == "<p>正文一句话。</p>"
    assert page.head_title == title


def _nested(depth: int) -> str:
    return "<p>前文</p>" + "<div>" * depth + "正文" + "</div>" * depth + "<p>后文</p>"


def test_a_deeply_nested_body_is_read_to_its_end() -> None:
    """libxml2 stops at 256 levels by default and drops the rest of the page silently."""
    page = PostPageV1().parse(_post_with_body(_nested(600)))
    assert page.tags == ["天津日报新闻"]
    assert page.body_html.startswith("<p>前文</p><div>")
    assert page.body_html.endswith("</div><p>后文</p>")


def test_a_body_nested_past_the_parsers_limit_is_refused_not_cut() -> None:
    with pytest.raises(NotAPostError, match="deeper than 2048 levels"):
        PostPageV1().parse(_post_with_body(_nested(2100)))


# --- home page -----------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("home"))
def test_home_section_tags(case: str) -> None:
    tags = [section.tag for section in HomePage().parse(_selector(case))]
    assert tags == [section["tag"] for section in CASES[case]["expected"]["sections"]]


def _home_section_params() -> list[Any]:
    return [
        pytest.param(case, index, id=f"{case}-{section['tag']}")
        for case in _cases("home")
        for index, section in enumerate(CASES[case]["expected"]["sections"])
    ]


@pytest.mark.parametrize(("case", "index"), _home_section_params())
def test_home_section_links(case: str, index: int) -> None:
    expected = CASES[case]["expected"]["sections"][index]
    sections = {section.tag: section for section in HomePage().parse(_selector(case))}
    links = [dataclasses.asdict(link) for link in sections[expected["tag"]].links]
    assert links == expected["links"]


# --- category and rolling-news pages -------------------------------------------------


@pytest.mark.parametrize("case", _cases("category"))
def test_listing_links(case: str) -> None:
    links = [dataclasses.asdict(link) for link in CategoryPage().parse(_page_text(case))]
    assert links == CASES[case]["expected"]["links"]


@pytest.mark.parametrize("case", _cases("category"))
def test_listing_post_paths(case: str) -> None:
    """What each listed URL says by itself: day, file name, lower-cased categories."""
    paths = []
    for link in CASES[case]["expected"]["links"]:
        path = parse_post_path(link["href"])
        assert path is not None, link["href"]
        paths.append(
            {"day": path.day.isoformat(), "name": path.name, "categories": list(path.categories)}
        )
    assert paths == CASES[case]["post_paths"]


# --- URL helpers the parsers' output is fed to ---------------------------------------


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        pytest.param(
            "//finews.withounder.com/category/tianjinribao.html", "tianjinribao", id="plain"
        ),
        pytest.param("/category/Wind.html", "Wind", id="case-kept"),
        pytest.param(
            "//finews.withounder.com/category/21shijijingjibaodao 21caijingAPP.html",
            "21shijijingjibaodao 21caijingAPP",
            id="space",
        ),
        pytest.param(
            "https://finews.withounder.com/category/21shijijingjibaodao%2021caijingAPP.html",
            "21shijijingjibaodao 21caijingAPP",
            id="pct20",
        ),
        pytest.param(
            "/category/anxinguojizhengquan%28xianggang%29.html",
            "anxinguojizhengquan(xianggang)",
            id="pct-parentheses",
        ),
        pytest.param("//finews.withounder.com/emnews/", "emnews", id="rolling"),
        pytest.param("../emnews/", "emnews", id="rolling-relative"),
        pytest.param("//finews.withounder.com/", None, id="home"),
        pytest.param("../", None, id="home-relative"),
        pytest.param("/tianjinribao/2026/11/25/NW202611253012845671.html", None, id="post"),
    ],
)
def test_category_slug_from_url(url: str, slug: str | None) -> None:
    assert category_slug_from_url(url) == slug


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/category/tianjinribao.html", id="category"),
        pytest.param("/emnews/", id="rolling"),
        pytest.param("/tianjinribao/2026/02/30/NW202602300000000001.html", id="impossible-day"),
        pytest.param("/tianjinribao/2026/11/25/NW202611253012845671.md", id="not-html"),
    ],
)
def test_parse_post_path_rejects(url: str) -> None:
    assert parse_post_path(url) is None


@pytest.mark.parametrize(
    ("slug", "url"),
    [
        pytest.param(
            "tianjinribao", "http://127.0.0.1:4000/category/tianjinribao.html", id="plain"
        ),
        pytest.param(
            "21shijijingjibaodao 21caijingAPP",
            "http://127.0.0.1:4000/category/21shijijingjibaodao%2021caijingAPP.html",
            id="space",
        ),
        pytest.param(
            "anxinguojizhengquan(xianggang)",
            "http://127.0.0.1:4000/category/anxinguojizhengquan(xianggang).html",
            id="parentheses",
        ),
    ],
)
def test_site_urls_category(slug: str, url: str) -> None:
    assert SiteUrls("http://127.0.0.1:4000/").category(slug) == url


@pytest.mark.parametrize(
    ("href", "local"),
    [
        pytest.param(
            "https://finews.withounder.com/tianjinribao/2026/11/25/NW202611253012845671.html",
            "http://127.0.0.1:4000/tianjinribao/2026/11/25/NW202611253012845671.html",
            id="absolute",
        ),
        pytest.param(
            "//finews.withounder.com/emnews/2026/11/27/202611270004000004.html",
            "http://127.0.0.1:4000/emnews/2026/11/27/202611270004000004.html",
            id="protocol-relative",
        ),
        pytest.param(
            "/qingheribao/2026/11/27/NW202611270001000001.html",
            "http://127.0.0.1:4000/qingheribao/2026/11/27/NW202611270001000001.html",
            id="root-relative",
        ),
        pytest.param(
            "https://finews.zning.me/wind/2026/11/26/NW202611263034518802.html",
            "http://127.0.0.1:4000/wind/2026/11/26/NW202611263034518802.html",
            id="old-host",
        ),
        pytest.param("http://finance.eastmoney.com/news/1351,1.html", None, id="other-host"),
    ],
)
def test_site_urls_to_local(href: str, local: str | None) -> None:
    urls = SiteUrls("http://127.0.0.1:4000")
    assert urls.to_local(href, "http://127.0.0.1:4000/") == local


# --- category pages read as a stream ---------------------------------------------------

_POST_A = "/tianjinribao/2026/11/27/NW202611270000000001.html"
_POST_B = "/tianjinribao/2026/11/26/NW202611260000000002.html"


def _listing(body: str, charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}"></head><body>{body}</body></html>'


def test_listing_links_come_from_the_wrapper_section_only_inside_list_items() -> None:
    page = _listing(
        f'<section><ul><li><a href="{_POST_B}">header</a></li></ul></section>'
        f'<div class="page wrapper"><section><a href="{_POST_B}">not in a list item</a>'
        f'<ul><li><a href="{_POST_A}">  甲　乙 </a></li><li><a href="/about/">about</a></li>'
        f'<li><span><a href="{_POST_B}"><b>丙</b>丁</a></span></li></ul></section></div>'
        f'<section><ul><li><a href="{_POST_A}">footer</a></li></ul></section>'
    )
    links = CategoryPage().parse(page)
    assert [(link.href, link.title) for link in links] == [(_POST_A, "甲 乙"), (_POST_B, "丙丁")]


def test_listing_without_a_wrapper_takes_the_last_section() -> None:
    page = _listing(
        f'<section><ul><li><a href="{_POST_B}">first</a></li></ul></section>'
        f'<section><ul><li><a href="{_POST_A}">last</a></li></ul></section>'
    )
    assert [link.title for link in CategoryPage().parse(page.encode())] == ["last"]


def test_listing_decodes_with_the_encoding_given() -> None:
    page = _listing(f'<section><ul><li><a href="{_POST_A}">上海证券报</a></li></ul></section>')
    links = CategoryPage().parse(page.encode("gbk"), "gbk")
    assert [link.title for link in links] == ["上海证券报"]


def test_a_long_listing_is_read_across_parser_chunks() -> None:
    items = "".join(
        f'<li><a href="/emnews/2026/11/27/{n:018d}.html">第{n}条</a></li>' for n in range(3000)
    )
    links = CategoryPage().parse(_listing(f"<section><ul>{items}</ul></section>").encode())
    assert len(links) == 3000
    assert (links[0].title, links[-1].title) == ("第0条", "第2999条")


@pytest.mark.parametrize(
    "page", [b"", b"\x00\xff garbage", _listing("<ul><li>x</li></ul>").encode()]
)
def test_a_page_without_a_section_is_not_a_listing(page: bytes) -> None:
    with pytest.raises(NotAListingError):
        CategoryPage().parse(page)


_HREF_PIECES = ["//", "http://", "https://", "HTTP://", "finews.withounder.com", "finews.zning.me"]
_HREF_PIECES += ["127.0.0.1:4000", "example.org", "/", "/category/a.html", "?x=1", "#f", ".."]
_HREF_PIECES += [" ", "\t", "\n", "[::1]", "mailto:", "a", "%20", "中"]
_PAGE_URLS = [
    "http://127.0.0.1:4000/a/2026/01/01/NW1.html",
    "https://127.0.0.1:4000/b/",
    "HTTP://127.0.0.1:4000/",
    "http://127.0.0.1:4000/category/x.html?y=2",
    "127.0.0.1:4000/no-scheme",
]


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_HREF_PIECES), max_size=5).map("".join),
            st.sampled_from(_PAGE_URLS),
        ),
        max_size=8,
    )
)
def test_site_urls_to_local_remembers_nothing_wrong(links: list[tuple[str, str]]) -> None:
    """``to_local`` keeps the mapping of links naming their host: one instance asked many
    times answers as a fresh one asked once."""
    kept = SiteUrls("http://127.0.0.1:4000/base")
    for href, page_url in links:
        assert kept.to_local(href, page_url) == SiteUrls("http://127.0.0.1:4000/base").to_local(
            href, page_url
        )


_RELATIVE_PIECES = ["/", "//", "/.", "/..", ".", "a", "?q", "#f", "%20", "%2F", "\\", "[", "]"]
_RELATIVE_PIECES += [" ", "\t", "\n", "\x00", "\u3000", "中", "emnews", "2026", ".html"]


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.sampled_from(_RELATIVE_PIECES), max_size=8).map("".join),
    st.sampled_from([*_PAGE_URLS, "http://127.0.0.1:4000", "http://127.0.0.1:40000/x"]),
    st.sampled_from(["http://127.0.0.1:4000", "http://127.0.0.1:4000/base"]),
)
def test_site_urls_maps_relative_links_as_urljoin_does(
    tail: str, page_url: str, base_url: str
) -> None:
    """Plain root-relative links skip ``urljoin`` (a listing's thousands of links): each
    link maps exactly as joined by ``urljoin`` and mapped by the general path."""
    urls = SiteUrls(base_url)
    for href in (tail, "/" + tail, "/emnews/2026/11/27/" + tail):
        if href.strip().startswith("//"):
            continue  # names a host: not a relative link
        try:
            expected: str | type[Exception] | None = urls._to_local(urljoin(page_url, href.strip()))
        except ValueError:
            expected = ValueError
        try:
            assert urls.to_local(href, page_url) == expected
        except ValueError:
            assert expected is ValueError


class _ReadRecorder(bytes):
    """Page bytes that note how far the parser has been fed."""

    fed = 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            self.fed = max(self.fed, index.stop or len(self))
        return super().__getitem__(index)


def test_listing_links_are_yielded_as_the_page_is_read() -> None:
    items = "".join(f'<li><a href="{_POST_A}">{n}</a></li>' for n in range(5000))
    page = _ReadRecorder(
        _listing(f'<div class="wrapper"><section><ul>{items}</ul></section></div>').encode()
    )
    links = CategoryPage().iter_links(page)
    assert next(links).title == "0"
    assert page.fed < len(page) / 2  # the first link came before most of the page was fed
    assert sum(1 for _ in links) == 4999


def test_a_listing_without_a_section_yields_nothing_before_it_fails() -> None:
    links = CategoryPage().iter_links(_listing(f'<ul><li><a href="{_POST_A}">x</a></li></ul>'))
    with pytest.raises(NotAListingError):
        next(links)
