"""Spider arguments: one typed, validated model per spider.

A bad value fails at start-up with a message naming the argument and what it accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsspider.dates import BEIJING
from newsspider.share import INFOCODE_RE, infocode_of
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


def reject_unknown(spider: str, kwargs: dict[str, Any], known: set[str]) -> None:
    # Scrapyd passes its own ``_job`` argument; anything else unknown is a typo.
    unknown = sorted(k for k in kwargs if k not in known and not k.startswith("_"))
    if unknown:
        raise ArgumentError(
            f"unknown argument(s) {', '.join(unknown)}; the {spider} spider takes"
            f" {', '.join(sorted(known))}"
        )


def parse_base_url(name: str, value: Any) -> str:
    text = str(value).strip()
    try:
        SiteUrls(text)
    except ValueError as error:
        raise ArgumentError(f"argument {name}={text!r}: {error}") from None
    return text


_DAYS_RE = re.compile(r"^(\d{1,4})d$")


def parse_day(name: str, value: Any, today: date | None = None) -> date:
    """``YYYY-MM-DD``, or ``Nd`` for N days before today (Beijing time)."""
    text = str(value).strip()
    days = _DAYS_RE.match(text)
    if days:
        base = today or datetime.now(BEIJING).date()
        return base - timedelta(days=int(days.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentError(
            f"argument {name}={text!r}: expected a date YYYY-MM-DD or a number of days such as 3d"
        ) from None


@dataclass(frozen=True, slots=True)
class FinewsArguments:
    """``-a`` arguments of the ``finews`` spider."""

    base_url: str = DEFAULT_BASE_URL
    categories: tuple[str, ...] = ()  # empty: every category discovered
    sample: bool = False  # crawl the bundled sample site, served in-process
    share_base_url: str | None = None  # None: share links used as they are
    follow_share: bool = True
    full: bool = False  # fetch every post again (still exporting only what changed)
    since: date | None = None  # skip posts whose URL date is older
    refresh: date | None = None  # re-check known posts published since then

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> FinewsArguments:
        reject_unknown(
            "finews",
            kwargs,
            {
                "base_url", "categories", "sample", "share_base_url", "follow_share", "full",
                "since", "refresh",
            },
        )  # fmt: skip
        share_base_url = kwargs.get("share_base_url")
        return cls(
            base_url=parse_base_url("base_url", kwargs.get("base_url", DEFAULT_BASE_URL)),
            categories=parse_categories(kwargs["categories"]) if "categories" in kwargs else (),
            sample=parse_bool("sample", kwargs.get("sample", False)),
            share_base_url=parse_base_url("share_base_url", share_base_url)
            if share_base_url
            else None,
            follow_share=parse_bool("follow_share", kwargs.get("follow_share", True)),
            full=parse_bool("full", kwargs.get("full", False)),
            since=parse_day("since", kwargs["since"]) if kwargs.get("since") else None,
            refresh=parse_day("refresh", kwargs["refresh"]) if kwargs.get("refresh") else None,
        )


@dataclass(frozen=True, slots=True)
class ShareArguments:
    """``-a`` arguments of the ``share`` spider: share links and infoCodes to archive."""

    infocodes: tuple[tuple[str, str | None], ...]  # (infoCode, share link it came from)
    share_base_url: str | None = None

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> ShareArguments:
        reject_unknown("share", kwargs, {"urls", "infocodes", "urls_file", "share_base_url"})
        entries: list[tuple[str, str | None]] = []
        for url in _split_list(kwargs.get("urls", "")):
            entries.append((_infocode_of_link("urls", url), url))
        for code in _split_list(kwargs.get("infocodes", "")):
            if not INFOCODE_RE.match(code):
                raise ArgumentError(
                    f"argument infocodes: {code!r} is not an infoCode (NW + YYYYMMDD + digits,"
                    " or YYYYMMDD + digits)"
                )
            entries.append((code, None))
        if kwargs.get("urls_file"):
            entries.extend(_read_urls_file(str(kwargs["urls_file"])))
        if not entries:
            raise ArgumentError(
                "give share links or infoCodes: -a urls=, -a infocodes= or -a urls_file="
            )
        share_base_url = kwargs.get("share_base_url")
        return cls(
            infocodes=tuple(dict.fromkeys(entries)),
            share_base_url=parse_base_url("share_base_url", share_base_url)
            if share_base_url
            else None,
        )


def _split_list(value: Any) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _infocode_of_link(name: str, url: str) -> str:
    code = infocode_of(url)
    if code is None:
        raise ArgumentError(
            f"argument {name}: {url!r} is not a share link"
            " (…/html_News/NewsShare.html?infoCode=NW…)"
        )
    return code


def _read_urls_file(path: str) -> list[tuple[str, str | None]]:
    """One share link or infoCode per line; ``#`` comments and blank lines ignored."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ArgumentError(f"argument urls_file={path!r}: cannot read it ({error})") from None
    entries: list[tuple[str, str | None]] = []
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if INFOCODE_RE.match(entry):
            entries.append((entry, None))
        elif infocode_of(entry):
            entries.append((_infocode_of_link("urls_file", entry), entry))
        else:
            raise ArgumentError(
                f"argument urls_file={path!r}, line {number}: {entry!r} is neither a share link"
                " nor an infoCode"
            )
    return entries


@dataclass(frozen=True, slots=True)
class ArchiveArguments:
    """``-a`` arguments of the ``archive`` spider."""

    path: Path

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> ArchiveArguments:
        reject_unknown("archive", kwargs, {"path"})
        if not kwargs.get("path"):
            raise ArgumentError("argument path is required: a folder of Jekyll post files")
        path = Path(str(kwargs["path"])).expanduser()
        if not path.is_dir():
            raise ArgumentError(f"argument path={str(path)!r}: not a folder")
        return cls(path=path.resolve())
