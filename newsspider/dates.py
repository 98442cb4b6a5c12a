"""Dates of the site: everything it shows is Beijing time (UTC+8, no daylight saving)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_SHOWN_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_ID_DATE_RE = re.compile(r"^(?:NW)?(\d{4})(\d{2})(\d{2})\d+$")


def parse_shown(text: str) -> datetime | None:
    """Parse the page's ``YYYY-MM-DD HH:MM:SS`` (Beijing time) into an aware datetime."""
    match = _SHOWN_RE.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None


def parse_iso(text: str) -> datetime | None:
    """Parse an ISO 8601 time with an offset (``article:published_time``), in Beijing time."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(BEIJING)


def date_from_id(article_id: str) -> date | None:
    """The publication day an infoCode or rolling-news id carries."""
    match = _ID_DATE_RE.match(article_id)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def start_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING)


def to_iso(moment: datetime) -> str:
    """``2022-03-03T11:33:32+08:00``."""
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def to_front_matter(moment: datetime) -> str:
    """``2022-03-03 11:33:32 +0800``, the site's front matter form."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S %z")


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
