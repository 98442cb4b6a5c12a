"""``PostFileV1``: a post file of the site's repository read as Jekyll (kramdown, GFM) shows it."""

from __future__ import annotations

from newsspider.pages.post_file import PostFileV1
from newsspider.urls import category_slug_from_url

NAME = "2022-03-03-NW202203032295532740.md"
SHARE = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202203032295532740"


def _post(body: str, categories: str = "tianjinribao") -> str:
    return (
        f'---\nlayout: post\ntitle: "标题"\ndate: 2022-03-03 11:33:32 +0800\n'
        f"categories: {categories}\ntags: 天津日报新闻\n---\n{body}"
    )


def test_a_back_link_to_a_category_with_a_space_is_navigation() -> None:
    """kramdown keeps the spaces of a link target; CommonMark would end the link there."""
    post = PostFileV1().parse(
        NAME,
        _post(
            f"<p>正文</p>\n\n<{SHARE}>\n\n"
            "[返回21世纪经济报道 21财经APP新闻](//finews.withounder.com/category/"
            "21shijijingjibaodao 21caijingAPP.html)｜[返回首页](//finews.withounder.com/)\n",
            categories="21shijijingjibaodao 21caijingAPP",
        ),
    )
    assert post.source_link == SHARE
    assert len(post.back_links) == 2
    slug = category_slug_from_url("https:" + post.back_links[0])
    assert slug == "21shijijingjibaodao 21caijingAPP"
    assert "返回" not in post.body_html.split(SHARE)[0]


def test_tables_and_strike_through_are_read_as_gfm() -> None:
    post = PostFileV1().parse(
        NAME, _post("| 指标 | 数值 |\n| --- | --- |\n| 增速 | 6% |\n\n~~旧数据~~新数据\n")
    )
    assert "<td>增速</td>" in post.body_html
    assert "<s>旧数据</s>新数据" in post.body_html


def test_html_lines_are_not_rewritten() -> None:
    post = PostFileV1().parse(NAME, _post("<p>原文 [链接](a b) 照登</p>\n"))
    assert "<p>原文 [链接](a b) 照登</p>" in post.body_html
