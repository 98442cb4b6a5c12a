"""``clean_body`` and the ``newsspider.metadata`` helpers, one assertion per field.

Two sources of cases: small hand-written bodies below (each aimed at one cleaning step,
with every change it must count), and the ``cleaned`` expectations of the saved post pages
in ``tests/fixtures/pages`` (parsed with the post parser first, as the crawl does).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newsspider.cleaning import CleanedBody, clean_body
from newsspider.htmlparser import TooDeepError
from newsspider.metadata import editor_from_text, is_share_link, outlet_from_tags, outlet_from_text
from newsspider.pages import PostPageV1

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SHARE = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode="
BACK_LINKS = (
    '<p><a href="//finews.withounder.com/category/qingheribao.html">返回青禾日报新闻</a>｜'
    '<a href="//finews.withounder.com/">返回首页</a></p>'
)
OUTLET_SPLIT_BY_WIDGET = (
    '<p class="em_media">（文章来源：上海<span id="bk_90.BK0711"><a href="http://quote.eastmoney'
    '.com/unify/r/90.BK0711" class="keytip" data-code="90,BK0711">证券</a></span>'
    '<span id="bkquote_90.BK0711"></span>报）</p>'
)

# id -> (raw body HTML as the post parser hands it over, expected fields of the result)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "quote-widgets-unwrapped": (
        '<p>同日，<span id="stock_0.300111"><a href="http://quote.eastmoney.com/unify/r/0.300111"'
        ' class="keytip" data-code="0,300111">青禾科技</a></span><span id="quote_0.300111">'
        "</span>公告称拟投资8亿元扩产；"
        '<span web="1" href="http://quote.eastmoney.com/unify/r/1.603999"'
        ' class="em_stock_key_common" data-code="1,603999">远帆新能</span>亦跟进，'
        '<span id="bk_90.BK0999"><a href="http://quote.eastmoney.com/unify/r/90.BK0999"'
        ' class="keytip" data-code="90,BK0999">储能</a></span><span id="bkquote_90.BK0999">'
        "</span>板块走强。</p>",
        {
            "html": "<p>同日，青禾科技公告称拟投资8亿元扩产；远帆新能亦跟进，储能板块走强。</p>",
            "text": "同日，青禾科技公告称拟投资8亿元扩产；远帆新能亦跟进，储能板块走强。",
            "changes": {"quote_widgets_unwrapped": 5, "empty_quote_spans_dropped": 2},
        },
    ),
    "outlet-split-by-widget": (
        OUTLET_SPLIT_BY_WIDGET,
        {
            "html": "<p>（文章来源：上海证券报）</p>",
            "text": "（文章来源：上海证券报）",
            "markdown": "（文章来源：上海证券报）",
            "changes": {
                "quote_widgets_unwrapped": 2,
                "empty_quote_spans_dropped": 1,
                "unsafe_attributes_removed": 1,  # class="em_media"
            },
        },
    ),
    "empty-quote-spans-dropped": (
        '<p>碧川股份<span id="quote_0.002999"></span>、晶隅板块<span id="bkquote_90.BK1099">'
        '</span>与指数<span id="Infoquote_1.000001"></span>同步上行。</p>',
        {
            "html": "<p>碧川股份、晶隅板块与指数同步上行。</p>",
            "changes": {"empty_quote_spans_dropped": 3},
        },
    ),
    "filled-quote-placeholder-keeps-its-words": (
        '<p><span id="quote_1.600001">青禾电力</span>公告。</p>',
        {"html": "<p>青禾电力公告。</p>", "changes": {"quote_widgets_unwrapped": 1}},
    ),
    "chart-block-dropped": (
        "<p>午后板块拉升。</p>\n<!-- EM_StockImg_Start -->\n"
        '<p style="text-align:center;"><a href="http://quote.eastmoney.com/unify/r/1.600999"'
        ' class="EmImageRemark" target="_blank"><img src="https://webquoteklinepic.eastmoney.com'
        '/GetPic.aspx?nid=1.600999&amp;imageType=k" alt="K图 600999_0" width="578"'
        ' height="276" /></a></p>\n<!-- EM_StockImg_End -->\n<p>收盘涨停。</p>',
        {
            "html": "<p>午后板块拉升。</p><p>收盘涨停。</p>",
            "text": "午后板块拉升。\n\n收盘涨停。",
            "images": [],
            "changes": {"chart_blocks_dropped": 1},
        },
    ),
    "stray-chart-link-dropped": (
        '<p><a href="http://quote.eastmoney.com/unify/r/1.600999" class="EmImageRemark">'
        '<img src="https://webquoteklinepic.eastmoney.com/GetPic.aspx?nid=1.600999" /></a>'
        "收盘涨停。</p>",
        {"html": "<p>收盘涨停。</p>", "images": [], "changes": {"chart_blocks_dropped": 1}},
    ),
    "hidden-paragraphs-dropped": (
        '<p style="display:none;height:1px;overflow:hidden;">不应出现的隐藏文字</p>'
        "<p>正文第一段。</p>"
        '<p style="visibility: hidden">同样隐藏</p>'
        '<p style="text-align:center;">居中的图注</p>',
        {
            "html": "<p>正文第一段。</p><p>居中的图注</p>",
            "text": "正文第一段。\n\n居中的图注",
            "changes": {"hidden_elements_dropped": 2, "unsafe_attributes_removed": 1},
        },
    ),
    "navigation-dropped-middle-autolink-kept": (
        "<p>报告全文见：</p>\n"
        '<p><a href="https://example.org/r.pdf">https://example.org/r.pdf</a></p>\n'
        "<p>以上为摘要。</p>\n\n"
        f'<p><a href="{SHARE}NW202611270009000009">{SHARE}NW202611270009000009</a></p>\n\n'
        + BACK_LINKS,
        {
            "html": '<p>报告全文见：</p><p><a href="https://example.org/r.pdf">'
            "https://example.org/r.pdf</a></p><p>以上为摘要。</p>",
            "text": "报告全文见：\n\nhttps://example.org/r.pdf\n\n以上为摘要。",
            "markdown": "报告全文见：\n\n<https://example.org/r.pdf>\n\n以上为摘要。",
            "changes": {"navigation_blocks_dropped": 2},
        },
    ),
    "article-ending-in-an-autolink-keeps-it": (
        '<p>详见：</p>\n<p><a href="https://example.org/r.pdf">https://example.org/r.pdf</a></p>'
        '\n\n<p><a href="http://finance.eastmoney.com/news/1351,202611270010000010.html">'
        "http://finance.eastmoney.com/news/1351,202611270010000010.html</a></p>\n\n"
        '<p><a href="../emnews/">返回东财滚动新闻</a>\n<a href="../">返回首页</a></p>',
        {
            "text": "详见：\n\nhttps://example.org/r.pdf",
            "changes": {"navigation_blocks_dropped": 2},
        },
    ),
    "autolink-kept-when-the-post-has-no-source-line": (
        '<p><a href="https://example.org/r.pdf">https://example.org/r.pdf</a></p>\n'
        "<p>以上为报告摘要。</p>\n\n" + BACK_LINKS,
        {
            "text": "https://example.org/r.pdf\n\n以上为报告摘要。",
            "changes": {"navigation_blocks_dropped": 1},
        },
    ),
    "article-link-starting-with-返回-kept": (
        '<p>正文。</p><p>相关阅读：<a href="https://example.org/a">返回式卫星回收成功</a></p>',
        {
            "text": "正文。\n\n相关阅读：返回式卫星回收成功",
            "changes": {},
        },
    ),
    "last-paragraph-with-one-named-link-kept": (
        '<p>正文。</p><p><a href="https://example.org/full">阅读全文</a></p>',
        {"text": "正文。\n\n阅读全文", "changes": {}},
    ),
    "empty-source-link-dropped": (
        "<p>正文。</p>\n\n<p>&lt;&gt;</p>\n\n" + BACK_LINKS,
        {"html": "<p>正文。</p>", "changes": {"navigation_blocks_dropped": 2}},
    ),
    "source-link-without-back-links-dropped": (
        f'<p>正文。</p>\n\n<p><a href="{SHARE}NW1">{SHARE}NW1</a></p>',
        {"html": "<p>正文。</p>", "changes": {"navigation_blocks_dropped": 1}},
    ),
    "highlights": (
        "<p>■ 前三季度青禾港吞吐量增长7%</p><p>■新开航线两条</p><p>正文提到■符号但不在行首。</p>",
        {
            "highlights": ["前三季度青禾港吞吐量增长7%", "新开航线两条"],
            "summary": None,
        },
    ),
    "summary-from-leading-blockquote": (
        "<blockquote>\n  <p>摘要：资金面总体平稳。</p>\n</blockquote>\n\n<p>正文。</p>",
        {
            "summary": "摘要：资金面总体平稳。",
            "text": "摘要：资金面总体平稳。\n\n正文。",
            "markdown": "> 摘要：资金面总体平稳。\n\n正文。",
            "highlights": [],
        },
    ),
    "no-summary-when-the-blockquote-is-not-first": (
        "<p>导语。</p><blockquote><p>引述。</p></blockquote>",
        {"summary": None},
    ),
    "images": (
        '<center><img src="https://img.example.org/qinghe/port.jpg" alt="Image" width="552"'
        ' style="border:#d1d1d1 1px solid;" /></center>\n'
        '<p style="text-align:center;">图片来源：青禾港务</p>',
        {
            "images": ["https://img.example.org/qinghe/port.jpg"],
            "text": "图片来源：青禾港务",
            "markdown": "![Image](https://img.example.org/qinghe/port.jpg)\n\n图片来源：青禾港务",
            "changes": {"unsafe_tags_removed": 1, "unsafe_attributes_removed": 2},
        },
    ),
    "br-is-a-line-break": (
        "<p>第一行<br />第二行<br/>第三行</p>",
        {
            "text": "第一行\n第二行\n第三行",
            "markdown": "第一行  \n第二行  \n第三行",
        },
    ),
    "nbsp-and-fullwidth-indent-normalised": (
        "<p>&nbsp;&nbsp;首段缩进</p><p>　　第二段缩进</p>"
        "<p>中间&nbsp;&nbsp;两个空格与　　全角空格</p>",
        {"text": "首段缩进\n\n第二段缩进\n\n中间 两个空格与 全角空格"},
    ),
    "paragraphs-separated-by-a-blank-line": (
        "<p>一段。</p>\n\n\n<p>二段。</p><p>三段。</p>",
        {"text": "一段。\n\n二段。\n\n三段。", "markdown": "一段。\n\n二段。\n\n三段。"},
    ),
    "table": (
        "<table><thead><tr><th>指标</th><th>数值</th></tr></thead><tbody>"
        "<tr><td>开工率</td><td>82%</td></tr><tr><td>库存天数</td><td>15</td></tr>"
        "</tbody></table>",
        {
            "text": "指标 数值\n\n开工率 82%\n\n库存天数 15",
            "markdown": "| 指标 | 数值 |\n| --- | --- |\n| 开工率 | 82% |\n| 库存天数 | 15 |",
        },
    ),
    "markdown-keeps-markup-like-text-literal": (
        "<p>精度满足<1%即可</p><p># 不是标题</p><p>[x](y) 不是链接</p><p>a*b*c_d_e</p>",
        {
            "html": "<p>精度满足&lt;1%即可</p><p># 不是标题</p><p>[x](y) 不是链接</p>"
            "<p>a*b*c_d_e</p>",
            "text": "精度满足<1%即可\n\n# 不是标题\n\n[x](y) 不是链接\n\na*b*c_d_e",
            "markdown": "精度满足\\<1%即可\n\n\\# 不是标题\n\n\\[x\\](y) 不是链接"
            "\n\na\\*b\\*c\\_d\\_e",
        },
    ),
    "unsafe-markup-removed-and-counted": (
        '<p onclick="x()">文字<script>alert(1)</script></p><iframe src="http://x.example/">'
        "</iframe>",
        {
            "html": "<p>文字</p>",
            "text": "文字",
            "changes": {"unsafe_tags_removed": 2, "unsafe_attributes_removed": 1},
        },
    ),
    # Wrappers are unwrapped as the fragment is serialized; these two are unwrapped in the
    # tree: one opens the body (its words become the leading text), one sits by a comment.
    "widget-opening-the-body": (
        '<span id="stock_1.600001"><a class="keytip" href="http://quote.eastmoney.com/unify/r/'
        '1.600001">青禾电力</a></span><span id="quote_1.600001"></span>公告增持。<p>正文。</p>',
        {
            "html": "青禾电力公告增持。<p>正文。</p>",
            "text": "青禾电力公告增持。\n\n正文。",
            "changes": {"quote_widgets_unwrapped": 2, "empty_quote_spans_dropped": 1},
        },
    ),
    "widgets-beside-a-comment": (
        '<p><span id="stock_1.600001"><a class="keytip" href="http://quote.eastmoney.com/unify/'
        'r/1.600001">青禾电力</a></span><!-- 注释 -->公告<span class="em_stock_key_common">远帆'
        "</span>。</p>",
        {"html": "<p>青禾电力公告远帆。</p>", "changes": {"quote_widgets_unwrapped": 3}},
    ),
    # Control characters are removed before anything parses the body (lxml refuses them in
    # text: the sanitized HTML, which starts with text here, raised ValueError once).
    "control-character-in-leading-text": (
        "<h1>标题\x0b</h1><p>正文</p>",
        {"html": "标题<p>正文</p>", "text": "标题\n\n正文", "markdown": "标题\n\n正文"},
    ),
}


def _field_value(cleaned: CleanedBody, field: str) -> object:
    value = getattr(cleaned, field)
    if field == "changes":
        return dict(+value)  # unary plus drops the zero counts
    if field == "html":
        return re.sub(r">\s+<", "><", value)  # layout whitespace between blocks
    return value


@cache
def _cleaned(case: str) -> CleanedBody:
    return clean_body(CASES[case][0])


@pytest.mark.parametrize(
    ("case", "field"),
    [
        pytest.param(case, field, id=f"{case}-{field}")
        for case, (_, expected) in CASES.items()
        for field in expected
    ],
)
def test_clean_body(case: str, field: str) -> None:
    assert _field_value(_cleaned(case), field) == CASES[case][1][field]


# --- the saved post pages, parsed then cleaned ---------------------------------------

PAGE_CASES: dict[str, dict[str, Any]] = {
    path.stem: data
    for path in sorted(PAGES.glob("*.json"))
    if "cleaned" in (data := json.loads(path.read_text(encoding="utf-8")))
}


@cache
def _cleaned_page(case: str) -> CleanedBody:
    page = PostPageV1().parse((PAGES / f"{case}.html").read_text(encoding="utf-8"))
    return clean_body(page.body_html)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        pytest.param(case, field, id=f"{case}-{field}")
        for case, data in PAGE_CASES.items()
        for field in data["cleaned"]
    ],
)
def test_clean_body_of_saved_page(case: str, field: str) -> None:
    assert _field_value(_cleaned_page(case), field) == PAGE_CASES[case]["cleaned"][field]


def test_cleaned_pages_leave_no_widget_or_navigation_markup() -> None:
    """Across every saved post: no quote widget, chart, hidden text or back link survives."""
    leftovers = re.compile(
        r"keytip|em_stock_key_common|quote_|EM_StockImg|EmImageRemark|display:none|返回首页"
        r"|<span|<center|style="
    )
    for path in sorted(PAGES.glob("*.json")):
        if json.loads(path.read_text(encoding="utf-8"))["parser"] != "post":
            continue
        page = PostPageV1().parse(path.with_suffix(".html").read_text(encoding="utf-8"))
        cleaned = clean_body(page.body_html)
        assert leftovers.findall(cleaned.html) == [], path.stem


# --- metadata helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        pytest.param("（文章来源：天津日报）", "天津日报", id="full-width"),
        pytest.param("(文章来源: 青禾日报)", "青禾日报", id="half-width"),
        pytest.param("正文。\n\n（文章来源： 青禾日报 ）", "青禾日报", id="spaces-trimmed"),
        pytest.param(
            "（文章来源：21世纪经济报道 21财经APP）", "21世纪经济报道 21财经APP", id="with-space"
        ),
        pytest.param(
            "转引（文章来源：甲报）的说法。\n\n（文章来源：乙报）", "乙报", id="last-wins"
        ),
        pytest.param("本报讯（记者 刘思源）正文。", None, id="no-outlet-line"),
        pytest.param(
            "（文章来源：安信国际证券(香港)）",
            "安信国际证券(香港)",
            id="parentheses-in-name",
        ),
    ],
)
def test_outlet_from_text(text: str, outlet: str | None) -> None:
    assert outlet_from_text(text) == outlet


def test_outlet_from_a_line_split_by_a_widget() -> None:
    assert outlet_from_text(clean_body(OUTLET_SPLIT_BY_WIDGET).text) == "上海证券报"


@pytest.mark.parametrize(
    ("tags", "outlet"),
    [
        pytest.param(["天津日报新闻"], "天津日报", id="one-tag"),
        pytest.param(["21世纪经济报道", "21财经APP新闻"], "21世纪经济报道 21财经APP", id="split"),
        pytest.param(["Wind新闻"], "Wind", id="latin"),
        pytest.param(["新闻"], None, id="suffix-only"),
        pytest.param([], None, id="no-tags"),
    ],
)
def test_outlet_from_tags(tags: list[str], outlet: str | None) -> None:
    assert outlet_from_tags(tags) == outlet


@pytest.mark.parametrize(
    ("text", "editor"),
    [
        pytest.param("力争增速保持在6%以上。(津云新闻编辑王晓岚)", "王晓岚", id="outlet-editor"),
        pytest.param("长期持有体验。（责任编辑：赵明远）", "赵明远", id="responsible-editor"),
        pytest.param("正文。（编辑 孙青禾）", "孙青禾", id="editor-space"),
        pytest.param("正文。（责任编辑：Li Ming）", "Li Ming", id="latin-name"),
        pytest.param(
            "第一段。（责任编辑：周一）\n\n第二段。（责任编辑：吴二）", "吴二", id="last-wins"
        ),
        pytest.param("本报讯（记者 刘思源）记者获悉。", None, id="reporter-is-not-editor"),
        pytest.param("（文章来源：天津日报）", None, id="outlet-line"),
        pytest.param("据该社（总编辑王五）介绍，市场回暖。\n\n第二段。", None, id="mid-paragraph"),
        pytest.param("正文。（责任编辑：赵明远） \n\n下一段", "赵明远", id="paragraph-end"),
    ],
)
def test_editor_from_text(text: str, editor: str | None) -> None:
    assert editor_from_text(text) == editor


@pytest.mark.parametrize(
    ("url", "share"),
    [
        pytest.param(f"{SHARE}NW202611253012845671", True, id="share-host"),
        pytest.param(
            "http://choicewzp1.eastmoney.com/html_News/NewsShare.html?infoCode=NW202112082206",
            True,
            id="older-share-host",
        ),
        pytest.param(
            "http://finance.eastmoney.com/news/11060,202611253010472296.html", False, id="origin"
        ),
        pytest.param("https://example.org/qinghe/report-2026q3.pdf", False, id="other"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_share_link(url: str, share: bool) -> None:
    assert is_share_link(url) is share


@pytest.mark.parametrize("raw", ["\x01开头<p>正文</p>", "<p>正\x00文\x1f</p>", "<p>正文</p>\x0b"])
def test_control_characters_are_removed_not_fatal(raw: str) -> None:
    cleaned = clean_body(raw)
    assert cleaned.text.replace("开头\n\n", "") == "正文"
    assert cleaned.changes["control_characters_removed"] >= 1
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in cleaned.html + cleaned.markdown)


def _nested(depth: int) -> str:
    return "<p>前文</p>" + "<div>" * depth + "正文" + "</div>" * depth + "<p>后文</p>"


def test_a_deeply_nested_body_is_cleaned_to_its_end() -> None:
    """libxml2 stops at 256 levels by default and drops the rest silently."""
    cleaned = clean_body(_nested(600))
    assert cleaned.text == "前文\n\n正文\n\n后文"
    assert cleaned.markdown == "前文\n\n正文\n\n后文"


def test_a_body_nested_past_the_parsers_limit_is_refused_not_cut() -> None:
    with pytest.raises(TooDeepError, match="deeper than 2048 levels"):
        clean_body(_nested(2100))


def test_a_body_nested_deeper_than_the_markdown_walk_follows_is_refused() -> None:
    """Blockquotes survive the sanitizer (divs do not): the walk recurses through them."""
    deep = "<p>前文</p>" + "<blockquote>" * 600 + "正文" + "</blockquote>" * 600
    with pytest.raises(TooDeepError, match="deeper than the Markdown conversion follows"):
        clean_body(deep)
    shallow = clean_body("<p>前文</p>" + "<blockquote>" * 100 + "正文" + "</blockquote>" * 100)
    assert shallow.text == "前文\n\n正文"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("&lt;!-- 注释 --&gt; 第二<p>段落</p>", "<!-- 注释 --> 第二\n\n段落"),
        ("&lt;b&gt;粗&lt;/b&gt; &amp;lt;<p>段落</p>", "<b>粗</b> &lt;\n\n段落"),
    ],
)
def test_leading_text_that_shows_markup_stays_text(raw: str, text: str) -> None:
    """Text before the first element is text, however much it looks like markup."""
    cleaned = clean_body(raw)
    assert cleaned.text == text
    assert cleaned.html.startswith(raw.split("<p>")[0])


def test_highlight_lines_split_by_line_breaks_are_a_highlight_each() -> None:
    cleaned = clean_body("<p>■要点一<br>■ 要点二<br/>■要点三</p><p>■ 要点四</p><p>正文■</p>")
    assert cleaned.highlights == ["要点一", "要点二", "要点三", "要点四"]


def test_a_highlight_wrapped_in_the_source_is_one_line() -> None:
    cleaned = clean_body("<p>■ 前三季度增长6.8%，\n高于全市平均水平</p>")
    assert cleaned.highlights == ["前三季度增长6.8%， 高于全市平均水平"]


def test_a_digest_of_several_paragraphs_keeps_them_apart() -> None:
    cleaned = clean_body("<blockquote><p>第一段。</p><p>第二段。</p></blockquote><p>正文</p>")
    assert cleaned.summary == "第一段。\n第二段。"
