"""The Markdown renderer, one rule per case: sanitized HTML in, exact Markdown out.

The expected Markdown is what markdownify 1.2 (configured as the renderer's docstring says)
wrote for the same HTML, so posts written before and after the change read the same.
"""

from __future__ import annotations

import pytest

from newsspider.cleaning.markdown import (
    escape,
    html_to_markdown,
    markdown_from_element,
    safe_destination,
)
from newsspider.cleaning.sanitize import parse_sanitized, sanitize

# id -> (HTML as the sanitizer writes it, Markdown)
CASES: dict[str, tuple[str, str]] = {
    "paragraphs": ("<p>第一段</p>\n<p>第二段</p>", "第一段\n\n第二段"),
    "line-break": ("<p>第一行<br>第二行</p>", "第一行  \n第二行"),
    "heading": ("<h2>标题 <em>要点</em></h2><p>正文</p>", "## 标题 *要点*\n\n正文"),
    "heading-on-one-line": ("<h3>\n  多行\n  标题<br>二 </h3>", "### 多行 标题 二"),
    "bold-edge-spaces-move-out": ("<p>前<strong> 加粗 </strong>后</p>", "前 **加粗** 后"),
    "empty-elements-vanish": (
        "<p></p><p><strong></strong>文字<em> </em></p><blockquote></blockquote><ul><li></li></ul>",
        "文字",
    ),
    "link-destination-encoded-title-dropped": (
        '<p>见<a href="http://e.com/a b)" title="标题">公告</a>。</p>',
        "见[公告](http://e.com/a%20b%29)。",
    ),
    "autolink": ('<p><a href="http://e.com/a_b">http://e.com/a_b</a></p>', "<http://e.com/a_b>"),
    "link-without-href-is-text": ("<p><a>无地址</a></p>", "无地址"),
    "image-alt-escaped": (
        '<p><img src="http://e.com/(1) .png" alt="图[1]\n说明" title="t"></p>',
        "![图\\[1\\] 说明](http://e.com/%281%29%20.png)",
    ),
    "image-in-cell-stays-an-image": (
        '<table><tbody><tr><td><img src="http://e.com/1.png" alt="图"></td></tr></tbody></table>',
        "|  |\n| --- |\n| ![图](http://e.com/1.png) |",
    ),
    "unordered-list": ("<ul><li>甲</li><li>乙</li></ul><p>后文</p>", "- 甲\n- 乙\n\n后文"),
    "ordered-list": ("<ol><li>甲</li><li>乙<br>续行</li></ol>", "1. 甲\n2. 乙  \n   续行"),
    "nested-list": ("<ul><li>甲<ul><li>子</li></ul></li><li>乙</li></ul>", "- 甲\n  - 子\n- 乙"),
    "nested-blockquote": (
        "<blockquote><p>外</p><blockquote><p>内</p></blockquote></blockquote>",
        "> 外\n>\n> > 内",
    ),
    "table-gets-an-empty-header-row": (
        "<table><tbody><tr><td>甲</td><td>1.5%</td></tr><tr><td>乙</td><td>2</td></tr>"
        "</tbody></table>",
        "|  |  |\n| --- | --- |\n| 甲 | 1.5% |\n| 乙 | 2 |",
    ),
    "table-header-row": (
        "<table><thead><tr><th>名称</th><th>涨幅</th></tr></thead>"
        "<tbody><tr><td>甲</td><td>1</td></tr></tbody></table>",
        "| 名称 | 涨幅 |\n| --- | --- |\n| 甲 | 1 |",
    ),
    "table-colspan": (
        '<table><tbody><tr><th colspan="2">合并</th></tr><tr><td>甲</td><td>乙</td></tr>'
        "</tbody></table>",
        "| 合并 | |\n| --- | --- |\n| 甲 | 乙 |",
    ),
    "table-caption": (
        "<table><caption>说明</caption><tbody><tr><td>甲</td></tr></tbody></table>",
        "说明\n\n|  |\n| --- |\n| 甲 |",
    ),
    "code-fenced-past-its-backticks": (
        "<p>命令<code>a`b</code>和<code>c</code></p>",
        "命令`` a`b ``和`c`",
    ),
    "pre-kept-verbatim": (
        "<pre>  第一行 *星*\n  第二行 &lt;b&gt;\n</pre>",
        "```\n  第一行 *星*\n  第二行 <b>\n```",
    ),
    "autolink-only-for-web-urls": (
        '<p><a href="script">script</a> <a href="https://e.com/">https://e.com/</a></p>',
        "[script](script) <https://e.com/>",
    ),
    "escapes": (
        "<p>1. 精度&lt;1% *星* _下_ [方] # 井 -- 3...5 $$ \"引\" 'x' A&amp;B &amp;amp; a|b"
        " `c` {{ x }}</p>",
        "1\\. 精度\\<1% \\*星\\* \\_下\\_ \\[方\\] \\# 井 \\-\\- 3\\.\\.\\.5 \\$\\$"
        " \\\"引\\\" \\'x\\' A&B &amp;amp; a\\|b \\`c\\` \\{\\{ x \\}\\}",
    ),
    "block-starts-escaped": (
        "<p>- 列表</p><p># 标题</p><p>10) 项</p><p>+ 加</p>",
        "\\- 列表\n\n\\# 标题\n\n10\\) 项\n\n\\+ 加",
    ),
    "whitespace-collapsed": (
        "<p>  一\n  二\t三&nbsp;四\u3000五  </p>",
        "一\n二 三\u00a0四\u3000五",
    ),
    "block-inside-bold-stays-inside": ("<b><p>加粗段落</p></b><p>后文</p>", "**加粗段落**\n\n后文"),
    "strikethrough-sub-sup": (
        "<p><del>删</del><s>除</s>H<sub>2</sub>O x<sup>2</sup></p>",
        "~~删除~~H2O x2",
    ),
    "emphasis-in-the-same-emphasis-unwrapped": (
        "<p><strong><strong>一、总体要求</strong></strong><em>甲<i>乙</i></em></p>",
        "**一、总体要求***甲乙*",
    ),
    "emphasis-runs-joined": (
        "<p><strong>一、</strong><b>总体<em>要</em></b><strong>求</strong>"
        " <b>另</b><em>a</em><i>b</i></p>",
        "**一、总体*要*求** **另***ab*",
    ),
    "horizontal-rule": ("<p>上</p><hr><p>下</p>", "上\n\n---\n\n下"),
    "empty": ("", ""),
}


@pytest.mark.parametrize(
    ("html", "markdown"), [pytest.param(*case, id=name) for name, case in CASES.items()]
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert sanitize(html) == html, "write the case as the sanitizer would"
    assert html_to_markdown(html) == markdown


def test_markdown_from_element_reads_the_tree() -> None:
    root = parse_sanitized("<p>甲</p><p>乙</p>")
    assert markdown_from_element(root) == "甲\n\n乙"


def test_parse_sanitized_nests_as_written() -> None:
    """libxml2 alone would close the ``<b>`` at the ``<p>`` and the ``<h3>`` at the ``<li>``."""
    root = parse_sanitized("<b><p>甲</p></b><h3>乙<li>丙</li></h3><br>")
    assert [(element.tag, element.getparent().tag) for element in root.iterdescendants()] == [
        ("b", "div"),
        ("p", "b"),
        ("h3", "div"),
        ("li", "h3"),
        ("br", "div"),
    ]


def test_escape_escapes_liquid_and_kramdown_extension_braces() -> None:
    assert escape("{{ site.title }} *新* 1. 项") == "\\{\\{ site.title \\}\\} \\*新\\* 1\\. 项"
    assert escape("{::nomarkdown}<b>{:/}") == "\\{::nomarkdown\\}\\<b\\>\\{:/\\}"


def test_safe_destination() -> None:
    assert safe_destination(' http://e.com/a b?q="x"&y=<1> ') == (
        "http://e.com/a%20b?q=%22x%22&y=%3C1%3E"
    )
