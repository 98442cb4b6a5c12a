"""Parser of a Jekyll post file of the site's repository (``_posts/`` or ``old_post/``).

It reads the file as Jekyll would: YAML front matter between ``---`` lines at the very start,
then a body of HTML blocks and light Markdown, rendered here with markdown-it (CommonMark,
HTML allowed, GFM tables and strike-through, link targets with spaces as kramdown reads them)
into the HTML a post page would show. (One difference is left: CommonMark does not close
``**`` between CJK punctuation and a letter, ``**讯：**近日``, where kramdown does.) Dates
follow Jekyll's reading: a date with an offset is kept; one without is a UTC timestamp to
YAML, shown 8 hours later in Beijing time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import yaml
from lxml.html import fragment_fromstring
from markdown_it import MarkdownIt

from newsspider.dates import BEIJING
from newsspider.pages.navigation import trailing_navigation

_FILE_NAME_RE = re.compile(
    r"^(?:(?P<date>\d{4}-\d{1,2}-\d{1,2})-)?-?(?P<name>.+?)\.(?:md|markdown|html)$"
)
_OFFSET_DATE_RE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)\s*([+-]\d{2}:?\d{2})\s*$"
)


# ``](target with spaces)`` on a Markdown line (not an HTML one): kramdown keeps the spaces
# in a link target (the back link of a category such as ``21shijijingjibaodao 21caijingAPP``),
# CommonMark ends the link at the first one unless the target is written ``<…>``. A target
# with quotes may carry a title, and is left alone.
_SPACED_DESTINATION_RE = re.compile(r"\]\(([^()<>\s\"']*(?: [^()<>\s\"']*)+)\)")


def _bracketed_spaced_destinations(body: str) -> str:
    if "](" not in body:
        return body
    return "\n".join(
        line if line.lstrip().startswith("<") else _SPACED_DESTINATION_RE.sub(r"](<\1>)", line)
        for line in body.split("\n")
    )


class PostFileError(ValueError):
    """The file cannot be read as a post at all."""


@dataclass(frozen=True, slots=True)
class PostFile:
    name: str  # the file name without date prefix and extension: the post's id
    name_date: date | None  # the date prefix of the file name (None: Jekyll does not publish it)
    title: str
    shown_time: datetime | None  # what the site shows, Beijing time
    categories: str | None
    tags: list[str]
    body_html: str
    source_link: str | None = None
    back_links: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why Jekyll would not show it as is


class PostFileV1:
    """Post files as the site's generator wrote them (2021-12 to 2022)."""

    # GFM's tables and strike-through, as kramdown reads them in Jekyll (its input is GFM).
    _markdown: ClassVar[MarkdownIt] = MarkdownIt("commonmark", {"html": True}).enable(
        ["table", "strikethrough"]
    )

    def parse(self, file_name: str, text: str) -> PostFile:
        match = _FILE_NAME_RE.match(file_name)
        if match is None:
            raise PostFileError(f"{file_name!r} is not a post file name")
        problems: list[str] = []
        name_date = self._date_of_name(match["date"], problems, file_name)
        front, body = self._split(text, problems)
        meta = self._front_matter(front, problems)
        body_html = self._markdown.render(_bracketed_spaced_destinations(body))
        blocks = list(fragment_fromstring(body_html or "<p></p>", create_parent="div"))
        source_link, back_links, _ = trailing_navigation(blocks)
        return PostFile(
            name=match["name"],
            name_date=name_date,
            title=" ".join(str(meta.get("title") or "").split()),
            shown_time=self._shown_time(meta.get("date"), problems),
            categories=str(meta["categories"]).strip() if meta.get("categories") else None,
            tags=str(meta.get("tags") or "").split(),
            body_html=body_html.strip(),
            source_link=source_link,
            back_links=back_links,
            problems=problems,
        )

    def _date_of_name(self, value: str | None, problems: list[str], file_name: str) -> date | None:
        if value is None:
            problems.append(
                f"file name {file_name!r} has no date prefix (Jekyll does not publish it)"
            )
            return None
        try:
            return date.fromisoformat("-".join(part.zfill(2) for part in value.split("-")))
        except ValueError:
            problems.append(f"file name date {value!r} is not a date")
            return None

    def _split(self, text: str, problems: list[str]) -> tuple[str, str]:
        text = text.removeprefix("\ufeff")
        if not text.startswith("---"):
            stripped = text.lstrip()
            if stripped.startswith("---"):
                problems.append("blank lines before the front matter (Jekyll does not see it)")
                text = stripped
            else:
                problems.append("no front matter")
                return "", text
        parts = text.split("\n---", 1)
        if len(parts) != 2:
            problems.append("the front matter is not closed by '---'")
            return "", text
        front = parts[0].removeprefix("---")
        body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
        return front, body

    def _front_matter(self, front: str, problems: list[str]) -> dict[str, Any]:
        if not front.strip():
            return {}
        try:
            meta = yaml.safe_load(front)
        except yaml.YAMLError as error:
            problems.append(f"front matter is not valid YAML: {str(error).splitlines()[0]}")
            return {}
        if not isinstance(meta, dict):
            problems.append("front matter is not a mapping")
            return {}
        return meta

    def _shown_time(self, value: Any, problems: list[str]) -> datetime | None:
        if isinstance(value, datetime):
            # YAML reads an offset-less timestamp as UTC; the site shows it in Beijing time.
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.astimezone(BEIJING)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=BEIJING)
        if isinstance(value, str):
            match = _OFFSET_DATE_RE.match(value)
            if match:
                try:
                    offset = match[2] if ":" in match[2] else f"{match[2][:3]}:{match[2][3:]}"
                    moment = datetime.fromisoformat(f"{match[1].replace(' ', 'T')}{offset}")
                    return moment.astimezone(BEIJING)
                except ValueError:
                    pass
        problems.append(f"front matter date {value!r} is not a date")
        return None
