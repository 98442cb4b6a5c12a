"""YAML scalars for front matter that any YAML 1.1 parser (Jekyll's Psych, PyYAML) reads back.

Values are written plain when that is unambiguous, else double-quoted with every character
that YAML forbids or could misread escaped. Hand-rolled because ``yaml.safe_dump`` cannot
keep the site's own layout (``title: "…"``, plain ``categories:``) while staying safe.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

# Plain scalars: nothing YAML could take for syntax, and a letter where Jekyll's YAML (Psych,
# YAML 1.1) could otherwise read a number or a date ("1,000", "2022-3-3", "0x1F").
_PLAIN_RE = re.compile(r"^[A-Za-z0-9\u3400-\u9fff][^:#,\[\]{}&*!|>'\"%@`\n\r\t]*$")
_LETTER_RE = re.compile(r"[A-Za-z\u3400-\u9fff]")
_RADIX_RE = re.compile(r"^[-+]?0[xXbBoO]")
_NEEDS_ESCAPE_RE = re.compile(
    '[\\x00-\\x1f\\x7f-\\x9f"\\\\\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]'
)
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


def _escape(char: str) -> str:
    return _NAMED_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def double_quoted(value: str) -> str:
    return '"' + _NEEDS_ESCAPE_RE.sub(lambda m: _escape(m.group()), value) + '"'


# A letter, then letters and digits: a string to PyYAML and Psych, but for these words.
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def scalar(value: str) -> str:
    """``value`` plain when YAML reads it back as the same string, else double-quoted."""
    # Ids (NW2022…) are new every time: the cache below would only churn, YAML parsing each.
    if _WORD_RE.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return _parsed_scalar(value)


@lru_cache(maxsize=4096)  # categories, tags and outlets repeat: YAML-parse each once
def _parsed_scalar(value: str) -> str:
    plain_candidate = (
        _PLAIN_RE.match(value)
        and not _NEEDS_ESCAPE_RE.search(value)
        and (value[0].isalpha() or (_LETTER_RE.search(value) and not _RADIX_RE.match(value)))
    )
    if value and plain_candidate and value == value.strip():
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return double_quoted(value)
