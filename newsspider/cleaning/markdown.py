"""HTML to Markdown with markdownify, tuned for kramdown (the converter Jekyll uses)."""

from __future__ import annotations

from markdownify import MarkdownConverter

# ``escape_misc`` backslash-escapes ``< > # [ ] …`` in text, which kramdown honours, so
# article text such as ``精度满足<1%`` never turns into markup when the post is rebuilt.
_CONVERTER = MarkdownConverter(
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
