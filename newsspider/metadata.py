"""Metadata read from article text: the outlet line, the editor line, the kind of source link."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

TAG_SUFFIX = "新闻"
# ``（文章来源：天津日报）`` (half- or full-width brackets and colon).
# The name may hold brackets of its own: ``（文章来源：安信国际证券(香港)）``.
_OUTLET_RE = re.compile(
    r"[（(]\s*文章来源\s*[：:]\s*((?:[^（）()\n]|[（(][^（）()\n]*[）)])+?)\s*[）)]"
)
# ``（责任编辑：张三）``, ``(津云新闻编辑张晶晶)``, ``（编辑 王五）`` at the end of a paragraph.
_EDITOR_RE = re.compile(
    r"[（(][^（）()\n]{0,20}?编辑\s*[：:]?\s*"
    r"([\u3400-\u9fff·•]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})\s*[）)]"
    r"(?=[ \t\u3000]*(?:\n|$))"  # the end of its paragraph: inside one, it names someone else
)


def outlet_from_text(text: str) -> str | None:
    matches = _OUTLET_RE.findall(text)
    return matches[-1].strip() if matches else None


def outlet_from_tags(tags: list[str]) -> str | None:
    """The display tag without its trailing ``新闻`` (``天津日报新闻`` → ``天津日报``)."""
    if not tags:
        return None
    # Jekyll splits a multi-word tag; the outlet's words are all but the ``…新闻`` ending.
    joined = " ".join(tags)
    return joined.removesuffix(TAG_SUFFIX).strip() or None


def editor_from_text(text: str) -> str | None:
    matches = _EDITOR_RE.findall(text)
    return matches[-1].strip() if matches else None


def is_share_link(url: str) -> bool:
    """A link to an outlet's share page (``…/html_News/NewsShare.html?infoCode=NW…``)."""
    parts = urlsplit(url)
    return parts.path.endswith("NewsShare.html") or "infoCode" in parse_qs(parts.query)
