"""The post page's head read without lxml (``pages/head.py``) against lxml, and the page read
in two pieces (head before the leak, body from ``<body>``) against the page parsed whole.

The scanner may refuse any head (lxml then parses it); a head it accepts must give exactly
what lxml's tree gives. Hypothesis builds heads from the grammar's tags with hostile values.
"""

from __future__ import annotations

import dataclasses
import json
from html.entities import name2codepoint
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from newsspider.pages import post
from newsspider.pages.head import ScannedHead, TreeHead, scan_head
from newsspider.pages.post import NotAPostError, PostPageV1

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
PROPERTY_SETTINGS = settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
KEYS = ("article:published_time", "description", "og:title")

# --- the head scanner against lxml ------------------------------------------------------------

#: Characters that matter to an HTML parser or to the grammar, and some that do not.
_AWKWARD = list("ab 中\"'<>&;#=/-!\t\n\r\x00\x01\x0b\x0c\x7f\xa0\u3000\ufffe\U0001f600")
_ESCAPES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;", "&hellip;", "&apos;"]
_ESCAPES += ["&#58;", "&#x27;", "&#128;", "&NewLine;", "&nbsp", "&"]  # all refused
# Lone surrogates never come out of a decoder (lxml refuses them: see test below).
values = st.lists(
    st.sampled_from(_AWKWARD + _ESCAPES) | st.characters(blacklist_categories=("Cs",)),
    max_size=6,
).map("".join)
plain_values = st.text(alphabet="ab 中:/-.ACDE", max_size=8)
keys = st.sampled_from(KEYS) | plain_values
rels = st.sampled_from(["canonical", "Canonical", "alternate"]) | plain_values


@st.composite
def head_tags(draw: st.DrawFn) -> str:
    value = draw(st.one_of(plain_values, plain_values, values))
    json_text = draw(
        st.sampled_from([json.dumps({"headline": value}, ensure_ascii=False), value, "{}"])
    )
    templates = [
        f"<title>{value}</title>",
        f'<meta name="{draw(keys)}" content="{value}" />',
        f'<meta property="{draw(keys)}" content="{value}">',
        f'<meta http-equiv="{draw(keys)}" content="{value}">',
        f'<meta charset="{value}">',
        f'<link rel="{draw(rels)}" href="{value}" />',
        f'<link type="{value}" rel="{draw(rels)}" href="{value}" title="{value}" />',
        f'<script type="application/ld+json">{json_text}</script>',
        f'<script type="text/javascript">{value}</script>',
        f"<!--{value}-->",
        "<!DOCTYPE html>",
        f'<html lang="{value}">',
        "<head>",
        "</head>",
        value,  # stray text
    ]
    return draw(st.sampled_from(templates))


heads = st.lists(
    st.tuples(st.sampled_from(["", " ", "\n", "\t", "\r\n", "\u3000"]), head_tags()),
    max_size=10,
).map(lambda pieces: "".join(space + tag for space, tag in pieces))


def readings(head: ScannedHead | TreeHead) -> dict[str, list[Any]]:
    return {
        "titles": list(head.titles()),
        **{f"meta {key}": list(head.meta_contents(key)) for key in KEYS},
        "canonical": list(head.canonical_hrefs()),
        "ld+json": list(head.ld_json_texts()),
    }


def lxml_readings(markup: str) -> dict[str, list[Any]]:
    root = etree.fromstring(markup, etree.HTMLParser())
    if root is None:  # nothing but space
        return {name: [] for name in readings(ScannedHead(""))}
    return readings(TreeHead(root))


@PROPERTY_SETTINGS
@given(heads)
def test_an_accepted_head_reads_as_lxml_reads_it(markup: str) -> None:
    scanned = scan_head(markup)
    if scanned is not None:
        assert readings(scanned) == lxml_readings(markup)


def test_the_layouts_head_is_accepted() -> None:
    page = (PAGES / "sample_post_table.html").read_text(encoding="utf-8")
    split = post._split(page)
    assert split is not None
    scanned = scan_head(str(split[0]))
    assert scanned is not None
    assert readings(scanned) == lxml_readings(str(split[0]))


def test_every_html4_reference_reads_as_lxml_reads_it() -> None:
    text = " ".join(f"&{name};" for name in name2codepoint) + " &#39;"
    markup = f'<title>{text}</title><meta name="description" content="{text}" />'
    scanned = scan_head(markup)
    assert scanned is not None
    assert readings(scanned) == lxml_readings(markup)


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<title>a</title><p>text</p>", id="body-markup"),
        pytest.param('<meta name="x" content="a<b">', id="bracket-in-value"),
        pytest.param('<meta name="x" content="a &NewLine; b">', id="html5-only-reference"),
        pytest.param('<meta name="x" content="a &#128; b">', id="numeric-reference"),
        pytest.param("<title>a</title></head><title>b</title>", id="title-after-head"),
        pytest.param('<meta name="x" content="a\rb">', id="carriage-return"),
        pytest.param('<meta name="x" content="\ud800">', id="lone-surrogate"),
        pytest.param("<!-- <title>x</title> -->", id="tag-in-comment"),
        pytest.param('<script type="text/javascript">if (a < b) {}</script>', id="script-bracket"),
    ],
)
def test_a_head_outside_the_grammar_is_left_to_lxml(markup: str) -> None:
    assert scan_head(markup) is None


# --- two pieces against the whole page --------------------------------------------------------


def _whole(markup: str | bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The page parsed as one document (the path taken by pages without a ``<body>`` tag)."""
    with monkeypatch.context() as patch:
        patch.setattr(post, "_split", lambda markup: None)
        try:
            return dataclasses.asdict(PostPageV1().parse(markup))
        except NotAPostError:
            return NotAPostError


def _pieces(markup: str | bytes) -> Any:
    try:
        return dataclasses.asdict(PostPageV1().parse(markup))
    except NotAPostError:
        return NotAPostError


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.html")), ids=lambda path: path.stem)
def test_a_page_read_in_two_pieces_reads_as_the_whole_page(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for markup in (path.read_text(encoding="utf-8"), path.read_bytes()):
        assert _pieces(markup) == _whole(markup, monkeypatch)


_LEAKING_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
  <head>
<title>标题 | 金融消息</title>
<link rel="canonical" href="https://finews.withounder.com/a/2026/01/01/NW1.html" />
<meta property="article:published_time" content="2026-01-01T10:00:00+08:00" />
<script type="application/ld+json">{{"headline":"标题"}}</script>
    <meta property="og:description" content="{content}">
  </head>
  <body onload="JavaScript:AutoRefresh(60000);">
    <div class="wrapper">
      <header><h1><a href="/">金融消息</a></h1></header>
      <section>
{content}
      </section>
    </div>
  </body>
</html>
"""
_CONTENT = """<small>(GMT+8, Asia/Shanghai, CST) 2026-01-01 10:00:00</small>
<h1>标题</h1>
<p>正文开头</p>
{nasty}
<p>正文结尾</p>
<p><a href="//finews.withounder.com/category/a.html">返回A新闻</a></p>
<small>tags: <em>A新闻</em></small>"""


@pytest.mark.parametrize(
    "nasty",
    [
        "",
        '<p class="x">a "quoted" word</p>',
        "<body><p>a body tag in the article</p>",
        '<div class="wrapper"><p>a wrapper with no section</p></div>',
        "<section><p>a section of the article</p></section>",
        '<meta property="article:published_time" content="2001-01-01T00:00:00+08:00">',
        '<script type="application/ld+json">{"headline": "假标题"}</script>',
        "<title>假 | 金融消息</title>",
        "<span>an unclosed span",
        "</span></div></p> stray end tags",
    ],
)
def test_a_leaking_page_read_in_two_pieces_reads_as_the_whole_page(
    nasty: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _LEAKING_PAGE.format(content=_CONTENT.format(nasty=nasty))
    assert post._split(page) is not None
    assert _pieces(page) == _whole(page, monkeypatch)
