"""Item pipelines, each built from a test crawler, with the crawl stats they count asserted.

Inputs are raw items as the spider yields them (``page`` holds what the page showed); every
value is explicit, nothing depends on the clock.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from newsspider.items import ArticleItem
from newsspider.pipelines.body import BodyCleaningPipeline
from newsspider.pipelines.metadata import MetadataPipeline
from newsspider.pipelines.validate import RequiredFieldsPipeline
from newsspider.settings import ITEM_PIPELINES

P = TypeVar("P")

ARTICLE_ID = "NW202203032295532740"
POST_URL = f"https://finews.withounder.com/tianjinribao/2022/03/03/{ARTICLE_ID}.html"
SHARE_URL = f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={ARTICLE_ID}"
ORIGIN_URL = "http://finance.eastmoney.com/news/11060,202112082206672930.html"
TITLE = "滨海新区加快构建“1+3+4”现代工业产业体系"
BACK_LINKS = ["//finews.withounder.com/category/tianjinribao.html", "//finews.withounder.com/"]


def raw_page(**hints: Any) -> dict[str, Any]:
    """The ``page`` hints of a well-formed post, with ``hints`` replacing some."""
    page: dict[str, Any] = {
        "shown_date": "2022-03-03 11:33:32",
        "source_link": SHARE_URL,
        "back_links": list(BACK_LINKS),
        "head_title": TITLE,
        "head_published_time": "2022-03-03T11:33:32+08:00",
        "head_headline": TITLE,
        "canonical_url": POST_URL,
    }
    page.update(hints)
    return page


def make_item(**fields: Any) -> ArticleItem:
    """A raw item of a well-formed post (body already cleaned), with ``fields`` replaced."""
    values: dict[str, Any] = {
        "id": ARTICLE_ID,
        "url": POST_URL,
        "title": TITLE,
        "tags": ["天津日报新闻"],
        "body_html": "<p>近日，我市召开2022年工业和信息化工作会议。</p>",
        "body_text": "近日，我市召开2022年工业和信息化工作会议。",
        "page": raw_page(),
    }
    values.update(fields)
    return ArticleItem(**values)


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    # The incremental pipeline needs its state store: an empty one in a temporary data dir.
    return get_crawler(
        settings_dict={"NEWSSPIDER_INCREMENTAL": True, "NEWSSPIDER_DATA_DIR": str(tmp_path)}
    )


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(f"newsspider/{name}")


def stats_under(crawler: Crawler, prefix: str) -> dict[str, Any]:
    assert crawler.stats is not None
    return {
        key.removeprefix(prefix): value
        for key, value in crawler.stats.get_stats().items()
        if key.startswith(prefix)
    }


def build(crawler: Crawler, pipeline_cls: type[P]) -> P:
    return build_from_crawler(pipeline_cls, crawler)


def validate(crawler: Crawler, item: ArticleItem) -> ArticleItem:
    return build(crawler, RequiredFieldsPipeline).process_item(item)


def clean(crawler: Crawler, item: ArticleItem) -> ArticleItem:
    return build(crawler, BodyCleaningPipeline).process_item(item)


def normalise(crawler: Crawler, item: ArticleItem) -> ArticleItem:
    return build(crawler, MetadataPipeline).process_item(item)


# --- RequiredFieldsPipeline (last: it sees the normalised item) -------------------------------


def normalised_item(**fields: Any) -> ArticleItem:
    """An item as it leaves the metadata pipeline, with ``fields`` replaced."""
    values: dict[str, Any] = {
        "published_at": "2022-03-03T11:33:32+08:00",
        "category": "tianjinribao",
        "source": "天津日报",
        "share_url": SHARE_URL,
    }
    values.update(fields)
    return make_item(**values)


UNARCHIVABLE = [
    pytest.param({"id": ""}, id="no-id"),
    pytest.param({"id": "../x"}, id="id-escapes-folder"),
    pytest.param({"id": "a/b"}, id="id-with-slash"),
    pytest.param({"id": ".hidden"}, id="id-starting-with-dot"),
    pytest.param({"title": None, "body_text": ""}, id="no-title-no-body"),
    pytest.param({"title": " \n ", "body_text": " \n"}, id="blank-title-blank-body"),
    pytest.param(
        {"title": None, "body_html": '<img src="https://example.com/a.png">', "body_text": ""},
        id="no-title-no-text",
    ),
    pytest.param({"published_at": None}, id="no-date"),
]


@pytest.mark.parametrize("fields", UNARCHIVABLE)
def test_validate_drops_with_a_reason_naming_the_url(
    crawler: Crawler, fields: dict[str, Any]
) -> None:
    with pytest.raises(DropItem, match=re.escape(POST_URL)):
        validate(crawler, normalised_item(**fields))


@pytest.mark.parametrize("fields", UNARCHIVABLE)
def test_validate_counts_each_drop(crawler: Crawler, fields: dict[str, Any]) -> None:
    with pytest.raises(DropItem):
        validate(crawler, normalised_item(**fields))
    assert stat(crawler, "validate/dropped") == 1


def test_validate_reason_names_the_unsafe_id(crawler: Crawler) -> None:
    with pytest.raises(DropItem, match=re.escape("article id '../x'")):
        validate(crawler, normalised_item(id="../x"))


def test_validate_reason_says_the_date_is_missing(crawler: Crawler) -> None:
    with pytest.raises(DropItem, match="no date can be found or recovered"):
        validate(crawler, normalised_item(published_at=None))


def test_validate_drops_an_item_without_url(crawler: Crawler) -> None:
    with pytest.raises(DropItem, match="no URL"):
        validate(crawler, normalised_item(url=""))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({}, id="title-and-body"),
        pytest.param({"title": None}, id="body-only"),
        pytest.param({"body_html": "", "body_text": ""}, id="title-only"),
    ],
)
def test_validate_keeps_an_archivable_item(crawler: Crawler, fields: dict[str, Any]) -> None:
    item = normalised_item(**fields)
    assert validate(crawler, item) is item


def test_validate_counts_nothing_for_an_archivable_item(crawler: Crawler) -> None:
    validate(crawler, normalised_item())
    assert stats_under(crawler, "newsspider/validate/") == {}


@pytest.mark.parametrize("article_id", [ARTICLE_ID, "202112082206672930"])
def test_validate_accepts_infocodes_and_rolling_news_ids_silently(
    crawler: Crawler, article_id: str
) -> None:
    assert validate(crawler, normalised_item(id=article_id)).warnings == []


def test_validate_warns_about_an_unusual_id(crawler: Crawler) -> None:
    item = validate(crawler, normalised_item(id="init"))
    assert item.warnings == ["id 'init' is neither an infoCode nor a rolling-news id"]


def test_validate_counts_an_unusual_id(crawler: Crawler) -> None:
    validate(crawler, normalised_item(id="init"))
    assert stat(crawler, "validate/unusual_id") == 1


# --- BodyCleaningPipeline -------------------------------------------------------------------

RAW_BODY = (
    "<p>■ 前三季度规上工业增加值同比增长6.8%</p>\n"
    "<p>■ 新认定“专精特新”中小企业27家</p>\n"
    '<p>以<span id="stock_1.600160"><a href="http://quote.eastmoney.com/unify/r/1.600160"'
    ' class="keytip" data-code="1,600160">巨化股份</a></span><span id="quote_1.600160">'
    "</span>为例，产值增长两成。</p>\n"
    '<p style="display:none;">隐藏的段落</p>\n'
    '<!-- EM_StockImg_Start --><p><a href="http://quote.eastmoney.com/1.600160">'
    '<img src="http://webquotepic.eastmoney.com/k.png"></a></p><!-- EM_StockImg_End -->\n'
    '<center><img src="https://example.com/photo.jpg" onerror="alert(1)"></center>\n'
    "<p>图为新建的柔性产线。(津云新闻编辑张晶晶)</p>\n"
    "<script>alert(1)</script>\n"
    '<p class="em_media">（文章来源：天津日报）</p>\n'
    f'<p><a href="{SHARE_URL}">{SHARE_URL}</a></p>\n'
    '<p><a href="//finews.withounder.com/category/tianjinribao.html">返回天津日报新闻</a>｜'
    '<a href="//finews.withounder.com/">返回首页</a></p>'
)
CLEAN_TEXT = (
    "■ 前三季度规上工业增加值同比增长6.8%\n\n"
    "■ 新认定“专精特新”中小企业27家\n\n"
    "以巨化股份为例，产值增长两成。\n\n"
    "图为新建的柔性产线。(津云新闻编辑张晶晶)\n\n"
    "（文章来源：天津日报）"
)
CLEAN_MARKDOWN = (
    "■ 前三季度规上工业增加值同比增长6.8%\n\n"
    "■ 新认定“专精特新”中小企业27家\n\n"
    "以巨化股份为例，产值增长两成。\n\n"
    "![](https://example.com/photo.jpg)\n\n"
    "图为新建的柔性产线。(津云新闻编辑张晶晶)\n\n"
    "（文章来源：天津日报）"
)
CLEAN_HTML = (
    "<p>■ 前三季度规上工业增加值同比增长6.8%</p>\n"
    "<p>■ 新认定“专精特新”中小企业27家</p>\n"
    "<p>以巨化股份为例，产值增长两成。</p>\n\n\n"
    '<img src="https://example.com/photo.jpg">\n'
    "<p>图为新建的柔性产线。(津云新闻编辑张晶晶)</p>\n\n"
    "<p>（文章来源：天津日报）</p>"
)


@pytest.fixture
def cleaned(crawler: Crawler) -> ArticleItem:
    return clean(crawler, make_item(body_html=RAW_BODY, body_text="", body_markdown=""))


def test_body_text_keeps_only_article_text(cleaned: ArticleItem) -> None:
    assert cleaned.body_text == CLEAN_TEXT


def test_body_markdown_keeps_only_article_content(cleaned: ArticleItem) -> None:
    assert cleaned.body_markdown == CLEAN_MARKDOWN


def test_body_html_is_cleaned_and_sanitised(cleaned: ArticleItem) -> None:
    assert cleaned.body_html == CLEAN_HTML


def test_body_images_are_the_article_images_not_the_charts(cleaned: ArticleItem) -> None:
    assert cleaned.images == ["https://example.com/photo.jpg"]


def test_body_highlights_are_the_marked_lines(cleaned: ArticleItem) -> None:
    assert cleaned.highlights == [
        "前三季度规上工业增加值同比增长6.8%",
        "新认定“专精特新”中小企业27家",
    ]


def test_body_content_sha256_is_the_digest_of_body_text(cleaned: ArticleItem) -> None:
    assert cleaned.content_sha256 == hashlib.sha256(CLEAN_TEXT.encode("utf-8")).hexdigest()


def test_body_content_sha256_is_stable(cleaned: ArticleItem) -> None:
    assert cleaned.content_sha256 == (
        "2c285969acd56a4db259dbf0fa2fa532adad08f781747209c667fb89b89f0534"
    )


def test_body_of_an_outlet_article_has_no_summary(cleaned: ArticleItem) -> None:
    assert cleaned.summary is None


def test_body_cleaning_leaves_no_warning_for_a_real_body(cleaned: ArticleItem) -> None:
    assert cleaned.warnings == []


def test_body_counts_each_change_under_its_prefix(crawler: Crawler, cleaned: ArticleItem) -> None:
    assert stats_under(crawler, "newsspider/body/") == {
        "navigation_blocks_dropped": 2,
        "chart_blocks_dropped": 1,
        "hidden_elements_dropped": 1,
        "empty_quote_spans_dropped": 1,
        "quote_widgets_unwrapped": 2,
        "unsafe_attributes_removed": 2,
        "unsafe_tags_removed": 2,
    }


def test_body_summary_is_the_rolling_news_digest(crawler: Crawler) -> None:
    body = "<blockquote><p>央行今日开展逆回购操作。</p></blockquote>\n<p>正文第一段。</p>"
    item = clean(crawler, make_item(id="202112082206672930", body_html=body))
    assert item.summary == "央行今日开展逆回购操作。"


@pytest.fixture
def navigation_only(crawler: Crawler) -> ArticleItem:
    body = f'<p><a href="{SHARE_URL}">{SHARE_URL}</a></p>'
    return clean(crawler, make_item(body_html=body))


def test_body_warns_when_only_navigation_is_left(navigation_only: ArticleItem) -> None:
    assert navigation_only.warnings == ["the post body is empty"]


def test_body_counts_empty_bodies(crawler: Crawler, navigation_only: ArticleItem) -> None:
    assert stat(crawler, "body/empty_bodies") == 1


def test_body_of_an_empty_body_has_the_digest_of_nothing(navigation_only: ArticleItem) -> None:
    assert navigation_only.content_sha256 == hashlib.sha256(b"").hexdigest()


# --- MetadataPipeline: title ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A&amp;B", "A&B"),
        ("R&amp;D投入持续加码", "R&D投入持续加码"),
        ("A&#38;B", "A&B"),
        ("&lt;科创板&gt;观察", "<科创板>观察"),
        ("  滨海新区\n加快构建\t现代工业  ", "滨海新区 加快构建 现代工业"),
        ("港股&nbsp;策略", "港股 策略"),
        ("R&D投入持续加码", "R&D投入持续加码"),
    ],
)
def test_title_whitespace_and_entities_are_normalised(
    crawler: Crawler, raw: str, expected: str
) -> None:
    assert normalise(crawler, make_item(title=raw)).title == expected


def test_title_normalisation_is_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item(title="A&amp;B"))
    assert stat(crawler, "metadata/title_normalized") == 1


def test_title_already_normal_is_not_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item(title="R&D投入持续加码"))
    assert stat(crawler, "metadata/title_normalized") is None


def test_title_present_leaves_no_warning(crawler: Crawler) -> None:
    assert normalise(crawler, make_item()).warnings == []


BODY_TEXT = "近日，我市召开工作会议。会议提出今年的重点任务！\n\n第二段。"
TITLE_RECOVERY = [
    pytest.param(
        {"head_title": "A &amp; B", "head_headline": "LD 标题"},
        "A & B",
        "title recovered from the page head (<title>)",
        id="head-title",
    ),
    pytest.param(
        {"head_title": None, "head_headline": " LD\n标题 "},
        "LD 标题",
        "title recovered from the page head (ld+json headline)",
        id="ld-json-headline",
    ),
    pytest.param(
        {"head_title": "", "head_headline": None},
        "近日，我市召开工作会议。",
        "title recovered from the first sentence of the body",
        id="first-sentence",
    ),
]


@pytest.mark.parametrize(("hints", "expected", "warning"), TITLE_RECOVERY)
def test_title_is_recovered_down_the_chain(
    crawler: Crawler, hints: dict[str, Any], expected: str, warning: str
) -> None:
    item = make_item(title="", body_text=BODY_TEXT, page=raw_page(**hints))
    assert normalise(crawler, item).title == expected


@pytest.mark.parametrize(("hints", "expected", "warning"), TITLE_RECOVERY)
def test_title_recovery_leaves_a_warning(
    crawler: Crawler, hints: dict[str, Any], expected: str, warning: str
) -> None:
    item = make_item(title="  ", body_text=BODY_TEXT, page=raw_page(**hints))
    assert normalise(crawler, item).warnings == [warning]


@pytest.mark.parametrize(("hints", "expected", "warning"), TITLE_RECOVERY)
def test_title_recovery_is_counted(
    crawler: Crawler, hints: dict[str, Any], expected: str, warning: str
) -> None:
    normalise(crawler, make_item(title=None, body_text=BODY_TEXT, page=raw_page(**hints)))
    assert stat(crawler, "metadata/title_recovered") == 1


@pytest.fixture
def untitled(crawler: Crawler) -> ArticleItem:
    page = raw_page(head_title=None, head_headline=None)
    return normalise(crawler, make_item(title="", body_text="", page=page))


def test_title_nothing_recoverable_stays_none(untitled: ArticleItem) -> None:
    assert untitled.title is None


def test_title_nothing_recoverable_is_counted_as_missing(
    crawler: Crawler, untitled: ArticleItem
) -> None:
    assert stats_under(crawler, "newsspider/metadata/title_") == {"missing": 1}


# --- MetadataPipeline: published_at ---------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("2022-03-03 11:33:32", "2022-03-03T11:33:32+08:00"),
        (" 2022-03-03 11:33:32 ", "2022-03-03T11:33:32+08:00"),
        ("2022-3-3 9:05", "2022-03-03T09:05:00+08:00"),
        ("2022-03-03T23:59:59", "2022-03-03T23:59:59+08:00"),
    ],
)
def test_date_shown_is_beijing_time_iso(crawler: Crawler, shown: str, expected: str) -> None:
    item = make_item(page=raw_page(shown_date=shown, head_published_time=None))
    assert normalise(crawler, item).published_at == expected


def test_date_shown_is_not_counted_as_recovered(crawler: Crawler) -> None:
    normalise(crawler, make_item())
    assert stats_under(crawler, "newsspider/metadata/date_recovered_from_") == {}


@pytest.fixture
def shown_a_day_after_the_id(crawler: Crawler) -> ArticleItem:
    # An offset-less source date 2021-12-08 20:39:01 that Jekyll shows 8 hours later.
    page = raw_page(
        shown_date="2021-12-09 04:39:01", head_published_time="2021-12-09T04:39:01+08:00"
    )
    return normalise(crawler, make_item(id="NW202112082206672930", page=page))


def test_date_disagreeing_with_the_id_keeps_the_shown_date(
    shown_a_day_after_the_id: ArticleItem,
) -> None:
    assert shown_a_day_after_the_id.published_at == "2021-12-09T04:39:01+08:00"


def test_date_disagreeing_with_the_id_warns(shown_a_day_after_the_id: ArticleItem) -> None:
    assert shown_a_day_after_the_id.warnings == [
        "the id's date 2021-12-08 differs from the shown date 2021-12-09"
        " (an offset-less source date shown in Beijing time)"
    ]


def test_date_disagreeing_with_the_head_warns(crawler: Crawler) -> None:
    page = raw_page(head_published_time="2022-03-03T03:33:32+00:00", shown_date="2022-03-03 12:00")
    item = normalise(crawler, make_item(page=page))
    assert item.warnings == [
        "the page shows 2022-03-03T12:00:00+08:00 but its head says 2022-03-03T11:33:32+08:00"
    ]


DATE_RECOVERY = [
    pytest.param(
        {"id": ARTICLE_ID},
        {"shown_date": None, "head_published_time": "2022-03-03T03:33:32+00:00"},
        "2022-03-03T11:33:32+08:00",
        "published_at recovered from article:published_time in the head",
        "head",
        id="head",
    ),
    pytest.param(
        {"id": ARTICLE_ID},
        {"shown_date": "  +0800", "head_published_time": None},
        "2022-03-03T00:00:00+08:00",
        "published_at recovered from the id (day only, time unknown)",
        "id",
        id="infocode",
    ),
    pytest.param(
        {"id": "202112082206672930", "url": "https://x/emnews/2021/12/08/202112082206672930.html"},
        {"shown_date": None, "head_published_time": "not a date"},
        "2021-12-08T00:00:00+08:00",
        "published_at recovered from the id (day only, time unknown)",
        "id",
        id="rolling-news-id",
    ),
    pytest.param(
        {"id": "init", "url": "https://finews.withounder.com/emnews/2021/12/01/init.html"},
        {"shown_date": "2021-02-30 10:00:00", "head_published_time": "2021-12-01T10:00:00"},
        "2021-12-01T00:00:00+08:00",
        "published_at recovered from the post URL (day only, time unknown)",
        "url",
        id="url",
    ),
]


@pytest.mark.parametrize(("fields", "hints", "expected", "warning", "origin"), DATE_RECOVERY)
def test_date_missing_is_recovered_down_the_chain(
    crawler: Crawler,
    fields: dict[str, Any],
    hints: dict[str, Any],
    expected: str,
    warning: str,
    origin: str,
) -> None:
    item = normalise(crawler, make_item(page=raw_page(**hints), **fields))
    assert item.published_at == expected


@pytest.mark.parametrize(("fields", "hints", "expected", "warning", "origin"), DATE_RECOVERY)
def test_date_recovery_leaves_a_warning(
    crawler: Crawler,
    fields: dict[str, Any],
    hints: dict[str, Any],
    expected: str,
    warning: str,
    origin: str,
) -> None:
    item = normalise(crawler, make_item(page=raw_page(**hints), **fields))
    assert item.warnings == [warning]


@pytest.mark.parametrize(("fields", "hints", "expected", "warning", "origin"), DATE_RECOVERY)
def test_date_recovery_is_counted_by_origin(
    crawler: Crawler,
    fields: dict[str, Any],
    hints: dict[str, Any],
    expected: str,
    warning: str,
    origin: str,
) -> None:
    normalise(crawler, make_item(page=raw_page(**hints), **fields))
    assert stats_under(crawler, "newsspider/metadata/date_recovered_from_") == {origin: 1}


UNDATED_URL = "https://finews.withounder.com/about.html"


def undated_item() -> ArticleItem:
    page = raw_page(shown_date=None, head_published_time=None)
    return make_item(id="init", url=UNDATED_URL, page=page)


def test_date_nothing_recoverable_is_left_unset(crawler: Crawler) -> None:
    assert normalise(crawler, undated_item()).published_at is None


def test_date_nothing_recoverable_is_not_counted_as_recovered(crawler: Crawler) -> None:
    normalise(crawler, undated_item())
    assert stats_under(crawler, "newsspider/metadata/date_recovered_from_") == {}


# --- MetadataPipeline: category -------------------------------------------------------------


@pytest.mark.parametrize(
    ("back_link", "expected"),
    [
        ("//finews.withounder.com/category/tianjinribao.html", "tianjinribao"),
        (
            "//finews.withounder.com/category/21shijijingjibaodao%2021caijingAPP.html",
            "21shijijingjibaodao 21caijingAPP",
        ),
        (
            "//finews.withounder.com/category/21shijijingjibaodao 21caijingAPP.html",
            "21shijijingjibaodao 21caijingAPP",
        ),
        (
            "//finews.withounder.com/category/anxinguojizhengquan(xianggang).html",
            "anxinguojizhengquan(xianggang)",
        ),
        (
            "https://finews.withounder.com/category/anxinguojizhengquan%28xianggang%29.html",
            "anxinguojizhengquan(xianggang)",
        ),
        ("//finews.withounder.com/category/Wind.html", "Wind"),
        ("//finews.withounder.com/emnews/", "emnews"),
    ],
)
def test_category_from_the_back_link_keeps_the_slug_exactly(
    crawler: Crawler, back_link: str, expected: str
) -> None:
    page = raw_page(back_links=[back_link, "//finews.withounder.com/"])
    assert normalise(crawler, make_item(page=page)).category == expected


def test_category_back_link_wins_over_the_listing(crawler: Crawler) -> None:
    assert normalise(crawler, make_item(category="Wind")).category == "tianjinribao"


def test_category_from_the_back_link_is_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item())
    assert stat(crawler, "metadata/category_from_back_link") == 1


WIND_URL = f"https://finews.withounder.com/wind/2022/03/03/{ARTICLE_ID}.html"


@pytest.fixture
def listed_without_back_link(crawler: Crawler) -> ArticleItem:
    page = raw_page(back_links=["//finews.withounder.com/"])
    return normalise(crawler, make_item(url=WIND_URL, category="Wind", page=page))


def test_category_from_the_listing(listed_without_back_link: ArticleItem) -> None:
    assert listed_without_back_link.category == "Wind"


def test_category_from_the_listing_leaves_no_warning(
    listed_without_back_link: ArticleItem,
) -> None:
    assert listed_without_back_link.warnings == []


def test_category_from_the_listing_is_counted(
    crawler: Crawler, listed_without_back_link: ArticleItem
) -> None:
    assert stat(crawler, "metadata/category_from_listing") == 1


URL_ONLY_URL = (
    "https://finews.withounder.com/21shijijingjibaodao/21caijingapp/2022/03/03/"
    "NW202203032295532740.html"
)


@pytest.fixture
def categorised_by_url(crawler: Crawler) -> ArticleItem:
    item = make_item(url=URL_ONLY_URL, category=None, page=raw_page(back_links=[]))
    return normalise(crawler, item)


def test_category_from_the_url_is_lower_cased_and_space_joined(
    categorised_by_url: ArticleItem,
) -> None:
    assert categorised_by_url.category == "21shijijingjibaodao 21caijingapp"


def test_category_from_the_url_warns(categorised_by_url: ArticleItem) -> None:
    assert categorised_by_url.warnings == [
        "category taken from the post URL (lower-cased by the site; spaces lost)"
    ]


def test_category_from_the_url_is_counted(
    crawler: Crawler, categorised_by_url: ArticleItem
) -> None:
    assert stat(crawler, "metadata/category_from_url") == 1


def test_category_from_the_tags_where_the_listing_does_not_fit_the_url(crawler: Crawler) -> None:
    """``/category/21shijijingjibaodao.html`` lists the two-word category's posts too."""
    item = make_item(
        url=URL_ONLY_URL,
        category="21shijijingjibaodao",
        tags=["21世纪经济报道", "21财经APP新闻"],
        page=raw_page(back_links=[]),
    )
    normalise(crawler, item)
    assert (item.category, item.warnings) == ("21shijijingjibaodao 21caijingAPP", [])
    assert stat(crawler, "metadata/category_from_tags") == 1


def test_category_from_the_tags_keeps_the_case_the_url_lost(crawler: Crawler) -> None:
    item = make_item(url=WIND_URL, category=None, tags=["Wind新闻"], page=raw_page(back_links=[]))
    assert normalise(crawler, item).category == "Wind"


def test_a_listing_that_does_not_fit_the_url_is_named_in_a_warning(crawler: Crawler) -> None:
    item = make_item(url=URL_ONLY_URL, category="Wind", page=raw_page(back_links=[]))
    normalise(crawler, item)
    assert item.category == "21shijijingjibaodao 21caijingapp"
    assert item.warnings[0] == "the listing page's category 'Wind' does not fit the post URL"


# --- MetadataPipeline: outlet and editor ----------------------------------------------------


@pytest.mark.parametrize(
    ("body_text", "expected"),
    [
        ("正文。\n\n（文章来源：天津日报）", "天津日报"),
        ("正文。\n\n(文章来源: 中国证券报)", "中国证券报"),
        ("正文。\n\n（文章来源：21世纪经济报道 21财经APP）", "21世纪经济报道 21财经APP"),
    ],
)
def test_outlet_from_the_source_line(crawler: Crawler, body_text: str, expected: str) -> None:
    item = normalise(crawler, make_item(body_text=body_text, tags=["东财滚动新闻"]))
    assert item.source == expected


def test_outlet_from_the_source_line_is_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item(body_text="正文。\n\n（文章来源：天津日报）"))
    assert stat(crawler, "metadata/source_from_body") == 1


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["天津日报新闻"], "天津日报"),
        (["Wind新闻"], "Wind"),
        (["21世纪经济报道", "21财经APP新闻"], "21世纪经济报道 21财经APP"),
        ([], None),
    ],
)
def test_outlet_from_the_tag(crawler: Crawler, tags: list[str], expected: str | None) -> None:
    assert normalise(crawler, make_item(tags=tags)).source == expected


def test_outlet_from_the_tag_is_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item())
    assert stat(crawler, "metadata/source_from_tag") == 1


def test_outlet_with_parentheses_from_the_source_line(crawler: Crawler) -> None:
    item = make_item(body_text="正文。\n\n（文章来源：安信国际证券(香港)）", tags=[])
    assert normalise(crawler, item).source == "安信国际证券(香港)"


@pytest.mark.parametrize(
    ("body_text", "expected"),
    [
        ("推进工业资源综合高效利用。(津云新闻编辑张晶晶)\n\n（文章来源：天津日报）", "张晶晶"),
        ("会议提出今年的重点任务。（责任编辑：李四）", "李四"),
        ("本报讯（记者 刘思源）近日召开会议。", None),
    ],
)
def test_editor_from_the_editor_line(
    crawler: Crawler, body_text: str, expected: str | None
) -> None:
    assert normalise(crawler, make_item(body_text=body_text)).editor == expected


def test_editor_found_is_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item(body_text="正文。（责任编辑：李四）"))
    assert stat(crawler, "metadata/editor_found") == 1


# --- MetadataPipeline: source link ----------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (SHARE_URL, (SHARE_URL, None)),
        (
            "http://choicewzp1.eastmoney.com/html_News/NewsShare.html?infoCode=NW1",
            ("http://choicewzp1.eastmoney.com/html_News/NewsShare.html?infoCode=NW1", None),
        ),
        (ORIGIN_URL, (None, ORIGIN_URL)),
        (None, (None, None)),
    ],
)
def test_source_link_is_a_share_or_an_origin_link(
    crawler: Crawler, link: str | None, expected: tuple[str | None, str | None]
) -> None:
    item = normalise(crawler, make_item(page=raw_page(source_link=link)))
    assert (item.share_url, item.origin_url) == expected


@pytest.fixture
def empty_source_link(crawler: Crawler) -> ArticleItem:
    return normalise(crawler, make_item(page=raw_page(source_link="")))


def test_source_link_empty_warns(empty_source_link: ArticleItem) -> None:
    assert empty_source_link.warnings == ["the post's source link is empty (<>)"]


def test_source_link_empty_leaves_both_links_unset(empty_source_link: ArticleItem) -> None:
    assert (empty_source_link.share_url, empty_source_link.origin_url) == (None, None)


def test_source_link_empty_is_counted(crawler: Crawler, empty_source_link: ArticleItem) -> None:
    assert stat(crawler, "metadata/empty_source_link") == 1


def test_items_with_warnings_are_counted(crawler: Crawler, empty_source_link: ArticleItem) -> None:
    assert stat(crawler, "metadata/items_with_warnings") == 1


def test_items_without_warnings_are_not_counted(crawler: Crawler) -> None:
    normalise(crawler, make_item())
    assert stat(crawler, "metadata/items_with_warnings") is None


# --- the three pipelines in the order of ITEM_PIPELINES --------------------------------------

RAW_TIANJIN_ITEM: dict[str, Any] = {
    # What ``article_from_post_page`` yields for a post found on the home page.
    "id": ARTICLE_ID,
    "url": POST_URL,
    "title": "滨海新区加快构建“1+3+4”现代工业产业体系",
    "category": None,
    "tags": ["天津日报新闻"],
    "body_html": RAW_BODY,
    "crawled_at": "2022-03-03T04:00:00+00:00",
    "page": raw_page(),
}


def run_pipelines(crawler: Crawler, item: ArticleItem) -> ArticleItem:
    """``item`` through every pipeline of ``ITEM_PIPELINES``, in the order Scrapy runs them."""
    for path in sorted(ITEM_PIPELINES, key=ITEM_PIPELINES.__getitem__):
        item = build_from_crawler(load_object(path), crawler).process_item(item)
    return item


@pytest.fixture
def processed(crawler: Crawler) -> ArticleItem:
    return run_pipelines(crawler, ArticleItem(**RAW_TIANJIN_ITEM))


def test_settings_order_body_then_metadata_then_validate() -> None:
    # Cleaning first (the metadata reads the text), validation last (after every recovery).
    order = sorted(ITEM_PIPELINES, key=ITEM_PIPELINES.__getitem__)
    ours = [
        "newsspider.pipelines.body.BodyCleaningPipeline",
        "newsspider.pipelines.metadata.MetadataPipeline",
        "newsspider.pipelines.validate.RequiredFieldsPipeline",
    ]
    assert [path for path in order if path in ours] == ours


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("id", ARTICLE_ID),
        ("url", POST_URL),
        ("title", "滨海新区加快构建“1+3+4”现代工业产业体系"),
        ("published_at", "2022-03-03T11:33:32+08:00"),
        ("category", "tianjinribao"),
        ("tags", ["天津日报新闻"]),
        ("source", "天津日报"),
        ("editor", "张晶晶"),
        ("highlights", ["前三季度规上工业增加值同比增长6.8%", "新认定“专精特新”中小企业27家"]),
        ("summary", None),
        ("body_html", CLEAN_HTML),
        ("body_markdown", CLEAN_MARKDOWN),
        ("body_text", CLEAN_TEXT),
        ("images", ["https://example.com/photo.jpg"]),
        ("share_url", SHARE_URL),
        ("origin_url", None),
        ("content_sha256", hashlib.sha256(CLEAN_TEXT.encode("utf-8")).hexdigest()),
        ("crawled_at", "2022-03-03T04:00:00+00:00"),
        ("warnings", []),
        ("revision", 1),
    ],
)
def test_pipelines_in_order_archive_a_real_post(
    processed: ArticleItem, field: str, expected: Any
) -> None:
    assert getattr(processed, field) == expected


def test_pipelines_in_order_count_what_they_did(crawler: Crawler, processed: ArticleItem) -> None:
    assert stats_under(crawler, "newsspider/") == {
        "body/navigation_blocks_dropped": 2,
        "body/chart_blocks_dropped": 1,
        "body/hidden_elements_dropped": 1,
        "body/empty_quote_spans_dropped": 1,
        "body/quote_widgets_unwrapped": 2,
        "body/unsafe_attributes_removed": 2,
        "body/unsafe_tags_removed": 2,
        "metadata/category_from_back_link": 1,
        "metadata/source_from_body": 1,
        "metadata/editor_found": 1,
    }


def test_pipelines_in_order_archive_a_post_whose_title_is_recovered(crawler: Crawler) -> None:
    raw = ArticleItem(**{**RAW_TIANJIN_ITEM, "title": ""})
    assert run_pipelines(crawler, raw).title == "滨海新区加快构建“1+3+4”现代工业产业体系"


def test_pipelines_in_order_archive_a_post_whose_date_is_recovered(crawler: Crawler) -> None:
    page = raw_page(shown_date=None, head_published_time=None)
    raw = ArticleItem(**{**RAW_TIANJIN_ITEM, "page": page})
    assert run_pipelines(crawler, raw).published_at == "2022-03-03T00:00:00+08:00"


UNDATABLE_RAW_ITEM: dict[str, Any] = {
    **RAW_TIANJIN_ITEM,
    "id": "init",
    "url": UNDATED_URL,
    "page": raw_page(shown_date=None, head_published_time=None),
}


def test_pipelines_in_order_drop_an_undatable_post_naming_its_url(crawler: Crawler) -> None:
    with pytest.raises(DropItem, match=re.escape(UNDATED_URL)):
        run_pipelines(crawler, ArticleItem(**UNDATABLE_RAW_ITEM))


def test_pipelines_in_order_count_the_drop_of_an_undatable_post(crawler: Crawler) -> None:
    with pytest.raises(DropItem):
        run_pipelines(crawler, ArticleItem(**UNDATABLE_RAW_ITEM))
    assert stat(crawler, "validate/dropped") == 1
