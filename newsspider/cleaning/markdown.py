"""Sanitized article HTML to Markdown for kramdown (the converter Jekyll uses).

The renderer walks the lxml tree :func:`~newsspider.cleaning.body.clean_body` already holds
and writes what markdownify 1.2 wrote before (ATX headings, ``-`` bullets, ``**``/``*``,
two-space line breaks, pipe tables with an empty header row), with kramdown's escaping on
top. It is written here rather than taken from a library because none gave that output
cheaply (CPU per body, median over the 2,000 bodies of the benchmark site, best of 5):

* markdownify 1.2 (a BeautifulSoup tree built from the string): 1.36 ms;
* html-to-markdown 3.19 (Rust): 0.17 ms for the string alone, but it escapes for
  CommonMark (``\\&``, ``1\\.5``), not kramdown (no escaped quotes, ``...`` or ``$``),
  writes tables without the empty header row, and ignores a visitor's text; 2,086 of
  2,247 bodies came out different;
* this walk: 0.08 ms, over the tree :func:`~newsspider.cleaning.sanitize.parse_sanitized`
  builds (0.04 ms) and the plain text, images and highlights are read from too.

It covers the tags :data:`~newsspider.cleaning.sanitize.ALLOWED_TAGS` lets through;
any other element is rendered as its content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from lxml import etree

from newsspider.cleaning.sanitize import parse_sanitized
from newsspider.cleaning.text import PlainText
from newsspider.cleaning.widgets import unwrap

# --- Escaping text for kramdown -------------------------------------------------------------

# Characters kramdown (or Markdown in general) reads as markup anywhere in a line, those its
# typographic conversions (smart quotes) or maths (``$$``) would change, and the braces of
# its extensions and attribute lists (``{::nomarkdown}`` passes raw HTML through).
_CHARACTERS_RE = re.compile(r"([]\\&<`[>~=+|*_\"'${}])")
# A ``-`` run between spaces (a list marker, a setext underline), ``#`` runs (a heading),
# ``1.``/``1)`` (an ordered list item): escaped where they could start a block. The space
# after them is looked at, not taken: it may be the newline before the next such line.
_DASH_SEQUENCE_RE = re.compile(r"(\s|^)(-+)(?=\s|$)")
_HASHES_RE = re.compile(r"(\s|^)(#{1,6})(?=\s|$)")
_LIST_ITEM_RE = re.compile(r"((?:\s|^)[0-9]+)([.)])(?=\s|$)")  # kramdown: any number of digits
# ``: text`` after a paragraph makes a definition list; a line of just ``^`` ends a block and
# is dropped (kramdown has no ``\^`` escape: the character reference shows it).
_COLON_RE = re.compile(r"(\s|^)(:)(?=\s|$)")
_CARET_LINE_RE = re.compile(r"(?m)^([ \t]*)\^([ \t]*)$")
# The patterns above start with an alternation, which the regex engine tries at every
# position: these hints, which start with one character, tell cheaply when they cannot
# match (the engine finds a single first character fast, a set of them one by one).
_DASH_HINT_RE = re.compile(r"-(?:\s|$)")
_HASH_HINT_RE = re.compile(r"#(?:\s|$)")
_DOT_ITEM_HINT_RE = re.compile(r"\.(?<=[0-9]\.)(?:\s|$)")
_PARENTHESIS_ITEM_HINT_RE = re.compile(r"\)(?<=[0-9]\))(?:\s|$)")
# kramdown has no ``\&`` escape: a bare ``&`` stays text unless it starts an entity.
_ESCAPED_AMPERSAND_RE = re.compile(r"\\&(?=(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
# kramdown's typographic ``--`` dashes and ``...`` would change the article's characters.
_DASH_RUN_RE = re.compile(r"(?:\\?-){2,}")
_DOT_RUN_RE = re.compile(r"(?:\\?\.){3,}")


def _unescaped_ampersand(match: re.Match[str]) -> str:
    return "&amp;" if match.group(1) else "&"


def _escaped_dashes(match: re.Match[str]) -> str:
    return "\\-" * match.group().count("-")


def _escaped_dots(match: re.Match[str]) -> str:
    return "\\." * match.group().count(".")


def escape(text: str) -> str:
    """Text made literal for kramdown: ``< > # [ ] * _ \\`` and the rest backslash-escaped,
    so article text such as ``精度满足<1%`` never turns into markup when the post is rebuilt.

    The block-start rules only look at whitespace, ``-``, ``#``, digits, ``.`` and ``)``,
    which the character escapes neither add nor move, so those can all go first, in one pass.
    Each later rule runs only when a substring it needs is there.
    """
    if _CHARACTERS_RE.search(text):
        text = _CHARACTERS_RE.sub(r"\\\1", text)
    if "-" in text and _DASH_HINT_RE.search(text):
        text = _DASH_SEQUENCE_RE.sub(r"\1\\\2", text)
    if "#" in text and _HASH_HINT_RE.search(text):
        text = _HASHES_RE.sub(r"\1\\\2", text)
    if ("." in text and _DOT_ITEM_HINT_RE.search(text)) or (
        ")" in text and _PARENTHESIS_ITEM_HINT_RE.search(text)
    ):
        text = _LIST_ITEM_RE.sub(r"\1\\\2", text)
    if "\\&" in text:
        text = _ESCAPED_AMPERSAND_RE.sub(_unescaped_ampersand, text)
    if "--" in text or "-\\-" in text:
        text = _DASH_RUN_RE.sub(_escaped_dashes, text)
    if ".." in text or ".\\." in text:
        text = _DOT_RUN_RE.sub(_escaped_dots, text)
    if ":" in text:
        text = _COLON_RE.sub(r"\1\\\2", text)
    if "^" in text:
        text = _CARET_LINE_RE.sub(r"\1&#94;\2", text)
    return text


# What may stay as is in a link destination; the rest is percent-encoded, so that nothing in
# a URL (``)``, ``<``, ``"``, spaces) can end the destination and start markup.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
_ALT_RE = re.compile(r"[\\\[\]]")


def safe_destination(url: str) -> str:
    return quote(url.strip(), safe=_URL_SAFE)


# --- The walk --------------------------------------------------------------------------------

# What a node's ancestors make of it (markdownify's ``parent_tags``), as bits.
_PRE = 1  # text keeps its whitespace and newlines are not collapsed
_NOFORMAT = 2  # inside ``pre``/``code``: no escaping, no inline markup
_INLINE = 4  # inside a heading or table cell: blocks flattened onto one line
_IN_LIST_ITEM = 8

_HEADING_RE = re.compile(r"h(\d+)")
_BLOCKS = frozenset(
    {
        "p", "blockquote", "article", "div", "section", "ol", "ul", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    }
)  # fmt: skip
_NEWLINE_SPACE_RE = re.compile(r"[\t \r\n]*[\r\n][\t \r\n]*")
_SPACE_RUN_RE = re.compile(r"[\t ]+")
_ALL_SPACE_RE = re.compile(r"[\t \r\n]+")
_BACKTICKS_RE = re.compile(r"`+")
_PRE_LEADING_RE = re.compile(r"^[ \n]*\n")
_PRE_TRAILING_RE = re.compile(r"[ \n]*$")
_LINE_BACKTICKS_RE = re.compile(r"(?m)^[ \t]*(`{3,})")


Converter = Callable[[Any, str, int], str]


class _Tag:
    """What the walk needs to know of a tag name, worked out once per name."""

    __slots__ = ("block", "child_flags", "convert", "spaced")

    def __init__(self, tag: str) -> None:
        heading = _HEADING_RE.match(tag) is not None
        # Whitespace inside a block, at its edges, is layout; around a block (or ``pre``) too.
        self.block = tag in _BLOCKS or heading
        self.spaced = self.block or tag == "pre"
        self.child_flags = _CHILD_FLAGS.get(tag, _INLINE if heading else 0)
        self.convert: Converter | None = _CONVERTERS.get(tag)
        if heading:
            self.convert = _convert_heading


_CHILD_FLAGS = {"pre": _PRE | _NOFORMAT, "code": _NOFORMAT, "td": _INLINE, "th": _INLINE}
_CHILD_FLAGS["li"] = _IN_LIST_ITEM
_TAGS: dict[Any, _Tag] = {}


def _tag(name: Any) -> _Tag:
    known = _TAGS.get(name)
    if known is None:
        known = _TAGS[name] = _Tag(name)
    return known


def _text(text: str, flags: int, left_trim: bool, right_trim: bool) -> str:
    if not flags & _PRE:
        if "\n" in text or "\r" in text:
            text = _NEWLINE_SPACE_RE.sub("\n", text)
        if "  " in text or "\t" in text:
            text = _SPACE_RUN_RE.sub(" ", text)
    if not flags & _NOFORMAT:
        text = escape(text)
    if left_trim:
        text = text.lstrip(" \t\r\n")
    if right_trim:
        text = text.rstrip()
    return text


def _collapse(strings: list[str]) -> str:
    """Join rendered children, the newlines where two meet counted once (two at most)."""
    parts: list[str] = []
    trailing = 0
    for string in strings:
        if string[0] == "\n":
            content = string.lstrip("\n")
            leading = len(string) - len(content)
            if trailing:
                leading = 2 if trailing > 1 or leading > 1 else 1
            parts.append("\n" * leading)
        elif trailing:
            parts.append("\n" * trailing)
            content = string
        else:
            content = string
        if content and content[-1] == "\n":
            string = content.rstrip("\n")
            trailing = len(content) - len(string)
            content = string
        else:
            trailing = 0
        parts.append(content)
    if trailing:
        parts.append("\n" * trailing)
    return "".join(parts)


def _render_children(element: Any, flags: int, block: bool, plain: PlainText) -> str:
    """The texts and elements in ``element`` (``flags`` theirs), as BeautifulSoup would see
    them: whitespace-only text at the edge of a block, or beside one, is dropped, and text
    is trimmed where it meets a block. ``plain`` is told about each on the way."""
    text = element.text
    plain.data(text)
    if not len(element):
        if not text or (block and not text.strip()):
            return ""
        return _text(text, flags, block, block)
    children = list(element)
    infos = [_TAGS.get(child.tag) or _tag(child.tag) for child in children]
    strings: list[str] = []
    if text and (text.strip() or not (block or infos[0].spaced)):
        strings.append(_text(text, flags, block, infos[0].spaced))
    last = len(children) - 1
    for index, child in enumerate(children):
        info = infos[index]
        if info is not _SKIPPED:
            rendered = _render(child, info, flags, plain)
            if rendered:
                strings.append(rendered)
        tail = child.tail
        plain.data(tail)
        if tail:
            after_block = info.spaced
            before_block = infos[index + 1].spaced if index < last else block
            if tail.strip() or not (after_block or before_block):
                strings.append(_text(tail, flags, after_block, before_block))
    if flags & _PRE:
        return "".join(strings)
    return strings[0] if len(strings) == 1 else _collapse([s for s in strings if s])


def _render(element: Any, info: _Tag, flags: int, plain: PlainText) -> str:
    """``element`` as Markdown; ``flags`` are those its ancestors give it."""
    tag = element.tag
    plain.start(tag)
    rendered = _render_children(element, flags | info.child_flags, info.block, plain)
    plain.end(tag)
    return rendered if info.convert is None else info.convert(element, rendered, flags)


# --- One converter per tag: (element, rendered content, ancestors' flags) -> Markdown ----------


def _chomp(text: str) -> tuple[str, str, str]:
    """Spaces at the edges of inline markup moved outside it (``** x**`` is not bold)."""
    prefix = " " if text and text[0] == " " else ""
    suffix = " " if text and text[-1] == " " else ""
    return prefix, suffix, text.strip()


def _inline(markup: str) -> Callable[[Any, str, int], str]:
    def convert(element: Any, text: str, flags: int) -> str:
        if flags & _NOFORMAT:
            return text
        prefix, suffix, text = _chomp(text)
        return f"{prefix}{markup}{text}{markup}{suffix}" if text else ""

    return convert


def _convert_a(element: Any, text: str, flags: int) -> str:
    if flags & _NOFORMAT:
        return text
    prefix, suffix, text = _chomp(text)
    if not text:
        return ""
    href = element.get("href")
    if href:
        href = safe_destination(href)
    # An autolink only for a web URL: kramdown reads ``<word>`` as an HTML tag.
    if text.replace(r"\_", "_") == href and href.startswith(("http://", "https://")):
        return f"<{href}>"
    # No link title: it is one more string that could close the link.
    return f"{prefix}[{text}]({href}){suffix}" if href else text


def _convert_blockquote(element: Any, text: str, flags: int) -> str:
    text = text.strip(" \t\r\n")
    if flags & _INLINE:
        return f" {text} "
    if not text:
        return "\n"
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
    return f"\n{quoted}\n\n"


def _convert_br(element: Any, text: str, flags: int) -> str:
    if flags & _INLINE:
        return text + " " if text else " "
    return "  \n" + text


def _convert_code(element: Any, text: str, flags: int) -> str:
    if flags & _NOFORMAT:
        return text
    prefix, suffix, text = _chomp(text)
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if longest:
        text = f" {text} "
    return f"{prefix}{fence}{text}{fence}{suffix}"


def _convert_div(element: Any, text: str, flags: int) -> str:
    if flags & _INLINE:
        return f" {text.strip()} "
    text = text.strip()
    return f"\n\n{text}\n\n" if text else ""


def _convert_heading(element: Any, text: str, flags: int) -> str:
    if flags & _INLINE:
        return text
    match = _HEADING_RE.match(element.tag)
    level = max(1, min(6, int(match.group(1)))) if match else 1
    text = _ALL_SPACE_RE.sub(" ", text.strip())
    return f"\n\n{'#' * level} {text}\n\n"


def _convert_hr(element: Any, text: str, flags: int) -> str:
    return "\n\n---\n\n"


def _convert_img(element: Any, text: str, flags: int) -> str:
    alt = element.get("alt") or ""
    if alt:
        alt = _ALT_RE.sub(lambda m: "\\" + m.group(), alt).replace("\n", " ")
    src = element.get("src") or ""
    if flags & _INLINE and not src:
        return alt
    return f"![{alt}]({safe_destination(src) if src else ''})"


def _next_content_sibling(element: Any) -> Any:
    """The next sibling element, or the text after ``element`` if it is not blank."""
    node = element
    while node is not None:
        if node.tail and node.tail.strip():
            return node.tail
        node = node.getnext()
        if node is not None and isinstance(node.tag, str):
            return node
    return None


def _convert_list(element: Any, text: str, flags: int) -> str:
    following = _next_content_sibling(element)
    before_paragraph = following is not None and (
        isinstance(following, str) or following.tag not in ("ul", "ol")
    )
    if flags & _IN_LIST_ITEM:
        return "\n" + text.rstrip()
    return "\n\n" + text + ("\n" if before_paragraph else "")


def _list_item_bullet(element: Any) -> str:
    parent = element.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    start = parent.get("start")
    first = int(start) if start and start.isdecimal() else 1
    number = first + sum(1 for sibling in element.itersiblings("li", preceding=True))
    return f"{number}. "


def _convert_li(element: Any, text: str, flags: int) -> str:
    text = text.strip()
    if not text:
        return "\n"
    bullet = _list_item_bullet(element)
    indent = " " * len(bullet)
    lines = text.split("\n")
    rest = "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])
    return f"{bullet}{lines[0]}{rest}\n"


def _convert_p(element: Any, text: str, flags: int) -> str:
    if flags & _INLINE:
        return " " + text.strip(" \t\r\n") + " "
    text = text.strip(" \t\r\n")
    return f"\n\n{text}\n\n" if text else ""


def _convert_pre(element: Any, text: str, flags: int) -> str:
    if not text:
        return ""
    text = _PRE_TRAILING_RE.sub("", _PRE_LEADING_RE.sub("", text))
    # The fence is longer than any backtick run opening a line of the text, which would close it.
    longest = max((len(run) for run in _LINE_BACKTICKS_RE.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"\n\n{fence}\n{text}\n{fence}\n\n"


def _convert_table(element: Any, text: str, flags: int) -> str:
    return "\n\n" + text.strip() + "\n\n"


def _convert_caption(element: Any, text: str, flags: int) -> str:
    return text.strip() + "\n\n"


def _colspan(cell: Any) -> int:
    value = cell.get("colspan")
    return max(1, min(1000, int(value))) if value and value.isdecimal() else 1


def _convert_cell(element: Any, text: str, flags: int) -> str:
    return " " + text.strip().replace("\n", " ") + " |" * _colspan(element)


def _previous_element(element: Any) -> Any:
    return next((e for e in element.itersiblings(preceding=True) if isinstance(e.tag, str)), None)


def _convert_tr(element: Any, text: str, flags: int) -> str:
    cells = list(element.iterdescendants("td", "th"))
    parent = element.getparent()
    first_row = _previous_element(element) is None
    head_row = all(cell.tag == "th" for cell in cells) or (
        parent.tag == "thead" and sum(1 for _ in parent.iterdescendants("tr")) == 1
    )
    width = sum(_colspan(cell) for cell in cells)
    rule = "| " + " | ".join(["---"] * width) + " |\n"
    if head_row and first_row:
        return f"|{text}\n{rule}"
    grandparent = parent.getparent()
    head_row_missing = first_row and (
        parent.tag != "tbody"
        or grandparent is None
        or next(grandparent.iterdescendants("thead"), None) is None
    )
    if head_row_missing or (
        first_row
        and (parent.tag == "table" or (parent.tag == "tbody" and _previous_element(parent) is None))
    ):
        empty_head = "| " + " | ".join([""] * width) + " |\n"
        return f"{empty_head}{rule}|{text}\n"
    return f"|{text}\n"


_CONVERTERS: dict[str, Converter] = {
    "a": _convert_a,
    "b": _inline("**"),
    "strong": _inline("**"),
    "em": _inline("*"),
    "i": _inline("*"),
    "del": _inline("~~"),
    "s": _inline("~~"),
    "sub": _inline(""),
    "sup": _inline(""),
    "blockquote": _convert_blockquote,
    "br": _convert_br,
    "code": _convert_code,
    "div": _convert_div,
    "article": _convert_div,
    "section": _convert_div,
    "hr": _convert_hr,
    "img": _convert_img,
    "ul": _convert_list,
    "ol": _convert_list,
    "li": _convert_li,
    "p": _convert_p,
    "pre": _convert_pre,
    "table": _convert_table,
    "caption": _convert_caption,
    "td": _convert_cell,
    "th": _convert_cell,
    "tr": _convert_tr,
}


# Comments and processing instructions: neither text nor markup.
_SKIPPED = _TAGS[etree.Comment] = _TAGS[etree.ProcessingInstruction] = _TAGS[etree.Entity] = _Tag(
    ""
)


# Inline markup whose delimiters kramdown cannot nest or butt together: ``****一、****``
# (strong in strong) and ``*a**b*`` (em beside em) show stray asterisks.
_EMPHASIS_GROUPS = {
    "b": "strong",
    "strong": "strong",
    "i": "em",
    "em": "em",
    "del": "del",
    "s": "del",
}
_EMPHASIS = tuple(_EMPHASIS_GROUPS)
#: Each emphasis tag with the tags of its group (``b`` → ``b``, ``strong``).
_SAME_EMPHASIS = {
    tag: tuple(other for other, group in _EMPHASIS_GROUPS.items() if group == own)
    for tag, own in _EMPHASIS_GROUPS.items()
}


def merge_emphasis(root: Any) -> None:
    """Unwrap emphasis inside the same emphasis, and join runs of it with nothing between.

    Editors write ``<strong><span><strong>一、</strong></span></strong>`` and
    ``<strong>一、</strong><strong>总体要求</strong>``; the text is the same after this, only
    the markup that Markdown cannot write goes.
    """
    for element in list(root.iter(*_EMPHASIS)):
        if element.getparent() is None:
            continue  # joined into the run before it
        group = _SAME_EMPHASIS[element.tag]
        if next(element.iterancestors(*group), None) is not None:
            unwrap(element)
            continue
        following = element.getnext()
        while following is not None and not element.tail and following.tag in group:
            _join(element, following)
            following = element.getnext()


def _join(element: Any, following: Any) -> None:
    """Move ``following``'s content to the end of ``element``, then remove it."""
    if following.text:
        if len(element):
            element[-1].tail = (element[-1].tail or "") + following.text
        else:
            element.text = (element.text or "") + following.text
    element.extend(list(following))
    element.tail = following.tail
    following.getparent().remove(following)


def markdown_from_element(root: Any, plain: PlainText | None = None) -> str:
    """The content of ``root`` (a fragment's wrapper, not rendered itself) as Markdown.

    ``plain``, if given, is told about the tree as the walk goes (see :class:`PlainText`).
    The tree's emphasis is merged first (:func:`merge_emphasis`: its text does not change).
    """
    merge_emphasis(root)
    if plain is None:
        plain = PlainText()
    tag = root.tag if isinstance(root.tag, str) else ""
    plain.start(tag)
    markdown = _render_children(root, 0, False, plain).strip()
    plain.end(tag)
    return markdown


def html_to_markdown(html: str) -> str:
    """Sanitized HTML (what :func:`~newsspider.cleaning.sanitize.sanitize` returns) as Markdown."""
    return markdown_from_element(parse_sanitized(html))
