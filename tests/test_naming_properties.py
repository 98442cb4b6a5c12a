"""Property tests (Hypothesis) of what turns article fields into YAML and file names.

For any title, id, category, tag, outlet and editor (control characters, NUL, newlines,
``../``, ``/``, ``\\``, YAML indicators and keywords, Unicode line separators, up to 1000
characters):

* ``scalar`` and ``double_quoted`` read back as the same string (PyYAML, and Ruby's Psych,
  which is what Jekyll reads front matter with);
* the front matter of ``render_post`` parses back to the same fields (title and tags with
  ``<`` and ``>`` written as ``&lt;`` and ``&gt;``, as the site's layout prints them raw),
  with Liquid turned off (``render_with_liquid: false``);
* ``JekyllPostsWriter.path_for`` refuses a name (``ValueError``) or gives a path directly in
  the posts folder, whose name fits a file system (255 bytes).

The runs are derandomised (the same examples on every machine) and keep no example database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from newsspider.exporters.jekyll import post_filename, render_post
from newsspider.exporters.yaml_scalars import double_quoted, scalar
from newsspider.extensions.posts import JekyllPostsWriter
from newsspider.items import ArticleItem
from newsspider.pipelines.validate import _SAFE_ID_RE, why_unarchivable
from tests.support.ruby import ruby_over_json

PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAME_MAX = 255  # bytes, ext4 and most other file systems
PUBLISHED_AT = "2026-01-01T10:00:00+08:00"

# --- Strategies -------------------------------------------------------------------------------

#: Pieces that break naive YAML, paths or Liquid, mixed into arbitrary text.
AWKWARD = [
    *"\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9f\xa0\u2028\u2029\ufeff\ufffe\uffff",
    "\u3000", "\u200b", "\U0001f600", "\r\n", " ", "  ", "../", "..", ".", "/", "//", "\\",
    "\\\\", "C:\\", "~", ":", ": ", " #", "#", "- ", "-", "--- ", "---", "...", "? ", "'", '"',
    "''", '\\"', "{", "}", "[", "]", ",", "&a", "*a", "!", "!!str ", "|", ">", "%", "@", "`",
    "=", "<<", "null", "Null", "~", "yes", "No", "on", "OFF", "y", "n", "true", ".inf", "-.inf",
    ".nan", "0x1F", "0o17", "017", "0b101", "1_000", "1e5", "+1", "-1", "3.14", "12:30",
    "190:20:30", "2022-03-03", "2022-03-03 10:00:00", "2022-3-3", "1,000", "1,000.5", ":sym",
    "$1", "{{ site.title }}", "{% raw %}", "<script>", "&amp;", "\\u0041", "\\x41", "\\0", "\\n",
]  # fmt: skip
_pieces = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=8),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=8),
)
#: Mostly awkward text; sometimes long (up to 1000 characters), sometimes plain ASCII.
awkward_text = st.one_of(
    st.lists(_pieces, max_size=12).map("".join),
    st.text(max_size=1000),
    st.text(min_size=200, max_size=1000).map(lambda t: t + "\u2028" + t[:50]),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40),
)
#: Ids as the site has them, and anything else.
ids = st.one_of(
    st.from_regex(r"(NW)?20\d{6}\d{10,12}", fullmatch=True),
    st.from_regex(_SAFE_ID_RE, fullmatch=True),
    awkward_text,
)


def _front_matter(post: str) -> str:
    """The text between the post's first two ``---`` lines, as Jekyll reads it."""
    lines = post.split("\n")
    assert lines[0] == "---", post[:200]
    end = lines.index("---", 1)
    return "\n".join(lines[1:end])


# --- (a) scalars ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(value=awkward_text)
@example(value="")
@example(value="\x00")
@example(value="a\u2028b")
@example(value=" leading and trailing ")
@example(value="---")
@example(value="a: b")
def test_scalars_read_back_as_the_same_string(value: str) -> None:
    for render in (scalar, double_quoted):
        written = render(value)
        assert "\n" not in written and "\r" not in written, written
        assert yaml.safe_load(written) == value, written
        # As a mapping value, after other keys, as in the front matter.
        assert yaml.safe_load(f"layout: post\nkey: {written}\nnext: 1\n")["key"] == value


# --- (b) front matter -------------------------------------------------------------------------


def _article(
    *,
    article_id: str = "NW202601013012845671",
    title: str | None = "标题",
    category: str = "ceshi",
    tags: list[str] | None = None,
    source: str | None = "天津日报",
    editor: str | None = None,
) -> dict[str, Any]:
    return {
        "id": article_id,
        "url": "https://finews.withounder.com/ceshi/2026/01/01/x.html",
        "title": title,
        "published_at": PUBLISHED_AT,
        "category": category,
        "tags": ["测试新闻"] if tags is None else tags,
        "source": source,
        "editor": editor,
        "body_markdown": "正文",
        "body_html": "<p>正文</p>",
        "share_url": None,
        "origin_url": None,
    }


def _inert(text: str) -> str:
    """What the site's layout prints raw (title, tags): ``<`` and ``>`` as character references,
    nothing else changed (``&`` stays: the title's entities are decoded before the post)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _expected_front_matter(article: dict[str, Any]) -> dict[str, Any]:
    expected: dict[str, Any] = {
        "title": _inert(article["title"] or ""),
        "categories": article["category"],
        # Jekyll splits it on spaces again
        "tags": " ".join(_inert(tag) for tag in article["tags"]),
        "archive_id": article["id"],
        "render_with_liquid": False,
    }
    for key, field in (("outlet", "source"), ("editor", "editor")):
        if article[field]:
            expected[key] = article[field]
    return expected


articles = st.builds(
    _article,
    article_id=ids,
    title=st.one_of(st.none(), awkward_text),
    category=awkward_text,
    tags=st.lists(awkward_text, max_size=4),
    source=st.one_of(st.none(), awkward_text),
    editor=st.one_of(st.none(), awkward_text),
)


#: Markup and Liquid in every field: only the title's and tags' ``<``/``>`` are changed.
MARKUP_ARTICLE = _article(
    title="<script>alert(1)</script> a<b && c>d",
    category="<i>",
    tags=["<b>x</b>", "a>b", "{{ site.title }}"],
    source="<img src=x onerror=alert(1)>",
    editor="{% raw %}<em>",
)


@PROPERTY_SETTINGS
@given(article=articles)
@example(article=MARKUP_ARTICLE)
@example(article=_article(title=None, tags=[], source=None, editor=None))
def test_front_matter_parses_back_to_the_fields(article: dict[str, Any]) -> None:
    post = render_post(article)
    front_matter = yaml.safe_load(_front_matter(post))
    assert isinstance(front_matter, dict), post[:500]
    assert front_matter["layout"] == "post"
    expected = _expected_front_matter(article)
    assert {key: front_matter.get(key) for key in expected} == expected
    assert set(front_matter) - set(expected) == {"layout", "date"}


# --- The same with Ruby's Psych, as Jekyll reads the front matter -----------------------------

PSYCH_LOAD = r"""
require "json"
require "yaml"
require "date"
documents = JSON.parse($stdin.read)
puts JSON.generate(documents.map { |text|
  begin
    data = YAML.safe_load(text, permitted_classes: [Date, Time], aliases: true)
    data.transform_values { |v| [v.class.to_s, v.to_s] }
  rescue StandardError => e
    {"error" => ["error", e.message]}
  end
})
"""


def psych_load(documents: list[str]) -> list[dict[str, list[str]]]:
    """Each YAML mapping read by Ruby's Psych as Jekyll does: ``{key: [class, to_s]}``."""
    loaded: list[dict[str, list[str]]] = ruby_over_json(PSYCH_LOAD, documents, library="psych")
    return loaded


def _collect(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """The examples Hypothesis draws from ``strategy`` (checked in one batch afterwards)."""
    drawn: list[Any] = []

    @PROPERTY_SETTINGS
    @given(strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


def _as_psych_reads(values: list[str], render: Callable[[str], str]) -> list[list[str]]:
    return [row["v"] for row in psych_load([f"v: {render(value)}\n" for value in values])]


#: Plain scalars Psych (``psych/scalar_scanner.rb``, YAML 1.1) resolves to something else than
#: a string, some of which PyYAML reads as strings: comma-grouped numbers, one-digit months and
#: days, sexagesimal numbers, radix prefixes, booleans and nulls.
PSYCH_RESOLVES = [
    "1,000", "1,000.5", "0,7", "-1,000", "2022-3-3", "2022-03-03", "2022-3-3 10:00:00",
    "1_000", "0x1F", "0b101", "017", "+1", "3.14", "1.0e+5", ".inf", "-.inf", ".nan", "12:30",
    "190:20:30", "yes", "No", "on", "OFF", "true", "null", "~",
]  # fmt: skip


def test_scalars_read_back_by_psych() -> None:
    """(a) with Jekyll's YAML parser, over the same kind of values, in one ``ruby`` call."""
    values = [*PSYCH_RESOLVES, *(v for v in _collect(awkward_text) if v)]
    for render in (scalar, double_quoted):
        read = _as_psych_reads(values, render)
        wrong = [
            (value, render(value), got)
            for value, got in zip(values, read, strict=True)
            if got != ["String", value]
        ]
        assert not wrong, wrong[:10]
    assert len(values) >= 250


def test_scalars_psych_would_resolve_are_quoted() -> None:
    """Each example is not a string to Psych when plain; ``scalar`` keeps it a string."""
    as_is = _as_psych_reads(PSYCH_RESOLVES, str)
    strings = [
        value for value, got in zip(PSYCH_RESOLVES, as_is, strict=True) if got[0] == "String"
    ]
    assert not strings, f"not resolved by Psych when plain (a bad example): {strings}"
    read = _as_psych_reads(PSYCH_RESOLVES, scalar)
    wrong = [
        (value, scalar(value), got)
        for value, got in zip(PSYCH_RESOLVES, read, strict=True)
        if got != ["String", value]
    ]
    assert not wrong, wrong


#: Fields Psych would read as numbers and dates if they were written plain.
PSYCH_ARTICLE = _article(
    article_id="2022-3-3", category="1,000", tags=["0,7"], source="1,000.5", editor="12:30"
)


def test_front_matter_read_back_by_psych() -> None:
    """(b) with Jekyll's YAML parser: the front matter of many drawn articles, in one batch."""
    drawn = [MARKUP_ARTICLE, PSYCH_ARTICLE, *_collect(articles)]
    loaded = psych_load([_front_matter(render_post(a)) for a in drawn])
    wrong = []
    for article, front_matter in zip(drawn, loaded, strict=True):
        expected = {"layout": ["String", "post"]} | {
            key: ["FalseClass", "false"] if value is False else ["String", value]
            for key, value in _expected_front_matter(article).items()
        }
        got = {key: front_matter.get(key) for key in expected}
        if (
            got != expected
            or front_matter.get("date", [""])[0] != "Time"
            or set(front_matter) != {*expected, "date"}
        ):
            wrong.append((article, front_matter))
    assert not wrong, wrong[:5]
    assert len(drawn) >= 250


# --- (c) post file paths ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> JekyllPostsWriter:
    data_dir = tmp_path_factory.mktemp("naming") / "data"
    crawler = get_crawler(settings_dict={"NEWSSPIDER_DATA_DIR": str(data_dir)})
    return JekyllPostsWriter(crawler, data_dir / "posts" / "_posts", "markdown")


def _path_or_refusal(writer: JekyllPostsWriter, article_id: str) -> Path | None:
    try:
        return writer.path_for(_article(article_id=article_id))
    except ValueError:
        return None


@PROPERTY_SETTINGS
@given(article_id=ids)
@example(article_id="../x")
@example(article_id="..")
@example(article_id="a/../../b")
@example(article_id="..\\..\\x")
@example(article_id="x\x00y")
@example(article_id="")
def test_post_path_is_refused_or_directly_in_the_posts_folder(
    writer: JekyllPostsWriter, article_id: str
) -> None:
    path = _path_or_refusal(writer, article_id)
    if path is not None:
        assert path.parent == writer.posts_dir.resolve(), path
        assert path.name == post_filename(_article(article_id=article_id))


@PROPERTY_SETTINGS
@given(article_id=ids)
@example(article_id="9" * 300)
@example(article_id="中" * 100)
@example(article_id="A" * 242)
def test_post_file_name_is_refused_or_fits_a_file_system(
    writer: JekyllPostsWriter, article_id: str
) -> None:
    path = _path_or_refusal(writer, article_id)
    if path is not None:
        assert len(path.name.encode("utf-8")) <= NAME_MAX, path.name


# "2026-01-01-" + id + ".md": 14 bytes around the id.
@pytest.mark.parametrize(
    ("article_id", "fits"),
    [("A" * 241, True), ("A" * 242, False), ("中" * 80, True), ("中" * 81, False)],
    ids=["255-bytes", "256-bytes", "254-bytes-cjk", "257-bytes-cjk"],
)
def test_post_file_name_limit_is_255_bytes(
    writer: JekyllPostsWriter, article_id: str, fits: bool
) -> None:
    """The limit of the property above, exactly: up to 255 bytes of UTF-8 is a path."""
    path = _path_or_refusal(writer, article_id)
    assert (path is not None) == fits, article_id
    if path is not None:
        assert len(path.name.encode("utf-8")) <= NAME_MAX


_CONTROL_RE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029]")


def _validate_accepts(article_id: str) -> bool:
    """Whether the validate pipeline (``why_unarchivable``) archives an article with this id."""
    item = ArticleItem(
        id=article_id,
        url="https://finews.withounder.com/ceshi/2026/01/01/x.html",
        title="标题",
        published_at=PUBLISHED_AT,
    )
    return why_unarchivable(item) is None


#: What the validate pipeline accepts, drawn from its own pattern: Hypothesis also draws ids
#: with a trailing newline there (``$`` allows one), which the pipeline must refuse.
validated_ids = st.from_regex(_SAFE_ID_RE).filter(_validate_accepts)


@PROPERTY_SETTINGS
@given(article_id=validated_ids)
@example(article_id="A" * 200)
@example(article_id="NW202601013012845671")
@example(article_id="a..")
@example(article_id="a.md")
def test_ids_the_validate_pipeline_accepts_give_good_paths(
    writer: JekyllPostsWriter, article_id: str
) -> None:
    """No ``ValueError``; directly in the posts folder; short enough; no control character;
    and a name Jekyll reads as a post (``Document::DATE_FILENAME_MATCHER``), the id its slug."""
    assert _validate_accepts(article_id)
    path = writer.path_for(_article(article_id=article_id))
    assert path.parent == writer.posts_dir.resolve()
    assert len(path.name.encode("utf-8")) <= NAME_MAX
    assert not _CONTROL_RE.search(path.name), path.name
    match = re.fullmatch(r"(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)", path.name)
    assert match is not None and match.groups() == ("2026-01-01", article_id, ".md"), path.name


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "\x00", " "])
def test_validate_refuses_an_id_with_a_trailing_control_character(ending: str) -> None:
    """An id from a post URL ending in ``%0A.html`` (``parse_post_path`` unquotes it) would
    otherwise give a post file name with a newline in it."""
    assert _validate_accepts("NW202601013012845671")
    assert not _validate_accepts("NW202601013012845671" + ending), repr(ending)
