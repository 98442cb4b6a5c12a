"""Hostile article bodies: XSS and injection vectors through the body pipeline and Jekyll.

The vectors live in ``tests/fixtures/xss/vectors.txt`` (OWASP XSS Filter Evasion Cheat Sheet
families, mutation-XSS parser differentials, Liquid, YAML and Markdown/kramdown injection; the
file names its sources). Each one is wrapped in an ordinary article and run through
``clean_body`` exactly as the body pipeline does, then:

* ``body_html`` must hold nothing executable (lxml: no script-capable element, no ``on*`` or
  ``style`` attribute, every URL attribute http(s) once entities, whitespace and control
  characters are taken out);
* ``body_markdown`` must hold no ``javascript:``/``vbscript:``/``data:`` link target, and the
  HTML kramdown renders from it (GFM input, as Jekyll does) must pass the same checks;
* the article's own words around the vector stay in ``body_text``;
* the posts ``render_post`` writes (the vector in the body, the outlet and the editor; as
  the title too; as a tag too) must build with the real Jekyll into pages whose
  ``div.wrapper > section`` passes the same checks, the title shown as written; Liquid in
  article text must be shown literally, never executed, and never fail the build.
"""

from __future__ import annotations

import html
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from newsspider.cleaning import CleanedBody, clean_body
from newsspider.exporters.jekyll import post_filename, render_post
from tests.site.build import JekyllBuildError, build_site, jekyll_available
from tests.site.fixtures import JEKYLL_MISSING, REPO_ROOT, skip_or_fail
from tests.support.ruby import kramdown_to_html

VECTORS_FILE = Path(__file__).parent / "fixtures" / "xss" / "vectors.txt"
OPENING = "正文开头"
CLOSING = "正文结尾"
CATEGORY = "ceshi"
SITE_TITLE = "金融消息"  # tests/site/jekyll/_config.yml
PUBLISHED_AT = "2026-01-01T10:00:00+08:00"
PAGE_DIR = Path(CATEGORY, "2026", "01", "01")


@dataclass(frozen=True, slots=True)
class Vector:
    id: str
    flags: frozenset[str]
    text: str

    @property
    def raw_html(self) -> str:
        """The vector inside an ordinary article, as the post page's body would hold it
        (``leading``: right after the opening words, as the body's leading text)."""
        if "leading" in self.flags:
            return f"{OPENING}{self.text}<p>{CLOSING}</p>"
        return f"<p>{OPENING}</p>{self.text}<p>{CLOSING}</p>"


def _load_vectors() -> list[Vector]:
    vectors: list[Vector] = []
    for number, line in enumerate(VECTORS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        vector_id, flags, literal = line.split(None, 2)
        text = json.loads(literal)
        assert isinstance(text, str), f"{VECTORS_FILE.name}:{number}: not a JSON string"
        vectors.append(Vector(vector_id, frozenset(flags.split(",")) - {"-"}, text))
    ids = [v.id for v in vectors]
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    return vectors


VECTORS = _load_vectors()
BY_ID = {v.id: v for v in VECTORS}
LIQUID = [v for v in VECTORS if "liquid" in v.flags]


def _params(vectors: list[Vector]) -> list[Any]:
    return [pytest.param(vector, id=vector.id) for vector in vectors]


# --- What counts as executable ----------------------------------------------------------------

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
        "input", "button", "textarea", "select", "meta", "base", "link", "svg", "math",
        "template", "noscript", "xmp", "plaintext", "bgsound", "video", "audio", "source",
        "portal",
    }
)  # fmt: skip
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "formaction"})
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "background", "dynsrc", "lowsrc", "data", "poster", "cite",
        "longdesc", "srcset", "ping", "codebase", "classid", "manifest", "icon",
    }
)  # fmt: skip
# Whitespace, C0/C1 controls and invisible characters browsers skip inside URL schemes.
_URL_NOISE_RE = re.compile("[\\s\\x00-\\x20\\x7f-\\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]")
# lxml drops these when they are nested, but a browser merges a nested <body>'s attributes
# (onpageshow=…) into the page's own body: in a fragment they are only seen in the source.
_RAW_ONLY_ELEMENTS = frozenset({"body", "html", "head"})
_RAW_TAG_RE = re.compile(
    r"<\s*/?\s*(?:" + "|".join(sorted(FORBIDDEN_ELEMENTS | _RAW_ONLY_ELEMENTS)) + r")(?=[\s/>])",
    re.IGNORECASE,
)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_UNSAFE_SCHEME = r"(?:javascript|vbscript|data|livescript|mocha)\s*:"
# Markdown link targets: inline ``](…)``, reference definitions, autolinks (not backslash-escaped).
_MARKDOWN_TARGET_RES = [
    re.compile(r"(?<!\\)\]\(\s*<?\s*" + _UNSAFE_SCHEME, re.IGNORECASE),
    re.compile(r"^\s{0,3}(?<!\\)\[[^\]]*(?<!\\)\]:\s*<?\s*" + _UNSAFE_SCHEME, re.I | re.M),
    re.compile(r"(?<!\\)<\s*" + _UNSAFE_SCHEME, re.IGNORECASE),
]


def _normalised_url(value: str) -> str:
    previous = None
    while previous != value:  # entities, however deeply nested
        previous, value = value, html.unescape(value)
    return _URL_NOISE_RE.sub("", value).lower()


def _is_http(value: str, *, protocol_relative: bool = False) -> bool:
    """http(s); with ``protocol_relative``, ``//host/…`` too (it takes the page's scheme: the
    back links ``render_post`` writes are such)."""
    url = _normalised_url(value)
    if protocol_relative and url.startswith("//") and not url.startswith("///"):
        return True
    return url.startswith(("http:", "https:"))


def executable_parts(root: HtmlElement, *, protocol_relative: bool = False) -> list[str]:
    """Everything in the tree under ``root`` that could run script or load active content."""
    found: list[str] = []
    for element in root.iter():
        if element.tag is etree.Comment:
            if "[if" in (element.text or "").lower():
                found.append(f"conditional comment {element.text!r}")
            continue
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
            if local.startswith("on"):
                found.append(f"<{tag} {name}={value!r}> event handler")
            elif local in FORBIDDEN_ATTRIBUTES:
                found.append(f"<{tag} {name}={value!r}> attribute")
            elif local in URL_ATTRIBUTES and not all(
                _is_http(url, protocol_relative=protocol_relative)
                for url in (_srcset_urls(value) if local == "srcset" else [value])
            ):
                found.append(f"<{tag} {name}={value!r}> non-http(s) URL")
    return found


def _srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def html_problems(source: str, *, protocol_relative: bool = False) -> list[str]:
    """:func:`executable_parts` of an HTML fragment, plus raw forbidden tags in its source."""
    uncommented = _COMMENT_RE.sub("", source)
    problems = [f"raw tag {m.group()!r} in the source" for m in _RAW_TAG_RE.finditer(uncommented)]
    if source.strip():
        root = fragment_fromstring(source, create_parent="div")
        problems += executable_parts(root, protocol_relative=protocol_relative)
    return problems


def markdown_target_problems(markdown: str) -> list[str]:
    flat = _URL_NOISE_RE.sub("", html.unescape(markdown))
    return [
        f"unsafe link target {m.group()!r}"
        for text in (markdown, flat)
        for pattern in _MARKDOWN_TARGET_RES
        for m in pattern.finditer(text)
    ]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- The body pipeline ------------------------------------------------------------------------


@cache
def cleaned(vector: Vector) -> CleanedBody:
    return clean_body(vector.raw_html)


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_body_html_is_inert(vector: Vector) -> None:
    body = cleaned(vector)
    assert html_problems(body.html) == [], body.html
    assert all(_is_http(src) for src in body.images), body.images


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_body_markdown_has_no_unsafe_link_target(vector: Vector) -> None:
    body = cleaned(vector)
    assert markdown_target_problems(body.markdown) == [], body.markdown


@pytest.fixture(scope="module")
def kramdown_html() -> dict[str, str]:
    """``body_markdown`` of every vector as kramdown renders it, by vector id."""
    rendered = kramdown_to_html([cleaned(v).markdown for v in VECTORS])
    return dict(zip([v.id for v in VECTORS], rendered, strict=True))


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_body_markdown_renders_inert_with_kramdown(
    vector: Vector, kramdown_html: dict[str, str]
) -> None:
    rendered = kramdown_html[vector.id]
    assert html_problems(rendered) == [], f"{cleaned(vector).markdown!r}\n->\n{rendered}"


_TAG_LIKE_RE = re.compile(r"<[A-Za-z/!]")


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_article_words_are_kept(vector: Vector) -> None:
    """The paragraphs around the vector stay paragraphs of ``body_text``, and no markup turns
    into text (unless the article's text shows markup itself, ``text-markup``).

    A vector that opens a raw-text element and never closes it swallows what follows in a
    browser as well (``eats-tail``): only the opening paragraph must stay then.
    """
    paragraphs = _paragraphs(cleaned(vector).text)
    if "leading" in vector.flags:
        assert paragraphs[0].startswith(OPENING), paragraphs
    else:
        assert paragraphs[0] == OPENING, paragraphs
    if "eats-tail" not in vector.flags:
        assert paragraphs[-1] == CLOSING, paragraphs
    if "text-markup" not in vector.flags:
        assert not any(_TAG_LIKE_RE.search(p) for p in paragraphs), paragraphs


# --- Jekyll posts -----------------------------------------------------------------------------

#: The posts of each vector: the vector in the body, outlet and editor (plain title and tags);
#: the vector as the title too; the vector as a tag too.
POST_KINDS = ("body", "title", "tag")
PLAIN_TAG = "测试新闻"


def post_id(vector: Vector, kind: str) -> str:
    number = len(POST_KINDS) * VECTORS.index(vector) + POST_KINDS.index(kind)
    return f"NW20260101{number:06d}"


def _article(vector: Vector, kind: str) -> dict[str, Any]:
    body = cleaned(vector)
    article_id = post_id(vector, kind)
    return {
        "id": article_id,
        "url": f"https://finews.withounder.com/{CATEGORY}/2026/01/01/{article_id}.html",
        "title": vector.text if kind == "title" else f"测试标题 {vector.id}",
        "published_at": PUBLISHED_AT,
        "category": CATEGORY,
        "tags": [PLAIN_TAG, vector.text] if kind == "tag" else [PLAIN_TAG],
        "source": vector.text,
        "editor": vector.text,
        "highlights": body.highlights,
        "summary": body.summary,
        "body_html": body.html,
        "body_markdown": body.markdown,
        "body_text": body.text,
        "images": body.images,
        "share_url": None,
        "origin_url": None,
        "warnings": [],
    }


def _write_posts(vectors: list[Vector], posts_dir: Path) -> list[Path]:
    posts_dir.mkdir(parents=True)
    paths = []
    for vector in vectors:
        for kind in POST_KINDS:
            article = _article(vector, kind)
            path = posts_dir / post_filename(article)
            path.write_text(render_post(article), encoding="utf-8")
            paths.append(path)
    return paths


@dataclass(frozen=True, slots=True)
class Build:
    site: Path | None
    error: str | None


def _build(posts: list[Path], dest: Path) -> Build:
    try:
        return Build(build_site(posts, dest, corpus_dir=REPO_ROOT / "sample"), None)
    except JekyllBuildError as error:
        return Build(None, str(error))


# An HTML parser replaces NUL with U+FFFD and drops other C0 controls: not the title's fault.
_PARSER_DROPPED_RE = re.compile("[\\x00-\\x08\\x0b\\x0e-\\x1f\\ufffd]")


def _as_shown(text: str) -> str:
    """``text`` as an HTML parser shows it: entities decoded, NUL and C0 controls gone."""
    return _PARSER_DROPPED_RE.sub("", html.unescape(text))


@dataclass(frozen=True, slots=True)
class BuiltPosts:
    by_vector: dict[str, Build]

    def section(self, vector: Vector, kind: str) -> str:
        """The source of the page's ``div.wrapper > section`` (the layout around it has its own
        ``<body onload>`` and head script, and pastes the content into ``og:description``)."""
        build = self.by_vector[vector.id]
        assert build.site is not None, f"jekyll build failed:\n{build.error}"
        page = build.site / PAGE_DIR / f"{post_id(vector, kind)}.html"
        assert page.is_file(), f"{page} was not built"
        source = page.read_text(encoding="utf-8")
        wrapper = source.split('<div class="wrapper">', 1)[1]
        start = wrapper.index("<section>") + len("<section>")
        return wrapper[start : wrapper.rindex("</section>")]

    def problems(self, vector: Vector, kind: str) -> list[str]:
        return html_problems(self.section(vector, kind), protocol_relative=True)

    def heading(self, vector: Vector, kind: str) -> str:
        """The text a browser shows in the post's ``<h1>`` (the title, printed raw), without
        the control characters an HTML parser drops or replaces (see :func:`_as_shown`)."""
        section = fragment_fromstring(self.section(vector, kind), create_parent="div")
        headings = section.findall(".//h1")
        assert headings, f"no <h1> in the {kind} post of {vector.id}"
        return _as_shown(str(headings[0].text_content()))

    def survivors(self, kind: str) -> set[str]:
        """The vectors whose ``kind`` post failed to build or has something executable."""
        return {
            v.id for v in VECTORS if self.by_vector[v.id].site is None or self.problems(v, kind)
        }


@pytest.fixture(scope="module")
def built_posts(tmp_path_factory: pytest.TempPathFactory) -> BuiltPosts:
    """Every vector's posts built by Jekyll: the vectors without Liquid in one site, each
    Liquid vector in a site of its own (a Liquid error would fail a whole build: this way it
    names its vector), concurrently."""
    if not jekyll_available():
        skip_or_fail(JEKYLL_MISSING)
    root = tmp_path_factory.mktemp("hostile_posts")
    groups = [[v for v in VECTORS if "liquid" not in v.flags], *([v] for v in LIQUID)]
    jobs = [
        (group, _write_posts(group, root / f"src{n}" / "_posts"), root / f"site{n}")
        for n, group in enumerate(groups)
    ]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        builds = list(pool.map(lambda job: _build(job[1], job[2]), jobs))
    return BuiltPosts(
        {v.id: build for (group, _, _), build in zip(jobs, builds, strict=True) for v in group}
    )


def _built_pages(build: Build) -> set[str]:
    assert build.site is not None, f"jekyll build failed:\n{build.error}"
    return {page.name for page in (build.site / PAGE_DIR).glob("*.html")}


def test_jekyll_builds_every_post_without_liquid(built_posts: BuiltPosts) -> None:
    """All the posts of the vectors without Liquid build, each at /ceshi/2026/01/01/<id>.html
    (outlet and editor hold the vector too: their YAML must stay valid)."""
    vectors = [v for v in VECTORS if "liquid" not in v.flags]
    pages = _built_pages(built_posts.by_vector[vectors[0].id])
    assert pages == {f"{post_id(v, kind)}.html" for v in vectors for kind in POST_KINDS}


@pytest.mark.parametrize("vector", _params(LIQUID))
def test_jekyll_builds_every_post_with_liquid(vector: Vector, built_posts: BuiltPosts) -> None:
    """Liquid in the body, title, tags, outlet and editor never fails the build (run, an
    ``{% include … %}``, a stray ``{% endraw %}`` or an unclosed ``{% comment %}`` would)."""
    pages = _built_pages(built_posts.by_vector[vector.id])
    assert pages == {f"{post_id(vector, kind)}.html" for kind in POST_KINDS}


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_built_post_body_is_inert(vector: Vector, built_posts: BuiltPosts) -> None:
    """The vector in the body, outlet and editor: the page builds, its section is inert."""
    section = built_posts.section(vector, "body")
    assert built_posts.problems(vector, "body") == [], section


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_built_post_title_is_inert(vector: Vector, built_posts: BuiltPosts) -> None:
    """The vector as the title too: the layout prints it raw (``<h1>{{ page.title }}</h1>``),
    so it must come out inert, and shown as text: the characters of the title."""
    section = built_posts.section(vector, "title")
    assert built_posts.problems(vector, "title") == [], section
    assert built_posts.heading(vector, "title") == _as_shown(vector.text), section


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_built_post_tag_is_inert(vector: Vector, built_posts: BuiltPosts) -> None:
    """The vector as a tag too: the layout prints each tag raw (``<em>{{ tag }}</em>``, Jekyll
    splits tags on spaces), and the tags make the back link's text in the Markdown body."""
    section = built_posts.section(vector, "tag")
    assert built_posts.problems(vector, "tag") == [], section


_LIQUID_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


@pytest.mark.parametrize("vector", _params(LIQUID))
def test_liquid_in_article_text_is_shown_literally(vector: Vector, built_posts: BuiltPosts) -> None:
    """Liquid in article text is text: shown as archived, never run by Jekyll, in the body
    (its paragraphs, Liquid included) and in the title (the whole vector, as written)."""
    section = built_posts.section(vector, "body")
    shown = _squash(fragment_fromstring(section, create_parent="div").text_content())
    paragraphs = _paragraphs(cleaned(vector).text)
    for paragraph in paragraphs:
        assert _squash(paragraph) in shown, f"{paragraph!r} not shown in:\n{section}"
    for liquid in _LIQUID_RE.findall("\n".join(paragraphs)):
        assert _squash(liquid) in shown, f"{liquid!r} not shown in:\n{section}"
    heading = built_posts.heading(vector, "title")
    assert _LIQUID_RE.search(heading), heading
    assert heading == _as_shown(vector.text)
    for kind in POST_KINDS:
        assert SITE_TITLE not in built_posts.section(vector, kind), kind


def test_summary(
    kramdown_html: dict[str, str], built_posts: BuiltPosts, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line for the log: how many vectors, and how many left something executable where
    (a post that fails to build counts as a survivor of its field)."""
    assert len(VECTORS) >= 40
    assert len(LIQUID) >= 5
    survivors = {
        "body_html": {v.id for v in VECTORS if html_problems(cleaned(v).html)},
        "body_markdown/kramdown": {
            v.id
            for v in VECTORS
            if markdown_target_problems(cleaned(v).markdown) or html_problems(kramdown_html[v.id])
        },
        "built post bodies": built_posts.survivors("body"),
        "titles": built_posts.survivors("title"),
        "tags": built_posts.survivors("tag"),
    }
    liquid_failed = {v.id for v in LIQUID if built_posts.by_vector[v.id].site is None}
    with capsys.disabled():
        counts = ", ".join(f"{field}={len(ids)}" for field, ids in survivors.items())
        print(
            f"\nhostile content: {len(VECTORS)} vectors; survivors: {counts}"
            f" (failed build or live markup); Liquid vectors failing the build:"
            f" {len(liquid_failed)}/{len(LIQUID)}"
        )
    assert {field: ids for field, ids in survivors.items() if ids} == {}
    assert liquid_failed == set()
