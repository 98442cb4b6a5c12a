"""The ``finews`` spider's routing, driven with pages of the bundled sample site.

Each callback gets an ``HtmlResponse`` built from a saved page, served (as far as the spider
knows) from a local copy at ``BASE``; the pages link to the real host, which the spider maps
onto ``BASE``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncgen import collect_asyncgen
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsspider.exitcodes import UNKNOWN_CATEGORY_STAT
from newsspider.items import ArticleItem
from newsspider.sample_site import SITE_ROOT
from newsspider.spiders.arguments import ArgumentError
from newsspider.spiders.finews import FinewsSpider
from newsspider.urls import SiteUrls

BASE = "http://127.0.0.1:8000"

TIANJIN_POST = "tianjinribao/2026/11/25/NW202611253012845671.html"
WIND_POST = "wind/2026/11/26/NW202611263034518802.html"
ROLLING_POST = "emnews/2026/11/26/202611263036602218.html"
TWO_WORD_POST = "21shijijingjibaodao/21caijingapp/2026/11/26/NW202611263040266195.html"
PARENTHESES_POST = "anxinguojizhengquan(xianggang)/2026/11/25/NW202611253001957318.html"


def make_spider(**kwargs: Any) -> FinewsSpider:
    """A spider built the way Scrapy builds it, from a crawler with stats."""
    crawler = get_crawler(FinewsSpider)
    return FinewsSpider.from_crawler(crawler, **{"base_url": BASE, **kwargs})


def response(site_path: str, url_path: str | None = None) -> HtmlResponse:
    """The saved page ``site_path`` as served at ``BASE/url_path`` (default: the same path)."""
    return HtmlResponse(
        url=f"{BASE}/{site_path if url_path is None else url_path}",
        body=(SITE_ROOT / site_path).read_bytes(),
        encoding="utf-8",
    )


def start_requests(spider: FinewsSpider) -> list[Request]:
    # A private loop, closed after: the spider's start() awaits nothing without sample=true.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(collect_asyncgen(spider.start()))
    finally:
        loop.close()


def stat(spider: FinewsSpider, name: str) -> Any:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_value(f"newsspider/spider/{name}")


def requests_in(output: list[Any]) -> list[Request]:
    return [entry for entry in output if isinstance(entry, Request)]


def items_in(output: list[Any]) -> list[ArticleItem]:
    return [entry for entry in output if isinstance(entry, ArticleItem)]


# --- start ----------------------------------------------------------------------------------


def test_start_asks_the_home_and_the_rolling_news_page() -> None:
    requests = start_requests(make_spider())
    assert [request.url for request in requests] == [f"{BASE}/", f"{BASE}/emnews/"]


def test_start_routes_the_home_and_the_rolling_news_page() -> None:
    spider = make_spider()
    requests = start_requests(spider)
    assert [(r.callback, r.cb_kwargs) for r in requests] == [
        (spider.parse_home, {}),
        (spider.parse_listing, {"category": "emnews"}),
    ]


def test_start_with_categories_asks_only_their_category_pages() -> None:
    requests = start_requests(make_spider(categories="tianjinribao"))
    assert [request.url for request in requests] == [f"{BASE}/category/tianjinribao.html"]


def test_start_with_categories_routes_to_the_listing_with_the_slug() -> None:
    spider = make_spider(categories="tianjinribao")
    requests = start_requests(spider)
    assert [(r.callback, r.cb_kwargs) for r in requests] == [
        (spider.parse_listing, {"category": "tianjinribao"})
    ]


def test_start_with_emnews_asks_the_rolling_page_and_its_category_page() -> None:
    requests = start_requests(make_spider(categories="emnews"))
    assert [request.url for request in requests] == [
        f"{BASE}/emnews/",
        f"{BASE}/category/emnews.html",
    ]


def test_start_encodes_spaces_and_keeps_parentheses_in_category_urls() -> None:
    spider = make_spider(
        categories="21shijijingjibaodao 21caijingAPP,anxinguojizhengquan(xianggang)"
    )
    assert [request.url for request in start_requests(spider)] == [
        f"{BASE}/category/21shijijingjibaodao%2021caijingAPP.html",
        f"{BASE}/category/anxinguojizhengquan(xianggang).html",
    ]


def test_spider_rejects_a_bad_argument_at_construction() -> None:
    with pytest.raises(ArgumentError, match="argument base_url="):
        make_spider(base_url="ftp://x")


# --- home and listing pages -----------------------------------------------------------------

HOME_POSTS = [
    f"{BASE}/tianjinribao/2026/11/25/NW202611253012845671.html",
    f"{BASE}/tianjinribao/2026/11/24/NW202611242987316620.html",
    f"{BASE}/zhongguozhengquanbao/2026/11/24/NW202611242991460385.html",
    f"{BASE}/emnews/2026/11/26/202611263036602218.html",
    f"{BASE}/emnews/2026/11/26/202611263028745519.html",
    f"{BASE}/emnews/2026/11/25/202611253010472296.html",
    f"{BASE}/emnews/2026/11/25/202611253019930684.html",
    f"{BASE}/emnews/2026/11/25/202611253008871543.html",
    f"{BASE}/shanghaizhengquanbao/2026/11/26/NW202611263022391476.html",
    f"{BASE}/shanghaizhengquanbao/2026/11/25/NW202611253013027754.html",
    f"{BASE}/anxinguojizhengquan(xianggang)/2026/11/25/NW202611253001957318.html",
    # Listed under both of its tags; the scheduler's dupefilter drops the second request.
    f"{BASE}/21shijijingjibaodao/21caijingapp/2026/11/26/NW202611263040266195.html",
    f"{BASE}/21shijijingjibaodao/21caijingapp/2026/11/26/NW202611263040266195.html",
    f"{BASE}/wind/2026/11/26/NW202611263034518802.html",
]


def test_home_asks_every_listed_post_on_the_base_url() -> None:
    spider = make_spider()
    output = list(spider.parse_home(response("index.html", "")))
    assert [request.url for request in output] == HOME_POSTS


def test_home_routes_posts_without_a_category() -> None:
    spider = make_spider()
    output = list(spider.parse_home(response("index.html", "")))
    assert {(r.callback, tuple(r.cb_kwargs.items())) for r in output} == {
        (spider.parse_post, (("category", None),))
    }


def test_category_page_asks_its_posts_with_their_category() -> None:
    spider = make_spider()
    page = response("category/tianjinribao.html")
    output = list(spider.parse_listing(page, category="tianjinribao"))
    assert [(r.url, r.cb_kwargs) for r in output] == [
        (f"{BASE}/tianjinribao/2026/11/25/NW202611253012845671.html", {"category": "tianjinribao"}),
        (f"{BASE}/tianjinribao/2026/11/24/NW202611242987316620.html", {"category": "tianjinribao"}),
    ]


def test_rolling_news_page_asks_its_posts() -> None:
    spider = make_spider()
    output = list(spider.parse_listing(response("emnews/index.html", "emnews/"), "emnews"))
    assert [r.url.removeprefix(f"{BASE}/emnews/") for r in output] == [
        "2026/11/26/202611263036602218.html",
        "2026/11/26/202611263028745519.html",
        "2026/11/25/202611253010472296.html",
        "2026/11/25/202611253019930684.html",
        "2026/11/25/202611253008871543.html",
        "2026/11/25/202611242995288107.html",
        "2026/11/24/202611242989014472.html",
    ]


# --- post pages -----------------------------------------------------------------------------


@pytest.fixture
def tianjin_output() -> tuple[FinewsSpider, list[Any]]:
    spider = make_spider(follow_share="false")
    return spider, list(spider.parse_post(response(TIANJIN_POST), category=None))


def test_post_yields_one_item_then_its_category_page(
    tianjin_output: tuple[FinewsSpider, list[Any]],
) -> None:
    _, output = tianjin_output
    assert [type(entry) for entry in output] == [ArticleItem, Request]


def test_post_asks_the_category_page_of_its_back_link(
    tianjin_output: tuple[FinewsSpider, list[Any]],
) -> None:
    spider, output = tianjin_output
    request = output[1]
    assert (request.url, request.callback, request.cb_kwargs) == (
        f"{BASE}/category/tianjinribao.html",
        spider.parse_listing,
        {"category": "tianjinribao"},
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("id", "NW202611253012845671"),
        ("url", f"{BASE}/{TIANJIN_POST}"),
        ("title", "西青区推进“智造+服务”双轮驱动 前三季度规上工业增加值增长6.8%"),
        ("category", None),
        ("tags", ["天津日报新闻"]),
        ("published_at", None),
        ("source", None),
        ("warnings", []),
    ],
)
def test_post_item_is_raw(
    tianjin_output: tuple[FinewsSpider, list[Any]], field: str, expected: Any
) -> None:
    _, output = tianjin_output
    assert getattr(output[0], field) == expected


def test_post_item_body_is_the_raw_body_with_its_navigation(
    tianjin_output: tuple[FinewsSpider, list[Any]],
) -> None:
    _, output = tianjin_output
    body = output[0].body_html
    assert (body.startswith("<p>■ 前三季度"), "返回天津日报新闻" in body) == (True, True)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("shown_date", "2026-11-25 11:33:32"),
        (
            "source_link",
            "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202611253012845671",
        ),
        (
            "back_links",
            ["//finews.withounder.com/category/tianjinribao.html", "//finews.withounder.com/"],
        ),
        ("head_published_time", "2026-11-25T11:33:32+08:00"),
        ("head_headline", "西青区推进“智造+服务”双轮驱动 前三季度规上工业增加值增长6.8%"),
        (
            "canonical_url",
            "https://finews.withounder.com/tianjinribao/2026/11/25/NW202611253012845671.html",
        ),
        pytest.param(
            "head_title",
            "西青区推进“智造+服务”双轮驱动 前三季度规上工业增加值增长6.8%",
        ),
    ],
)
def test_post_item_keeps_the_page_hints(
    tianjin_output: tuple[FinewsSpider, list[Any]], hint: str, expected: Any
) -> None:
    _, output = tianjin_output
    assert output[0].page[hint] == expected


def test_post_found_on_a_listing_carries_the_listing_category() -> None:
    spider = make_spider(follow_share="false")
    output = list(spider.parse_post(response(WIND_POST), category="Wind"))
    assert output[0].category == "Wind"


@pytest.mark.parametrize(
    ("post", "category_url", "slug"),
    [
        (
            TWO_WORD_POST,
            f"{BASE}/category/21shijijingjibaodao%2021caijingAPP.html",
            "21shijijingjibaodao 21caijingAPP",
        ),
        (
            PARENTHESES_POST,
            f"{BASE}/category/anxinguojizhengquan(xianggang).html",
            "anxinguojizhengquan(xianggang)",
        ),
        (WIND_POST, f"{BASE}/category/Wind.html", "Wind"),
        (ROLLING_POST, f"{BASE}/category/emnews.html", "emnews"),
    ],
)
def test_post_back_link_names_the_category_exactly(post: str, category_url: str, slug: str) -> None:
    spider = make_spider(follow_share="false")
    requests = requests_in(list(spider.parse_post(response(post), category=None)))
    assert [(r.url, r.cb_kwargs) for r in requests] == [(category_url, {"category": slug})]


def test_post_of_a_wanted_category_asks_its_category_page() -> None:
    spider = make_spider(categories="tianjinribao", follow_share="false")
    requests = requests_in(list(spider.parse_post(response(TIANJIN_POST), "tianjinribao")))
    assert [r.url for r in requests] == [f"{BASE}/category/tianjinribao.html"]


def test_posts_of_one_category_ask_its_category_page_once() -> None:
    """The dupefilter would drop the repeats, but only after a Request and a fingerprint each."""
    spider = make_spider(follow_share="false")
    asked = [
        r.url
        for _ in range(3)
        for r in requests_in(list(spider.parse_post(response(TIANJIN_POST), category=None)))
    ]
    assert asked == [f"{BASE}/category/tianjinribao.html"]


@pytest.mark.parametrize("post", [WIND_POST, ROLLING_POST, TWO_WORD_POST])
def test_post_of_another_category_is_archived_but_its_back_link_not_followed(post: str) -> None:
    spider = make_spider(categories="tianjinribao", follow_share="false")
    output = list(spider.parse_post(response(post), category=None))
    assert [type(entry) for entry in output] == [ArticleItem]


def test_rolling_news_post_yields_its_item_directly() -> None:
    # Its source link is the original article, not a share link: nothing to follow.
    spider = make_spider()
    output = list(spider.parse_post(response(ROLLING_POST), category="emnews"))
    assert [type(entry) for entry in output] == [ArticleItem, Request]


def test_rolling_news_item_keeps_its_origin_link_as_a_hint() -> None:
    spider = make_spider()
    item = items_in(list(spider.parse_post(response(ROLLING_POST), category="emnews")))[0]
    assert item.page["source_link"] == (
        "http://finance.eastmoney.com/news/1351,202611263036602218.html"
    )


# --- pages that are not posts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_path", "url_path"),
    [
        ("404.html", "tianjinribao/2026/11/20/NW202611202900000000.html"),
        ("category/tianjinribao.html", "category/tianjinribao.html"),
    ],
)
def test_non_post_page_yields_nothing(site_path: str, url_path: str) -> None:
    spider = make_spider()
    assert list(spider.parse_post(response(site_path, url_path), category=None)) == []


def test_non_post_page_is_counted() -> None:
    spider = make_spider()
    list(spider.parse_post(response("404.html", "x/2026/11/20/NW1.html"), category=None))
    assert stat(spider, "not_a_post") == 1


def test_post_page_is_not_counted_as_not_a_post() -> None:
    spider = make_spider(follow_share="false")
    list(spider.parse_post(response(TIANJIN_POST), category=None))
    assert stat(spider, "not_a_post") is None


# --- SiteUrls.to_local ----------------------------------------------------------------------

LOCAL = SiteUrls(BASE)
CATEGORY_PAGE = f"{BASE}/category/tianjinribao.html"
POST_PAGE = f"{BASE}/emnews/2026/11/26/202611263036602218.html"


@pytest.mark.parametrize(
    ("href", "page_url", "expected"),
    [
        pytest.param(
            "https://finews.withounder.com/tianjinribao/2026/11/25/NW1.html",
            f"{BASE}/",
            f"{BASE}/tianjinribao/2026/11/25/NW1.html",
            id="https",
        ),
        pytest.param(
            "http://finews.withounder.com/tianjinribao/2026/11/25/NW1.html",
            f"{BASE}/",
            f"{BASE}/tianjinribao/2026/11/25/NW1.html",
            id="http",
        ),
        pytest.param(
            "//finews.withounder.com/category/tianjinribao.html",
            POST_PAGE,
            f"{BASE}/category/tianjinribao.html",
            id="protocol-relative",
        ),
        pytest.param(
            "https://finews.zning.me/emnews/",
            POST_PAGE,
            f"{BASE}/emnews/",
            id="older-hostname",
        ),
        pytest.param(
            "/tianjinribao/2026/11/25/NW1.html",
            CATEGORY_PAGE,
            f"{BASE}/tianjinribao/2026/11/25/NW1.html",
            id="root-relative",
        ),
        pytest.param(
            "../25/202611253010472296.html",
            POST_PAGE,
            f"{BASE}/emnews/2026/11/25/202611253010472296.html",
            id="relative",
        ),
        pytest.param("../", POST_PAGE, f"{BASE}/emnews/2026/11/", id="relative-folder"),
        pytest.param(
            " /emnews/#top ",
            POST_PAGE,
            f"{BASE}/emnews/",
            id="padded-with-fragment",
        ),
        pytest.param(
            "//finews.withounder.com/category/21shijijingjibaodao%2021caijingAPP.html?x=1#y",
            POST_PAGE,
            f"{BASE}/category/21shijijingjibaodao%2021caijingAPP.html?x=1",
            id="query-kept-fragment-dropped",
        ),
    ],
)
def test_to_local_maps_site_links_onto_the_base_url(
    href: str, page_url: str, expected: str
) -> None:
    assert LOCAL.to_local(href, page_url) == expected


@pytest.mark.parametrize(
    "href",
    [
        "http://finance.eastmoney.com/news/1351,202611263036602218.html",
        "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202611253012845671",
        "https://withounder.com/",
        "https://evil.example/finews.withounder.com/x.html",
        "//quote.eastmoney.com/unify/r/1.600160",
        "mailto:editor@example.com",
        "javascript:backHome()",
        "ftp://finews.withounder.com/x",
    ],
)
def test_to_local_refuses_links_leaving_the_site(href: str) -> None:
    assert LOCAL.to_local(href, POST_PAGE) is None


def test_to_local_maps_site_links_under_a_base_path() -> None:
    mirror = SiteUrls(f"{BASE}/mirror/")
    href = "https://finews.withounder.com/emnews/"
    assert mirror.to_local(href, f"{BASE}/mirror/") == f"{BASE}/mirror/emnews/"


def test_to_local_keeps_the_base_path_for_root_relative_links() -> None:
    mirror = SiteUrls(f"{BASE}/mirror")
    href = "/tianjinribao/2026/11/25/NW1.html"
    page = f"{BASE}/mirror/category/tianjinribao.html"
    assert mirror.to_local(href, page) == f"{BASE}/mirror/tianjinribao/2026/11/25/NW1.html"


def test_to_local_maps_an_http_link_onto_the_https_base_url() -> None:
    real = SiteUrls("https://finews.withounder.com")
    href = "http://finews.withounder.com/emnews/"
    assert real.to_local(href, "https://finews.withounder.com/") == (
        "https://finews.withounder.com/emnews/"
    )


# --- share links ----------------------------------------------------------------------------


def test_post_with_a_share_link_carries_its_item_to_the_share_page() -> None:
    spider = make_spider()
    first = next(iter(spider.parse_post(response(TIANJIN_POST), category=None)))
    assert (first.callback, first.cb_kwargs["item"].id) == (
        spider.parse_share_page,
        "NW202611253012845671",
    )


def test_the_share_api_answer_is_read_in_the_charset_its_server_declares() -> None:
    spider = make_spider()
    item = next(iter(spider.parse_post(response(TIANJIN_POST), category=None))).cb_kwargs["item"]
    answer = {"title": "港股收市", "medianame": "天津日報", "text": "<p>恆生指數上升</p>"}
    api = Response(
        url=f"{BASE}/NewsData/GetNewsText.do?id=NW202611253012845671",
        headers={"Content-Type": "application/json; charset=big5"},
        body=json.dumps(answer, ensure_ascii=False).encode("big5"),
    )
    (archived,) = spider.parse_share_api(
        api, infocode="NW202611253012845671", item=item, page_url=item.url
    )
    assert archived.share["article"]["body_html"] == "<p>恆生指數上升</p>"
    assert archived.share["article"]["title"] == "港股收市"


@pytest.mark.parametrize(
    ("url_path", "category", "unknown"),
    [
        ("category/nosuch.html", "nosuch", True),
        ("emnews/", "emnews", True),
        ("category/emnews.html", "emnews", False),  # the rolling feed's page is /emnews/
    ],
)
def test_a_category_asked_for_is_unknown_when_its_page_answers_404(
    url_path: str, category: str, unknown: bool
) -> None:
    spider = make_spider(categories=category)
    request = spider.listing_request(f"{BASE}/{url_path}", category)
    assert request is not None
    response = HtmlResponse(url=request.url, status=404, body=b"", request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy sets it for errbacks
    spider.failed(failure)
    assert spider.crawler.stats is not None
    assert bool(spider.crawler.stats.get_value(UNKNOWN_CATEGORY_STAT)) is unknown
