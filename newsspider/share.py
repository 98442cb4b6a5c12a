"""Share links: the outlet's share page and article API of an infoCode, and their hosts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

DEFAULT_SHARE_BASE_URL = "http://finews.zning.xyz"
SHARE_PAGE_PATH = "/html_News/NewsShare.html"
ARTICLE_API_PATH = "/NewsData/GetNewsText.do"
INFOCODE_RE = re.compile(r"^(NW)?\d{8}\d+$")


def infocode_of(share_url: str) -> str | None:
    """The ``infoCode`` query value of a share link."""
    values = parse_qs(urlsplit(share_url).query).get("infoCode") or []
    code = values[0].strip() if values else ""
    return code if INFOCODE_RE.match(code) else None


def _origin(url: str, *, keep_path: bool = False) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"expected an http(s) URL with a host, got {url!r}")
    path = parts.path.rstrip("/") if keep_path else ""
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class ShareUrls:
    """Share page and API URLs, optionally moved onto another origin (``share_base_url``)."""

    def __init__(self, share_base_url: str | None = None) -> None:
        # A base URL may carry a path prefix (a local copy under /share/, say).
        self.base = _origin(share_base_url, keep_path=True) if share_base_url else None

    def origin_for(self, share_url: str | None) -> str:
        if self.base:
            return self.base
        return _origin(share_url) if share_url else DEFAULT_SHARE_BASE_URL

    def page(self, infocode: str, share_url: str | None = None) -> str:
        query = urlencode({"infoCode": infocode})
        return f"{self.origin_for(share_url)}{SHARE_PAGE_PATH}?{query}"

    def api(self, infocode: str, share_url: str | None = None) -> str:
        """The article API on the same host as the share page."""
        return f"{self.origin_for(share_url)}{ARTICLE_API_PATH}?{urlencode({'id': infocode})}"
