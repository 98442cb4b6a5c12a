"""URL shapes of the finews site, and mapping its links onto the crawl's base URL.

The site links to itself in several forms (``https://``, ``http://``, protocol-relative
``//finews.withounder.com/…``, root-relative and relative paths) and to older hostnames. A
:class:`SiteUrls` maps all of them onto one configurable ``base_url`` so the same spider
crawls the real site or a local copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

DEFAULT_BASE_URL = "https://finews.withounder.com"
# Hostnames under which the site has published (the canonical one first); links on any of
# them are the site's own.
SITE_HOSTS = ("finews.withounder.com", "finews.zning.me")

#: ``/<categories>/YYYY/MM/DD/<name>.html``: Jekyll's ``date`` permalink.
POST_PATH_RE = re.compile(
    r"^(?P<categories>(?:/[^/]+)+)/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})"
    r"/(?P<name>[^/]+)\.html$"
)
CATEGORY_PATH_RE = re.compile(r"/category/(?P<slug>[^/]+)\.html$")
ROLLING_PATH = "/emnews/"
ROLLING_CATEGORY = "emnews"
_ABSOLUTE_CACHE_SIZE = 4096
#: What makes the mapping of a root-relative link more than a join of two strings: a fragment
#: (dropped) or a dot segment (resolved), besides a character that ``urljoin`` strips (tab, CR,
#: LF: none is printable).
_NOT_PLAIN = ("#", "/.")


def _is_plain(text: str) -> bool:
    return text.isprintable() and not any(piece in text for piece in _NOT_PLAIN)


def _names_host(href: str) -> bool:
    """``//host/…`` or ``http(s)://host/…``, the host starting plainly (no space, no ``[``)."""
    for prefix in ("//", "http://", "https://"):
        if href.startswith(prefix):
            return href[len(prefix) : len(prefix) + 1].isalnum()
    return False


@dataclass(frozen=True, slots=True)
class PostPath:
    """What a post URL says by itself: its date, file name and lower-cased categories."""

    day: date
    name: str
    categories: tuple[str, ...]


@lru_cache(maxsize=1024)  # a post's URL is parsed by its listing, its page and the pipelines
def parse_post_path(url: str) -> PostPath | None:
    """Return the parts of a post URL, or ``None`` when the URL is not a post page."""
    match = POST_PATH_RE.match(unquote(urlsplit(url).path))
    if match is None:
        return None
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    categories = tuple(part for part in match["categories"].split("/") if part)
    return PostPath(day=day, name=match["name"], categories=categories)


def category_slug_from_url(url: str) -> str | None:
    """The category slug a back link or listing URL names (``emnews`` for ``/emnews/``)."""
    path = unquote(urlsplit(url).path)
    if path.rstrip("/").endswith(ROLLING_PATH.rstrip("/")):
        return ROLLING_CATEGORY
    match = CATEGORY_PATH_RE.search(path)
    return match["slug"] if match else None


class SiteUrls:
    """Builds and maps URLs of the finews site onto ``base_url``."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._root_path = parts.path.rstrip("/")
        self._origin = f"{parts.scheme}://{parts.netloc}"
        # Absolute links (every post's back links) repeat: their mapping is kept.
        self._absolute: dict[tuple[str, str], str | None] = {}

    @property
    def home(self) -> str:
        return self.base_url + "/"

    @property
    def rolling(self) -> str:
        return self.base_url + ROLLING_PATH

    def category(self, slug: str) -> str:
        """The category page of ``slug`` (spaces and parentheses percent-encoded as the site's)."""
        return f"{self.base_url}/category/{quote(slug, safe='()')}.html"

    def is_site_url(self, url: str) -> bool:
        """``url`` is on the real site's hosts (not a local copy)."""
        return urlsplit(url).netloc in SITE_HOSTS

    def to_local(self, href: str, page_url: str) -> str | None:
        """Resolve ``href`` found on ``page_url`` and map it onto ``base_url``.

        Returns ``None`` for links that leave the site (other hosts, ``mailto:`` …).
        """
        href = href.strip()
        if not _names_host(href):
            return self._root_relative(href, page_url) or self._to_local(urljoin(page_url, href))
        # A link naming its host takes at most the page's scheme from the page.
        key = (href, page_url.partition(":")[0])
        if key not in self._absolute:
            if len(self._absolute) >= _ABSOLUTE_CACHE_SIZE:
                self._absolute.clear()
            self._absolute[key] = self._to_local(urljoin(page_url, href))
        return self._absolute[key]

    def _root_relative(self, href: str, page_url: str) -> str | None:
        """A plain root-relative link on a page of ``base_url``'s host, mapped as
        :meth:`_to_local` maps it, but without ``urljoin`` and ``urlsplit``: a category page
        has thousands of them (8 µs a link instead of 43 on the benchmark's machine).
        ``None`` for any other link."""
        if (
            href.startswith("/")
            and page_url.startswith(self._origin)
            and page_url[len(self._origin) : len(self._origin) + 1] in {"/", ""}
            and _is_plain(href)
        ):
            if self._root_path and not (href + "/").startswith(self._root_path + "/"):
                return self._origin + self._root_path + href
            return self._origin + href
        return None

    def _to_local(self, absolute: str) -> str | None:
        parts = urlsplit(absolute)
        if parts.scheme not in {"http", "https"}:
            return None
        if parts.netloc != self._netloc and parts.netloc not in SITE_HOSTS:
            return None
        path = parts.path
        # The site's links are root-relative to the real site: they live under base_url's path.
        if self._root_path and not (path + "/").startswith(self._root_path + "/"):
            path = self._root_path + path
        return urlunsplit((self._scheme, self._netloc, path, parts.query, ""))
