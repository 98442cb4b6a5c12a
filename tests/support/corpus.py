"""Reading real corpus post files independently of the project's code: the expected side
of the round-trip tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml
from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

BEIJING = timezone(timedelta(hours=8))
_SOURCE_LINK_LINE_RE = re.compile(r"^<[^<>\s]*>$")
_BACK_LINK_LINE_RE = re.compile(r"^\[返回[^\]]*\]\([^)]*\)")


@dataclass(frozen=True)
class SourcePost:
    path: Path
    id: str
    title: str
    shown_time: datetime | None  # what Jekyll shows, Beijing time
    categories: str
    tags: list[str]
    body: str


def read_post(path: Path) -> SourcePost | None:
    """A post file, or ``None`` when Jekyll would not see its front matter."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    name = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)
    return SourcePost(
        path=path,
        id=name,
        title=" ".join(str(meta.get("title") or "").split()),
        shown_time=_shown_time(meta.get("date")),
        categories=str(meta.get("categories") or ""),
        tags=str(meta.get("tags") or "").split(),
        body=body,
    )


def _shown_time(value: object) -> datetime | None:
    """Jekyll's reading of the date: YAML timestamps without offset are UTC."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(BEIJING)
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z").astimezone(BEIJING)
        except ValueError:
            return None
    return None


def _drop(element: HtmlElement) -> None:
    if element.getparent() is not None:
        element.drop_tree()


def visible_text(html_fragment: str) -> str:
    """Visible article text of an HTML fragment, without widgets' empty spans, chart blocks
    and hidden elements."""
    root = fragment_fromstring(html_fragment, create_parent="div")
    for comment in list(root.iter(etree.Comment)):
        if "EM_StockImg_Start" in (comment.text or ""):
            node = comment.getnext()
            while node is not None and "EM_StockImg_End" not in str(node.text or ""):
                following = node.getnext()
                _drop(node)
                node = following
    for element in root.xpath("//*[contains(translate(@style, ' ', ''), 'display:none')]"):
        _drop(element)
    for comment in list(root.iter(etree.Comment)):
        _drop(comment)
    return root.text_content()


def source_visible_text(post: SourcePost) -> str:
    """What a reader sees of the source body: the source link and back links excluded."""
    lines = []
    for line in post.body.splitlines():
        stripped = line.strip()
        if _SOURCE_LINK_LINE_RE.match(stripped) or _BACK_LINK_LINE_RE.match(stripped):
            continue
        lines.append(re.sub(r"^>\s?", "", stripped))
    return visible_text("\n".join(lines))


def squash(text: str) -> str:
    """Whitespace-normalised for comparison: all whitespace removed."""
    return "".join(text.split())
