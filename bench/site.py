"""A synthetic finews site of N posts, written straight to HTML (no Jekyll), for the benchmark.

The pages have the structure of the real site's Jekyll renderings (copied from the bundled
sample pages ``newsspider/sample_site/site/**.html``): the jekyll-seo-tag head with the
hand-written ``og:url`` and the broken ``og:description`` that pastes the whole post content
unescaped, ``<div class="wrapper">…<section>`` holding the date line, ``<h1>``, the body as
kramdown lays it out and the tags line. Every word of text is invented here from small
phrase lists, seeded, so a site is reproducible byte for byte.

Written into ``OUT``:

- ``site/``: the document root (``index.html``, ``emnews/index.html``,
  ``category/<slug>.html``, one page per post, ``404.html``);
- ``pages.json``: every page a full crawl requests, as the crawler requests it (paths
  percent-encoded the same way), with the links each page leads to: the fetch-only spider
  follows this graph instead of parsing.

    python bench/site.py OUT --posts 2000 [--seed 20261127]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

SITE = "https://finews.withounder.com"
MIRROR = "https://finews.zning.me"
SITE_TITLE = "金融消息"
SHARE = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode="
ORIGIN = "http://finance.eastmoney.com/news/1351,"
#: Posts span the three days the real site keeps.
LAST_DAY = datetime(2026, 11, 26, 23, 59, 59)
DAYS = 3
DEFAULT_SEED = 20261127
#: Body sizes (bytes of the rendered body HTML), drawn log-uniformly.
BODY_BYTES = (1000, 6000)
#: Newest posts per tag on the home page, and on ``/emnews/``.
HOME_PER_TAG = 5
ROLLING_NEWEST = 20
#: Bumped when the output changes, so cached sites are rebuilt.
GENERATOR_VERSION = 1


@dataclass(frozen=True, slots=True)
class Outlet:
    slug: str  # the category slug, exactly as the site spells it
    name: str  # the outlet, as in （文章来源：…）
    tags: tuple[str, ...]  # as Jekyll splits the front matter ``tags``
    weight: float
    rolling: bool = False
    #: At most this many posts. A slug with a space becomes two path segments, so its own
    #: category page lists nothing: its posts are reachable from the home page only.
    cap: int | None = None

    @property
    def url_dirs(self) -> str:
        """Jekyll's permalink: categories lower-cased, split on spaces into segments."""
        return "/".join(self.slug.lower().split())

    @property
    def category_path(self) -> str:
        """The category page as the crawler requests it (``quote(slug, safe='()')``)."""
        return f"/category/{quote(self.slug, safe='()')}.html"

    @property
    def lists_posts(self) -> bool:
        return " " not in self.slug

    @property
    def back_link(self) -> tuple[str, str]:
        if self.rolling:
            return "//finews.withounder.com/emnews/", "返回东财滚动新闻"
        return (f"//finews.withounder.com/category/{self.slug}.html", f"返回{self.name}新闻")


OUTLETS: tuple[Outlet, ...] = (
    Outlet("emnews", "东财滚动", ("东财滚动新闻",), 30, rolling=True),
    Outlet("shanghaizhengquanbao", "上海证券报", ("上海证券报新闻",), 10),
    Outlet("zhongguozhengquanbao", "中国证券报", ("中国证券报新闻",), 10),
    Outlet("zhengquanshibao", "证券时报", ("证券时报新闻",), 10),
    Outlet("tianjinribao", "天津日报", ("天津日报新闻",), 8),
    Outlet("jingjicankaobao", "经济参考报", ("经济参考报新闻",), 6),
    Outlet("zhongguojijinbao", "中国基金报", ("中国基金报新闻",), 6),
    Outlet("Wind", "Wind", ("Wind新闻",), 4),
    Outlet("anxinguojizhengquan(xianggang)", "安信国际证券(香港)", ("安信国际证券(香港)新闻",), 3),
    Outlet(
        "21shijijingjibaodao 21caijingAPP",
        "21世纪经济报道 21财经APP",
        ("21世纪经济报道", "21财经APP新闻"),
        3,
        cap=HOME_PER_TAG,
    ),
)

# --- invented vocabulary ---------------------------------------------------------------------


def _w(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_CO_HEAD = _w("澜川 启衡 北辰 恒拓 芯衡 瀚海 云岫 青岚 铂川 远航 景泰 中晟 华睿 星澜 同辉 万澄")
_CO_TAIL = _w("化学 材料 科技 新能 电子 股份 医药 智能 物流 环境 精工 控股")
_BOARDS = (
    ("BK0977", "化工新材料"),
    ("BK1033", "锂电池"),
    ("BK0493", "新能源车"),
    ("BK0448", "通信设备"),
    ("BK0475", "银行"),
    ("BK1036", "半导体"),
    ("BK0727", "医疗服务"),
    ("BK0428", "电力行业"),
)
_REGIONS = _w("西岭区 东湖新区 临港片区 南川县 北塘经济区 青浦湾区 云溪区 江屿新区")
_SURNAMES = _w("王 李 赵 刘 陈 周 吴 孙 林 何")
_GIVEN = _w("晓岚 思源 明远 嘉禾 若溪 子涵 文博 雨桐 海峰 静怡")
_INDICES = _w("沪指 深成指 创业板指 科创50 北证50")
_SECTORS = _w("算力 光模块 储能 工业母机 创新药 消费电子 高股息 公用事业 煤炭 有色金属")
_PRODUCTS = _w("电子级氟化物 正极材料 隔膜 碳化硅衬底 高端轴承 生物基材料")
_INSTITUTIONS = _w("券商 公募基金 私募 保险资管 外资机构")
_SLOGANS = _w("企业服务专员 链长制 标准地 拿地即开工 一企一策")
_MACRO = _w("海外利率预期回落 国内稳增长政策加码 库存周期见底 汇率企稳")
_RISKS = _w("海外货币政策超预期收紧 地缘政治风险 行业竞争加剧 原材料价格波动")
_METRICS = _w("规上工业增加值 固定资产投资 社会消费品零售总额 进出口总额 实际使用外资")
_SUBHEADS = _w("推动链式集聚 强化要素保障 市场表现 机构观点 行业动态 后市展望 政策解读 数据速览")
_SOURCES = _w("行业协会 统计部门 交易所 第三方机构")
_WHEN = _w("明年一季度 明年上半年 年内 三年内")


_T = TypeVar("_T")


class _Words:
    """Invented names and numbers, drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: Sequence[_T]) -> _T:
        return items[self.rng.randrange(len(items))]

    def company(self) -> str:
        return self.pick(_CO_HEAD) + self.pick(_CO_TAIL)

    def person(self) -> str:
        return self.pick(_SURNAMES) + self.pick(_GIVEN)

    def pct(self) -> str:
        return f"{self.rng.uniform(0.1, 30):.1f}"

    def amount(self) -> str:
        return f"{self.rng.uniform(1, 2000):.1f}"

    def count(self, low: int = 2, high: int = 200) -> int:
        return self.rng.randint(low, high)

    def month_day(self) -> str:
        return f"{self.rng.randint(1, 12)}月{self.rng.randint(1, 28)}日"

    def stock(self, name: str | None = None) -> str:
        """A company mention: plain text, or one of East Money's quote widgets."""
        name = name or self.company()
        roll = self.rng.random()
        if roll < 0.5:
            return name
        market = self.rng.choice((0, 1))
        code = f"{600000 + sum(map(ord, name)) % 4000}" if market else f"{sum(map(ord, name)):06d}"
        quote_url = f"http://quote.eastmoney.com/unify/r/{market}.{code}"
        if roll < 0.8:
            return (
                f'<span id="stock_{market}.{code}"><a href="{quote_url}" class="keytip"'
                f' data-code="{market},{code}">{name}</a></span>'
                f'<span id="quote_{market}.{code}"></span>'
            )
        return (
            f'<span web="1" href="{quote_url}" class="em_stock_key_common"'
            f' data-code="{market},{code}">{name}</span>'
        )

    def board(self) -> str:
        code, name = _BOARDS[self.rng.randrange(len(_BOARDS))]
        if self.rng.random() < 0.5:
            return name
        url = f"http://quote.eastmoney.com/unify/r/90.{code}"
        return (
            f'<span id="bk_90.{code}"><a href="{url}" class="keytip" data-code="90,{code}">'
            f'{name}</a></span><span id="bkquote_90.{code}"></span>'
        )


def _sentences() -> tuple[Callable[[_Words], str], ...]:
    return (
        lambda w: (
            f"{w.month_day()}午后，{w.board()}板块快速拉升，{w.stock()}涨停，"
            f"{w.company()}、{w.company()}跟涨。"
        ),
        lambda w: (
            f"据{w.pick(_SOURCES)}数据，今年以来{w.pick(_REGIONS)}{w.pick(_METRICS)}累计"
            f"{w.amount()}亿元，同比增长{w.pct()}%。"
        ),
        lambda w: (
            f"{w.stock()}公告称，拟投资{w.amount()}亿元建设年产{w.count(1, 50)}万吨"
            f"{w.pick(_PRODUCTS)}项目，预计{w.pick(_WHEN)}投产。"
        ),
        lambda w: (
            f"有{w.pick(_INSTITUTIONS)}分析师表示，{w.pick(_SECTORS)}行业新增产能集中释放期已过，"
            "随着下游需求回暖，部分细分产品价格有望企稳。"
        ),
        lambda w: (
            f"下一步，{w.pick(_REGIONS)}将继续完善“{w.pick(_SLOGANS)}”机制，在用地、用能、融资等"
            f"方面做好保障，力争全年{w.pick(_METRICS)}增速保持在{w.pct()}%以上。"
        ),
        lambda w: (
            f"截至收盘，{w.pick(_INDICES)}涨{w.pct()}%，{w.pick(_INDICES)}跌{w.pct()}%，"
            f"两市成交额{w.amount()}亿元。"
        ),
        lambda w: (
            f"{w.pick(_INSTITUTIONS)}认为，在{w.pick(_MACRO)}的背景下，{w.pick(_SECTORS)}行情"
            f"有望延续，配置上建议关注{w.pick(_SECTORS)}与{w.pick(_SECTORS)}板块。"
        ),
        lambda w: (
            f"前三季度，{w.stock()}实现营业收入{w.amount()}亿元，同比增长{w.pct()}%；"
            f"归母净利润{w.amount()}亿元，同比下降{w.pct()}%。"
        ),
        lambda w: (
            f"记者梳理发现，截至{w.month_day()}，已有{w.count()}家上市公司披露回购相关公告，"
            f"涉及金额合计约{w.amount()}亿元。"
        ),
        lambda w: (
            f"业内人士指出，{w.pick(_SECTORS)}景气度持续回升，{w.stock()}等龙头企业的市场份额"
            "有望进一步提升。"
        ),
        lambda w: (
            f"公开市场方面，央行今日开展{w.count(100, 3000)}亿元7天期逆回购操作，中标利率"
            f"{w.rng.uniform(1.2, 2.0):.2f}%，实现净投放{w.count(10, 900)}亿元。"
        ),
        lambda w: (
            f"{w.pick(_REGIONS)}依托{w.pick(_SECTORS)}、{w.pick(_SECTORS)}两条主导产业链，组织"
            f"供需对接活动{w.count(3, 30)}场，促成本地配套合同金额{w.amount()}亿元。"
        ),
        lambda w: (
            f"{w.stock()}相关负责人介绍，新建的{w.pick(_PRODUCTS)}产线已于{w.count(1, 12)}月投产，"
            f"预计全年产值增长{w.pct()}%左右。"
        ),
        lambda w: (
            f"从产品类型看，{w.pick(_SECTORS)}主题基金净流入最多，{w.pick(_SECTORS)}主题次之，"
            f"全市场相关产品规模约{w.amount()}亿元。"
        ),
    )


_SENTENCES = _sentences()


def _titles() -> tuple[Callable[[_Words], str], ...]:
    return (
        lambda w: f"{w.pick(_REGIONS)}推进“{w.pick(_SLOGANS)}” {w.pick(_METRICS)}增长{w.pct()}%",
        lambda w: (
            f"{_BOARDS[w.rng.randrange(len(_BOARDS))][1]}板块午后走强：{w.company()}涨停 "
            "机构称扩产周期临近尾声"
        ),
        lambda w: f"上证早知道｜{w.pick(_SECTORS)}景气回升 {w.count(2, 40)}家公司披露扩产计划",
        lambda w: f"{w.company()}前三季度营收同比增长{w.pct()}% 研发投入创新高",
        lambda w: f"港股策略周报：{w.pick(_SECTORS)}行情有望延续 关注高股息板块",
        lambda w: f"《{w.pick(_SECTORS)}产业发展指引》落地满月 {w.count(5, 60)}家企业获支持",
    )


_TITLES = _titles()
_ROLLING_TITLES: tuple[Callable[[_Words], str], ...] = (
    lambda w: f"#收盘观察# {w.pick(_INDICES)}跌{w.pct()}% {w.pick(_SECTORS)}概念逆势走强",
    lambda w: f"公开市场开展{w.count(100, 3000)}亿元7天期逆回购操作",
    lambda w: f"机构：{w.pick(_SECTORS)}“跨年行情”窗口或提前开启",
    lambda w: f"{w.pick(_INDICES)}半日涨{w.pct()}% 成交额突破{w.count(3000, 9000)}亿元",
)


@dataclass(slots=True)
class Post:
    id: str
    outlet: Outlet
    shown: datetime  # the time the page shows (Beijing time)
    title: str
    body: str = ""  # the section's content, as kramdown renders the post (nav included)
    excerpt: str = ""  # the body HTML before the share link (jekyll-seo-tag's description)

    @property
    def path(self) -> str:
        day = self.shown.strftime("%Y/%m/%d")
        return f"/{self.outlet.url_dirs}/{day}/{self.id}.html"


@dataclass(slots=True)
class GeneratedSite:
    root: Path  # the document root
    pages_file: Path
    posts: int
    pages: int
    categories: int
    bytes: int
    seconds: float
    seed: int
    links: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "posts": self.posts,
            "pages": self.pages,
            "categories": self.categories,
            "megabytes": round(self.bytes / 1e6, 1),
            "generate_seconds": round(self.seconds, 2),
            "seed": self.seed,
            "generator_version": GENERATOR_VERSION,
        }


# --- bodies ----------------------------------------------------------------------------------


def _paragraph(w: _Words, indent: str) -> str:
    text = "".join(w.pick(_SENTENCES)(w) for _ in range(w.rng.randint(1, 3)))
    roll = w.rng.random()
    if roll < 0.08:
        cut = len(text) // 2
        text = f"{text[:cut]}<br />&nbsp;{text[cut:]}"  # kramdown keeps inline HTML as is
    elif roll < 0.12:
        text = f"&nbsp;&nbsp;{text}<br />"
    return f"<p>{indent}{text}</p>"


def _chart_block(w: _Words) -> str:
    code = f"{600000 + w.count(0, 3999)}"
    token = "".join(w.rng.choice("0123456789abcdef") for _ in range(32))
    return (
        "<!-- EM_StockImg_Start -->\n"
        f'<p style="text-align:center;"><a href="http://quote.eastmoney.com/unify/r/1.{code}"'
        f' data-code="{code}|1|7" data-code2="{code}|1|3|" class="EmImageRemark"'
        ' target="_blank"><img src="https://webquoteklinepic.eastmoney.com/GetPic.aspx?'
        f'nid=1.{code}&amp;imageType=k&amp;token={token}&amp;at=1" border="0"'
        f' alt="K图 {code}_0" data-code="K {code}|1|7" data-code2="K {code}|1|3|"'
        ' style="border:#d1d1d1 1px solid;" width="578" height="276" /></a></p>\n'
        "<!-- EM_StockImg_End -->"
    )


def _image(w: _Words, outlet: Outlet) -> str:
    number = "".join(w.rng.choice("0123456789") for _ in range(20))
    caption = w.pick(
        ("图片来源：公司公告", f"图片来源：{outlet.name}记者 {w.person()} 摄", "数据来源：交易所")
    )
    return (
        f'<center><img src="https://dfscdn.dfcfw.com/download/D{number}_w800h450.jpg"'
        ' alt="Image" width="552" style="border:#d1d1d1 1px solid;padding:3px;margin:5px 0;" />'
        f'</center>\n<p style="text-align:center;">{caption}</p>'
    )


def _table(w: _Words) -> str:
    rows = "".join(
        f"<tr><td>{w.pick(_SECTORS)}</td><td>{w.count(1, 40)}</td><td>{w.pct()}%</td></tr>"
        for _ in range(w.rng.randint(3, 6))
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="4"><tbody><tr><td><strong>类型</strong>'
        "</td><td><strong>数量（只）</strong></td><td><strong>平均降幅</strong></td></tr>"
        f"{rows}</tbody></table>"
    )


def _outlet_line(w: _Words, outlet: Outlet) -> str:
    name = outlet.name
    if len(name) > 4 and w.rng.random() < 0.1:  # the outlet name can hold a widget span
        url = "http://quote.eastmoney.com/unify/r/90.BK0711"
        name = (
            f'{name[:2]}<span id="bk_90.BK0711"><a href="{url}" class="keytip"'
            f' data-code="90,BK0711">{name[2:4]}</a></span><span id="bkquote_90.BK0711"></span>'
            f"{name[4:]}"
        )
    return f'<p class="em_media">（文章来源：{name}）</p>'


def _body_blocks(w: _Words, outlet: Outlet) -> list[str]:
    """The post body's HTML blocks, one per line as kramdown lays them out."""
    rng = w.rng
    target = int(BODY_BYTES[0] * (BODY_BYTES[1] / BODY_BYTES[0]) ** rng.random())
    indent = "　　" if rng.random() < 0.1 else ""
    blocks: list[str] = []
    if outlet.rolling and rng.random() < 0.4:
        digest = w.pick(_SENTENCES)(w)
        blocks.append(
            f"<blockquote>\n  <p>{digest}（{w.pick(OUTLETS[1:]).name}）</p>\n</blockquote>\n"
        )
    if not outlet.rolling and rng.random() < 0.2:
        blocks += [
            f"<p>■ {w.pick(_METRICS)}同比增长{w.pct()}%，高于全市平均水平{w.pct()}个百分点</p>",
            f"<p>■ 新认定市级“专精特新”中小企业{w.count()}家，累计达到{w.count(200, 900)}家</p>",
            f"<p>■ 年内计划新开工{w.pick(_SECTORS)}项目{w.count(3, 30)}个，总投资约"
            f"{w.amount()}亿元</p>",
        ]
    if rng.random() < 0.2:
        blocks.append('<p style="display:none;height:1px;overflow:hidden;"><br /></p>')
    if rng.random() < 0.25:
        blocks.append(_chart_block(w))
    if not outlet.rolling and rng.random() < 0.3:
        lead = w.pick(_SENTENCES)(w)
        blocks.append(f"<p><strong>本报讯（记者 {w.person()}）</strong>{lead}</p>")
    extras = [
        block
        for block, chance in ((_image(w, outlet), 0.2), (_table(w), 0.15))
        if rng.random() < chance
    ]
    size = sum(len(block.encode()) for block in blocks)
    while size < target or len(blocks) < 2:
        if rng.random() < 0.12:
            block = f"<p>{w.pick(_SUBHEADS)}</p>"
        elif extras and rng.random() < 0.3:
            block = extras.pop()
        else:
            block = _paragraph(w, indent)
        blocks.append(block)
        size += len(block.encode()) + 1
    if rng.random() < 0.5:
        editor = w.pick((f"(津云新闻编辑{w.person()})", f"（责任编辑：{w.person()}）"))
        last = len(blocks) - 1
        while last > 0 and not blocks[last].startswith("<p>"):
            last -= 1
        blocks[last] = blocks[last].removesuffix("</p>") + editor + "</p>"
    if rng.random() < (0.3 if outlet.rolling else 0.85):
        blocks.append(_outlet_line(w, outlet))
    return blocks


def _render_post(w: _Words, post: Post) -> None:
    outlet = post.outlet
    excerpt = "\n".join(_body_blocks(w, outlet))
    link = f"{ORIGIN}{post.id}.html" if outlet.rolling else f"{SHARE}{post.id}"
    href, label = outlet.back_link
    joiner = "\n" if w.rng.random() < 0.1 else "｜"
    back = f'<a href="{href}">{label}</a>{joiner}<a href="//finews.withounder.com/">返回首页</a>'
    tags = "".join(f"<em>{tag}</em>" for tag in outlet.tags)
    post.excerpt = excerpt
    post.body = (
        f"<small>(GMT+8, Asia/Shanghai, CST) {post.shown:%Y-%m-%d %H:%M:%S}</small>\n"
        f"<h1>{html.escape(post.title, quote=False)}</h1>\n"
        f"{excerpt}\n\n"
        f'<p><a href="{link}">{link}</a></p>\n\n'
        f"<p>{back}</p>\n\n"
        f"<small>tags: {tags}</small>\n"
    )


# --- pages -----------------------------------------------------------------------------------

_TAG_RE = re.compile(r"<!--.*?-->|<[^>]+>", re.DOTALL)
_SPACE_RE = re.compile(r"\s+")


def _description(excerpt: str) -> str:
    """jekyll-seo-tag's description: the excerpt's text, whitespace-normalised, escaped."""
    text = _SPACE_RE.sub(" ", _TAG_RE.sub(" ", excerpt)).strip()
    return html.escape(html.unescape(text))


def _page(
    *,
    title: str | None,
    path: str,
    og_type: str,
    ld: dict[str, object],
    content: str,
    description: str | None = None,
    published: str | None = None,
    og_description: str | None = None,
) -> str:
    url = SITE + path
    head_title = f"{title} | {SITE_TITLE}" if title else SITE_TITLE
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "  <head>",
        '    <meta charset="UTF-8">',
        '    <meta http-equiv="X-UA-Compatible" content="IE=edge">',
        '    <meta name="viewport" content="width=device-width, initial-scale=1">',
        "<!-- Begin Jekyll SEO tag v2.8.0 -->",
        f"<title>{head_title}</title>",
        '<meta name="generator" content="Jekyll v4.3.1" />',
        f'<meta property="og:title" content="{title or SITE_TITLE}" />',
        '<meta property="og:locale" content="zh_CN" />',
    ]
    if description is not None:
        lines.append(f'<meta name="description" content="{description}" />')
        lines.append(f'<meta property="og:description" content="{description}" />')
    lines += [
        f'<link rel="canonical" href="{url}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_TITLE}" />',
        f'<meta property="og:type" content="{og_type}" />',
    ]
    if published is not None:
        lines.append(f'<meta property="article:published_time" content="{published}" />')
    lines += [
        '<meta name="twitter:card" content="summary" />',
        f'<meta property="twitter:title" content="{title or SITE_TITLE}" />',
        '<script type="application/ld+json">',
        json.dumps(ld, ensure_ascii=False, separators=(",", ":")) + "</script>",
        "<!-- End Jekyll SEO tag -->",
        "",
        f'<link type="application/atom+xml" rel="alternate" href="{SITE}/feed.xml"'
        f' title="{SITE_TITLE}" />',
        f'    <meta property="og:url" content="{MIRROR}{path}">',
    ]
    if og_description is not None:
        # The real site's quirk: the post content pasted into the attribute unescaped.
        lines.append(f'    <meta property="og:description" content="{og_description}">')
    lines += [
        '    <script type="text/javascript">',
        "      function AutoRefresh(t) {",
        '        setTimeout("location.reload(true);", t);',
        "      }",
        "    </script>",
        "  </head>",
        '  <body onload="JavaScript:AutoRefresh(60000);">',
        '    <div class="wrapper">',
        "      <header>",
        f'        <h1><a href="/">{SITE_TITLE}</a></h1>',
        '        <p class="view"><a href="/feed.xml">RSS</a></p>',
        "      </header>",
        "      <section>",
        "",
        content,
        "      </section>",
        "      <footer>",
        f"        <p><small>{SITE_TITLE} &middot; Hosted on GitHub Pages</small></p>",
        "      </footer>",
        "    </div>",
        "  </body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)


def _post_page(post: Post) -> str:
    published = post.shown.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    description = _description(post.excerpt)
    title = html.escape(post.title, quote=False)
    url = quote(SITE + post.path, safe=":/()")
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "dateModified": published,
        "datePublished": published,
        "description": description,
        "headline": title,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }
    return _page(
        title=title,
        path=post.path,
        og_type="article",
        ld=ld,
        content=post.body + "\n",
        description=description,
        published=published,
        og_description=post.body,
    )


def _listing_page(title: str | None, path: str, items: str, *, home: bool = False) -> str:
    url = SITE + quote(path, safe="/()")
    ld: dict[str, object] = {"@context": "https://schema.org"}
    if home:
        ld |= {"@type": "WebSite", "headline": SITE_TITLE, "name": SITE_TITLE, "url": url}
    else:
        ld |= {"@type": "WebPage", "headline": title, "url": url}
    return _page(title=title, path=quote(path, safe="/()"), og_type="website", ld=ld, content=items)


def _li(post: Post, href: str, target: str = "") -> str:
    return f'  <li><a href="{href}"{target}>{html.escape(post.title, quote=False)}</a></li>'


def _not_found_page() -> str:
    content = (
        '<script language="JavaScript">\n  function backHome(){window.location="/";}\n'
        "  setTimeout('backHome()',5000);\n</script>\n\n"
        '<h2 id="404-页面不存在">404 页面不存在</h2>\n\n'
        "<p>站点只保留最近三天的消息，这条消息已经不在站点上。</p>\n\n"
        '<p><a href="/">回到首页</a></p>\n\n'
    )
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "headline": "404",
        "url": f"{SITE}/404.html",
    }
    return _page(title="404", path="/404.html", og_type="website", ld=ld, content=content)


# --- the site --------------------------------------------------------------------------------


def _draw_posts(n_posts: int, rng: random.Random) -> list[Post]:
    """N posts over the last three days, newest first, with unique ids carrying their date."""
    words = _Words(rng)
    span = DAYS * 86400
    outlets: list[Outlet] = []
    capped: dict[str, int] = {}
    weights = [outlet.weight for outlet in OUTLETS]
    while len(outlets) < n_posts:
        outlet = rng.choices(OUTLETS, weights)[0]
        if outlet.cap is not None:
            if capped.get(outlet.slug, 0) >= outlet.cap:
                continue
            capped[outlet.slug] = capped.get(outlet.slug, 0) + 1
        outlets.append(outlet)
    offsets = sorted(rng.randrange(span) for _ in range(n_posts))
    posts: list[Post] = []
    for index, (outlet, offset) in enumerate(zip(outlets, offsets, strict=True)):
        meant = LAST_DAY - timedelta(seconds=span - 1 - offset)
        # Most front matter dates carry +0800; an offset-less one is read as UTC by Jekyll and
        # shown 8 hours later, so the page (and its URL) may show the next day.
        shown = meant + timedelta(hours=8) if rng.random() < 0.1 else meant
        serial = 2_980_000_000 + index * 37 + rng.randrange(30)
        post_id = f"{meant:%Y%m%d}{serial}"
        title_pool = _ROLLING_TITLES if outlet.rolling else _TITLES
        title = words.pick(title_pool)(words)
        post_id = post_id if outlet.rolling else f"NW{post_id}"
        posts.append(Post(id=post_id, outlet=outlet, shown=shown, title=title))
    posts.sort(key=lambda post: (post.shown, post.id), reverse=True)
    for post in posts:
        _render_post(words, post)
    return posts


def generate_site(out: Path, n_posts: int, seed: int = DEFAULT_SEED) -> GeneratedSite:
    """Write the site of ``n_posts`` posts into ``out/site`` and its page graph to
    ``out/pages.json``; reuse them when ``out`` already holds the same site."""
    started = time.monotonic()
    root = out / "site"
    pages_file = out / "pages.json"
    stamp = {"posts": n_posts, "seed": seed, "generator_version": GENERATOR_VERSION}
    if pages_file.exists():
        cached = json.loads(pages_file.read_text(encoding="utf-8"))
        if cached.get("stamp") == stamp and (root / "index.html").exists():
            return _loaded(root, pages_file, cached, seed)
    rng = random.Random(f"{seed}/{n_posts}")
    posts = _draw_posts(n_posts, rng)
    root.mkdir(parents=True, exist_ok=True)
    written = 0

    def write(path: str, text: str) -> None:
        nonlocal written
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        target.write_bytes(data)
        written += len(data)

    by_outlet: dict[str, list[Post]] = {outlet.slug: [] for outlet in OUTLETS}
    for post in posts:
        write(post.path, _post_page(post))
        by_outlet[post.outlet.slug].append(post)
    outlets = [outlet for outlet in OUTLETS if by_outlet[outlet.slug]]

    # Category pages: every post still on the site, newest first, root-relative links.
    links: dict[str, list[str]] = {"/": [], "/emnews/": []}
    for outlet in outlets:
        listed = by_outlet[outlet.slug] if outlet.lists_posts else []
        items = "\n".join(_li(post, post.path) for post in listed)
        write(
            f"/category/{outlet.slug}.html",
            _listing_page(outlet.slug, f"/category/{outlet.slug}.html", f"<ul>\n{items}\n</ul>\n"),
        )
        links["/"].append(outlet.category_path)
        links[outlet.category_path] = [post.path for post in listed]

    # The home page: one section per tag with its 5 newest posts (absolute links).
    sections: list[str] = []
    on_home: set[str] = set()
    for outlet in outlets:
        newest = by_outlet[outlet.slug][:HOME_PER_TAG]
        on_home.update(post.path for post in newest)
        for tag in outlet.tags:
            items = "\n".join(_li(post, SITE + post.path) for post in newest)
            sections.append(f'<h2 id="{tag}">{tag}</h2>\n<ul>\n{items}\n</ul>\n')
    write("/index.html", _listing_page(None, "/", "\n" + "<hr />\n".join(sections), home=True))
    # Posts only the home page links to (a slug with a space: its category page is empty).
    listed_somewhere = {path for page in links.values() for path in page}
    links["/"] += sorted(on_home - listed_somewhere)

    rolling = by_outlet["emnews"][:ROLLING_NEWEST]
    items = "\n".join(_li(post, post.path, ' target="_blank"') for post in rolling)
    write(
        "/emnews/index.html", _listing_page("东财滚动新闻", "/emnews/", f"<ul>\n{items}\n</ul>\n")
    )
    write("/404.html", _not_found_page())

    pages = {"/", "/emnews/"} | {path for page in links.values() for path in page}
    manifest = {
        "stamp": stamp,
        "start": ["/", "/emnews/"],
        "links": links,
        "posts": len(posts),
        "pages": len(pages),
        "categories": len(outlets),
        "bytes": written,
    }
    pages_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    site = _loaded(root, pages_file, manifest, seed)
    site.seconds = time.monotonic() - started
    return site


def _loaded(root: Path, pages_file: Path, manifest: dict[str, object], seed: int) -> GeneratedSite:
    links = manifest["links"]
    assert isinstance(links, dict)
    return GeneratedSite(
        root=root,
        pages_file=pages_file,
        posts=int(str(manifest["posts"])),
        pages=int(str(manifest["pages"])),
        categories=int(str(manifest["categories"])),
        bytes=int(str(manifest["bytes"])),
        seconds=0.0,
        seed=seed,
        links=links,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write site/ and pages.json into")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    site = generate_site(args.out, args.posts, args.seed)
    print(json.dumps(site.summary(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
