"""The Markdown of a cleaned body shows, once kramdown renders it as Jekyll does, what the
cleaned HTML shows: the same text, and the same words in bold, italics, strike-through,
code blocks, list items and images. Each case is a construct kramdown reads differently from
HTML unless the Markdown is written with care.
"""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, fragment_fromstring

from newsspider.cleaning import clean_body
from newsspider.exporters.jekyll import render_post
from tests.support.ruby import kramdown_to_html

CASES: dict[str, str] = {
    "strong-in-strong": "<p><strong><span><strong>一、总体要求</strong></span></strong>正文</p>",
    "strong-runs": "<p><strong>一、</strong><b>总体</b><strong>要求</strong>正文</p>",
    "em-runs": "<p><em>甲</em><i>乙</i>丙 <em>丁</em></p>",
    "del-runs": "<p><del>删</del><s>除</s>留</p>",
    "strong-then-em": "<p><strong>粗</strong><em>斜</em></p>",
    "long-number-and-dot": "<p>12345678901. 不是列表</p>",
    "number-and-parenthesis": "<p>2024) 年报</p>",
    "colon-opening-a-paragraph": "<p>第一段</p><p>: 不是定义</p>",
    "caret-alone-on-a-line": "<p>上</p><p>^</p><p>下</p>",
    "colon-line-after-a-colon-line": "<p>甲 :\n: 乙</p>",
    "dash-line-after-a-dash-line": "<p>甲 -\n- 乙</p>",
    "backtick-fence-in-code": "<pre>```\ncode\n```</pre><p>后文</p>",
    "backtick-fence-in-quoted-code": "<blockquote><pre>````\nx\n</pre></blockquote><p>后文</p>",
    "image-in-a-table-cell": (
        '<table><tr><td><img src="https://img.example/a.png" alt="图"></td><td>说明</td></tr>'
        "</table>"
    ),
    "kramdown-extension-braces": "<p>{::comment}注释{:/} {:toc} 文字{: .cls}</p>",
}

_GROUPS = {"bold": ("strong", "b"), "italic": ("em", "i"), "struck": ("del", "s")}
_BLOCKS = ("pre", "li", "dt", "dd")


def _squashed(text: str) -> str:
    return "".join(text.split())


def _outermost_texts(root: HtmlElement, tags: tuple[str, ...]) -> str:
    return "".join(
        _squashed(element.text_content())
        for element in root.iter(*tags)
        if next(element.iterancestors(*tags), None) is None
    )


def _shown(root: HtmlElement) -> dict[str, object]:
    return {
        "text": _squashed(root.text_content()),
        **{name: _outermost_texts(root, tags) for name, tags in _GROUPS.items()},
        **{tag: [_squashed(e.text_content()) for e in root.iter(tag)] for tag in _BLOCKS},
        "images": [(img.get("src"), img.get("alt")) for img in root.iter("img")],
    }


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Every case's Markdown rendered by kramdown, in one ``ruby`` process."""
    markdown = [clean_body(html).markdown for html in CASES.values()]
    return dict(zip(CASES, kramdown_to_html(markdown), strict=True))


@pytest.mark.parametrize("case", CASES)
def test_kramdown_shows_what_the_cleaned_html_shows(case: str, rendered: dict[str, str]) -> None:
    cleaned = clean_body(CASES[case])
    expected = _shown(fragment_fromstring(cleaned.html, create_parent="div"))
    shown = _shown(fragment_fromstring(rendered[case], create_parent="div"))
    assert shown == expected, cleaned.markdown
    assert expected["text"] == _squashed(cleaned.text)


HTML_BODIES = {
    "image-and-caption-after-center": (
        '<center><img src="https://img.example/a.png" alt="图"></center><p>图片来源：官网</p>'
    ),
    "text-before-any-block": "开头的文字 *不是强调*<p>段落</p>",
}


@pytest.mark.parametrize("case", HTML_BODIES)
def test_an_html_body_post_shows_the_cleaned_html(case: str) -> None:
    """``NEWSSPIDER_POST_BODY=html``: the post's body block passes through kramdown whole."""
    cleaned = clean_body(HTML_BODIES[case])
    article = {"id": "NW202203032295532740", "published_at": "2022-03-03T11:33:32+08:00",
               "title": "标题", "category": "", "tags": [], "body_html": cleaned.html,
               "body_markdown": cleaned.markdown}  # fmt: skip
    body = render_post(article, body_format="html").split("\n---\n", 1)[1]
    (rendered,) = kramdown_to_html([body])
    expected = _shown(fragment_fromstring(cleaned.html, create_parent="div"))
    assert _shown(fragment_fromstring(rendered, create_parent="div")) == expected, rendered
