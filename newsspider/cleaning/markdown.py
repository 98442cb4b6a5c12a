"""HTML to Markdown with markdownify, tuned for kramdown (the converter Jekyll uses)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from markdownify import MarkdownConverter

# kramdown has no ``\&`` escape: a bare ``&`` stays text unless it starts an entity.
_ESCAPED_AMPERSAND_RE = re.compile(r"\\&(?=(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
# kramdown's typographic conversions (smart quotes, ``--`` dashes, ``...``) would change the
# article's characters; escaping them keeps the text as written.
_QUOTES_RE = re.compile(r"[\"']")
_DASH_RUN_RE = re.compile(r"(?:\\?-){2,}")
_DOT_RUN_RE = re.compile(r"(?:\\?\.){3,}")
# ``$$`` opens kramdown's maths.
_DOLLARS_RE = re.compile(r"\$")


# What may stay as is in a link destination; the rest is percent-encoded, so that nothing in
# a URL (``)``, ``<``, ``"``, spaces) can end the destination and start markup.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
_ALT_RE = re.compile(r"[\\\[\]]")


def safe_destination(url: str) -> str:
    return quote(url.strip(), safe=_URL_SAFE)


class KramdownConverter(MarkdownConverter):
    """``escape_misc`` backslash-escapes ``< > # [ ] …`` in text, which kramdown honours, so
    article text such as ``精度满足<1%`` never turns into markup when the post is rebuilt."""

    def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
        if el.get("href"):
            el["href"] = safe_destination(el["href"])
        if el.get("title") is not None:
            del el["title"]  # a title is one more string that could close the link
        converted: str = super().convert_a(el, text, parent_tags)  # type: ignore[misc]
        return converted

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        if el.get("src"):
            el["src"] = safe_destination(el["src"])
        if el.get("alt"):
            el["alt"] = _ALT_RE.sub(lambda m: "\\" + m.group(), el["alt"]).replace("\n", " ")
        if el.get("title") is not None:
            del el["title"]
        converted: str = super().convert_img(el, text, parent_tags)  # type: ignore[misc]
        return converted

    def escape(self, text: str, parent_tags: Any) -> str:
        escaped: str = super().escape(text, parent_tags)  # type: ignore[misc]
        escaped = _ESCAPED_AMPERSAND_RE.sub(lambda m: "&amp;" if m.group(1) else "&", escaped)
        escaped = _QUOTES_RE.sub(r"\\\g<0>", escaped)
        escaped = _DASH_RUN_RE.sub(lambda m: "\\-" * m.group().count("-"), escaped)
        escaped = _DOT_RUN_RE.sub(lambda m: "\\." * m.group().count("."), escaped)
        return _DOLLARS_RE.sub(r"\\$", escaped)


_CONVERTER = KramdownConverter(
    heading_style="ATX",
    bullets="-",
    escape_misc=True,
    escape_asterisks=True,
    escape_underscores=True,
    newline_style="spaces",
    strip_document="strip",
)


def html_to_markdown(html: str) -> str:
    return _CONVERTER.convert(html).strip()


def escape_text(text: str) -> str:
    """Plain text made literal for kramdown (link texts written outside the converter)."""
    return _CONVERTER.escape(text, set()).replace("{", "\\{").replace("}", "\\}")
