"""Spider arguments: one typed, validated model per spider.

A bad value fails at start-up with a message naming the argument and what it accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newsspider.urls import DEFAULT_BASE_URL, SiteUrls


class ArgumentError(ValueError):
    """A spider argument has a value the spider cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_BAD_SLUG_RE = re.compile(r"[/\\\x00-\x1f\x7f]")


def parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ArgumentError(f"argument {name}={value!r}: expected true or false")


def parse_categories(value: Any) -> tuple[str, ...]:
    slugs = tuple(part.strip() for part in str(value).split(","))
    for slug in slugs:
        if not slug:
            raise ArgumentError(
                f"argument categories={value!r}: empty slug; give comma-separated category"
                " slugs exactly as the site spells them, e.g. tianjinribao,emnews"
            )
        if _BAD_SLUG_RE.search(slug):
            raise ArgumentError(
                f"argument categories={value!r}: slug {slug!r} contains '/', '\\\\' or a"
                " control character"
            )
    return tuple(dict.fromkeys(slugs))


@dataclass(frozen=True, slots=True)
class FinewsArguments:
    """``-a`` arguments of the ``finews`` spider."""

    base_url: str = DEFAULT_BASE_URL
    categories: tuple[str, ...] = ()  # empty: every category discovered
    sample: bool = False  # crawl the bundled sample site, served in-process

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> FinewsArguments:
        known = {"base_url", "categories", "sample"}
        # Scrapyd passes its own ``_job`` argument; anything else unknown is a typo.
        unknown = sorted(k for k in kwargs if k not in known and not k.startswith("_"))
        if unknown:
            raise ArgumentError(
                f"unknown argument(s) {', '.join(unknown)}; the finews spider takes"
                f" {', '.join(sorted(known))}"
            )
        base_url = str(kwargs.get("base_url", DEFAULT_BASE_URL)).strip()
        try:
            SiteUrls(base_url)
        except ValueError as error:
            raise ArgumentError(f"argument base_url={base_url!r}: {error}") from None
        categories = parse_categories(kwargs["categories"]) if "categories" in kwargs else ()
        return cls(
            base_url=base_url,
            categories=categories,
            sample=parse_bool("sample", kwargs.get("sample", False)),
        )
