"""The share API's answer: decoded as its server sends it, parsed into the article."""

from __future__ import annotations

import json

import pytest

from newsspider.pages.share import (
    ShareApiError,
    ShareArticleV1,
    ShareFailure,
    decode_api_body,
)

ARTICLE = {"title": "滨海新区新闻", "medianame": "天津日报", "text": "<p>正文</p>"}


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-8", "application/json; charset=utf-8"),
        ("utf-8", "application/json"),
        ("utf-16", "application/json"),
        ("gbk", "application/json; charset=GBK"),
        ("gb2312", "text/html; charset=gb2312"),
        ("gbk", "application/json"),  # undeclared: Chinese servers often leave it out
        ("gbk", None),
    ],
)
def test_the_article_is_read_in_the_servers_encoding(
    encoding: str, content_type: str | None
) -> None:
    body = json.dumps(ARTICLE, ensure_ascii=False).encode(encoding)
    article = ShareArticleV1().parse(decode_api_body(body, content_type))
    assert (article.title, article.medianame, article.body_html) == (
        "滨海新区新闻",
        "天津日报",
        "<p>正文</p>",
    )


def test_a_declared_charset_other_than_gbk_is_used() -> None:
    """Big5 (Hong Kong and Taiwan outlets) would read as nonsense in GB18030."""
    article = {"title": "港股收市", "text": "<p>恆生指數上升</p>"}
    body = json.dumps(article, ensure_ascii=False).encode("big5")
    parsed = ShareArticleV1().parse(decode_api_body(body, "application/json; charset=big5"))
    assert (parsed.title, parsed.body_html) == ("港股收市", "<p>恆生指數上升</p>")


def test_a_wrong_declared_charset_falls_back_to_what_decodes() -> None:
    body = json.dumps(ARTICLE, ensure_ascii=False).encode("utf-8")
    assert "滨海新区新闻" in decode_api_body(body, "application/json; charset=ascii")


def test_bytes_that_are_no_text_are_a_not_json_failure() -> None:
    with pytest.raises(ShareApiError) as raised:
        decode_api_body(b'{"text": "\xff\xff\xff"}', "application/json")
    assert raised.value.failure is ShareFailure.NOT_JSON
    assert "not text in UTF-8, a declared charset or gb18030" in raised.value.detail


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        # A "data" object beside the article is not its envelope.
        ({"title": "标题", "text": "<p>正文十。</p>", "data": {"readcount": 5}}, "<p>正文十。</p>"),
        ({"data": {"text": "<p>正文。</p>"}}, "<p>正文。</p>"),
        ({"result": {"content": "<p>滚动。</p>"}}, "<p>滚动。</p>"),
        ({"text": '<p><img src="https://img.example/a.png"></p>'}, "img"),
        ({"error": "not found", "data": {"text": "<p>旧文。</p>"}}, ShareFailure.ERROR),
        ({"data": {"error": "not found"}}, ShareFailure.ERROR),
        ({"text": "<p></p>", "title": "标题五"}, ShareFailure.EMPTY_BODY),
        ({"content": "<p>&nbsp;</p>"}, ShareFailure.EMPTY_BODY),
        ({"title": "只有标题"}, ShareFailure.EMPTY_BODY),
    ],
)
def test_answers_of_the_contracts_shape(answer: dict[str, object], outcome: object) -> None:
    if isinstance(outcome, ShareFailure):
        with pytest.raises(ShareApiError) as raised:
            ShareArticleV1().parse(json.dumps(answer))
        assert raised.value.failure is outcome
        return
    body = ShareArticleV1().parse(json.dumps(answer)).body_html
    assert outcome in body
