"""A local stand-in for the outlets' share host, served from real post files.

Pure standard library plus PyYAML and markdown-it-py. In tests::

    with ShareServer(share_posts_of(corpus_dir), faults={"NW…": "5xx"}) as share:
        fetch(share.api_url("NW202203032295532740"))
        assert ("GET", "/NewsData/GetNewsText.do?id=NW202203032295532740", 200) in share.requests

By hand: ``python -m tests.site.share_server CORPUS_DIR --port 4001``.

Routes (see "Share links" in the site spec; the real JSON shape is not public,
this is the project's contract):

- ``GET /html_News/NewsShare.html?infoCode=ID``: 200, a thin HTML shell whose
  script loads the article from the API below on the same host (any id);
- ``GET /NewsData/GetNewsText.do?id=ID``: 200 ``application/json`` with the
  article body HTML under ``content`` (rolling news, ``categories: emnews``) or
  ``text`` (all others), and ``title``, ``showtime`` (``YYYY-MM-DD HH:MM:SS``,
  Beijing time, as Jekyll shows the post's date) and ``medianame`` (the outlet)
  when known; an unknown id answers 200 ``{"error": "article not found"}``;
- anything else: 404.

The body is the post body, less its trailing source link (``<http…>`` or
``<>``) and back links (``[返回…](…)``), rendered by markdown-it-py's
CommonMark preset with HTML allowed. Posts whose front matter Jekyll would not
read (the file does not start with ``---``) are skipped.

Faults, per id and deterministic (:data:`FAULT_MODES`): ``empty`` (the body key
is ``""``), ``error`` (200 with an ``error`` key), ``garbage`` (200 with bytes
that are not JSON), ``5xx`` (503), ``slow`` (answers normally after
``slow_seconds``, 5 s by default) and ``share_page_5xx`` (the share page
answers 500, the API works).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import yaml
from markdown_it import MarkdownIt

from tests.site.server import LoopbackServer, RecordingHandler, RequestRecord

__all__ = [
    "API_PATH",
    "FAULT_MODES",
    "NOT_FOUND_ERROR",
    "SHARE_PAGE_PATH",
    "RequestRecord",
    "ShareServer",
    "load_share_article",
    "main",
    "post_id",
    "share_posts_of",
]

SHARE_PAGE_PATH = "/html_News/NewsShare.html"
API_PATH = "/NewsData/GetNewsText.do"
NOT_FOUND_ERROR = "article not found"
FAULT_MODES = frozenset({"empty", "error", "garbage", "5xx", "slow", "share_page_5xx"})
FAULT_ERROR = "service temporarily unavailable"
#: The ``garbage`` answer: an HTML error page, not JSON (and not even UTF-8 throughout).
GARBAGE_BODY = b"<html><body><h1>Server busy</h1><p>\xff\xfe try again later</p></body></html>\n"
DEFAULT_SLOW_SECONDS = 5.0

BEIJING = timezone(timedelta(hours=8))
ROLLING_CATEGORY = "emnews"

_DATE_PREFIX = re.compile(r"^\d{2,4}-\d{1,2}-\d{1,2}-")
#: Jekyll's ``Utils.has_yaml_header?`` and ``Document::YAML_FRONT_MATTER_REGEXP``.
_YAML_HEADER = re.compile(r"\A---\s*\r?\n")
_FRONT_MATTER = re.compile(r"\A(---\s*\n.*?\n?)^(?:---|\.\.\.)\s*$\n?", re.MULTILINE | re.DOTALL)
_SOURCE_LINK = re.compile(r"^\s*<(?:https?://[^\s<>]*)?>\s*$")
#: One or more back links, on one line, joined by ``｜`` (or ``|``) when several.
_BACK_LINKS = re.compile(r"^\s*\[返回[^\]]*\]\(.*\)\s*$")
_MEDIA_LINE = re.compile(r"[（(]\s*文章来源\s*[：:]\s*(.+?)\s*[）)]")
_DATE_STRING = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(?:(Z)|([-+])(\d{1,2}):?(\d{2})?)?\s*$"
)

_JSON = "application/json; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_MARKDOWN = MarkdownIt("commonmark", {"html": True})


# -- reading post files -------------------------------------------------------


def post_id(path: Path) -> str:
    """The post's name: the file name without the date prefix and ``.md``.

    ``2022-03-03-NW202203032295532740.md`` -> ``NW202203032295532740``,
    ``-202205262391921712.md`` -> ``202205262391921712``.
    """
    stem = Path(path).name.removesuffix(".md")
    match = _DATE_PREFIX.match(stem)
    if match:
        return stem[match.end() :]
    return stem[1:] if stem.startswith("-") and len(stem) > 1 else stem


def share_posts_of(corpus_dir: Path) -> list[Path]:
    """Every ``.md`` of ``_posts/`` and ``old_post/``; an id in both keeps the ``_posts/`` file.

    ``_posts/`` files first, then the rest of ``old_post/``, each sorted by name.
    """
    chosen: dict[str, Path] = {}
    for folder in ("_posts", "old_post"):
        directory = Path(corpus_dir) / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.md")):
            if path.is_file():
                chosen.setdefault(post_id(path), path)
    return list(chosen.values())


def _split_post(text: str) -> tuple[dict[str, Any], str] | None:
    """Front matter and body, or ``None`` when Jekyll would not read the front matter."""
    if not _YAML_HEADER.match(text):
        return None
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None
    return data, text[match.end() :]


def _showtime(value: object) -> str | None:
    """The post date as the Jekyll site shows it, in Beijing time.

    A YAML timestamp without offset is UTC to Jekyll (+8 h); one with an offset
    is converted; a date is midnight in Beijing; a string with a valid offset
    (``2022-03-03 11:33:32 +0800``, which PyYAML leaves a string) is converted,
    one without is Beijing time already; anything else (``+0800``) is ``None``.
    """
    moment: datetime
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        moment = aware.astimezone(BEIJING)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=BEIJING)
    elif isinstance(value, str):
        match = _DATE_STRING.match(value)
        if match is None:
            return None
        year, month, day, hour, minute, second, zulu, sign, off_h, off_m = match.groups()
        if zulu:
            zone = UTC
        elif sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
            if offset >= timedelta(hours=24):
                return None
            zone = timezone(-offset if sign == "-" else offset)
        else:
            zone = BEIJING
        try:
            moment = datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                tzinfo=zone,
            ).astimezone(BEIJING)
        except ValueError:
            return None
    else:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _strip_navigation(body: str) -> str:
    """The body without its trailing source-link line and back-link lines."""
    lines = body.splitlines()
    source_removed = False
    while lines:
        last = lines[-1]
        if not last.strip() or _BACK_LINKS.match(last):
            lines.pop()
        elif not source_removed and _SOURCE_LINK.match(last):
            lines.pop()
            source_removed = True
        else:
            break
    return "\n".join(lines) + "\n" if lines else ""


class _TextExtractor(HTMLParser):
    """Visible text of an HTML fragment: tags dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible_text(fragment: str) -> str:
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def _words(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_words(item) for item in value)
    return " ".join(str(value).split())


def _medianame(body: str, tags: object) -> str | None:
    match = _MEDIA_LINE.search(_visible_text(body))
    if match:
        name = _words(match.group(1))
        if name:
            return name
    outlet = _words(tags).removesuffix("新闻").strip()
    return outlet or None


def _is_rolling(categories: object) -> bool:
    return ROLLING_CATEGORY in _words(categories).lower().split()


def load_share_article(path: Path) -> tuple[str, dict[str, str]] | None:
    """``(id, JSON object)`` the share API answers for a post file, or ``None`` if skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    split = _split_post(text.replace("\r\n", "\n"))
    if split is None:
        return None
    front, body = split
    article: dict[str, str] = {}
    title = _words(front.get("title"))
    if title:
        article["title"] = title
    showtime = _showtime(front.get("date"))
    if showtime:
        article["showtime"] = showtime
    medianame = _medianame(body, front.get("tags"))
    if medianame:
        article["medianame"] = medianame
    body_key = "content" if _is_rolling(front.get("categories")) else "text"
    article[body_key] = _MARKDOWN.render(_strip_navigation(body))
    return post_id(path), article


# -- HTTP ---------------------------------------------------------------------


def _shell_page(api_path: str) -> bytes:
    api = html.escape(api_path, quote=True)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>资讯分享</title>
</head>
<body>
<article id="share" data-api="{api}">
<h1 id="share-title"></h1>
<p id="share-meta"></p>
<div id="share-body">正在载入…</div>
</article>
<script>
(function () {{
  var box = document.getElementById("share");
  var request = new XMLHttpRequest();
  request.open("GET", box.getAttribute("data-api"));
  request.onload = function () {{
    var data = {{}};
    try {{ data = JSON.parse(request.responseText); }} catch (e) {{}}
    var body = data.text || data.content;
    if (!body) {{
      document.getElementById("share-body").textContent = "载入失败";
      return;
    }}
    document.getElementById("share-title").textContent = data.title || "";
    document.getElementById("share-meta").textContent =
      [data.medianame || "", data.showtime || ""].join(" ");
    document.getElementById("share-body").innerHTML = body;
  }};
  request.send();
}})();
</script>
</body>
</html>
""".encode()


class _Handler(RecordingHandler):
    server_version = "ShareHost/1.0"

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        try:
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timed-out ``slow`` request)

    def _json(self, payload: Mapping[str, str]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(200, body, _JSON)

    def do_GET(self) -> None:  # noqa: N802 (BaseHTTPRequestHandler API)
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802 (BaseHTTPRequestHandler API)
        self._serve()

    def _serve(self) -> None:
        share = self.server.site
        target = self.path.partition("#")[0]
        if target.startswith("/"):
            path, _, query = target.partition("?")
        else:
            split = urlsplit(target)  # absolute-form: http://host/path
            path, query = split.path or "/", split.query
        params = parse_qs(query, keep_blank_values=True)
        if path == SHARE_PAGE_PATH:
            article_id = (params.get("infoCode") or [""])[0]
            if share.fault_of(article_id) == "share_page_5xx":
                return self._send(500, b"500 Internal Server Error\n", _TEXT)
            return self._send(200, _shell_page(share.api_path(article_id)), _HTML)
        if path == API_PATH:
            return self._api((params.get("id") or [""])[0])
        return self._send(404, b"404 Not Found\n", _TEXT)

    def _api(self, article_id: str) -> None:
        share = self.server.site
        fault = share.fault_of(article_id)
        if fault == "slow" and share._stopping.wait(share.slow_seconds):
            self.close_connection = True  # the server is stopping: drop the request
            return None
        if fault == "5xx":
            return self._send(503, b"503 Service Unavailable\n", _TEXT)
        if fault == "garbage":
            return self._send(200, GARBAGE_BODY, "text/html")
        if fault == "error":
            return self._json({"error": FAULT_ERROR})
        article = share.article(article_id)
        if fault == "empty":
            emptied = dict(article or {"text": ""})
            for key in ("text", "content"):
                if key in emptied:
                    emptied[key] = ""
            return self._json(emptied)
        if article is None:
            return self._json({"error": NOT_FOUND_ERROR})
        return self._json(article)


class ShareServer(LoopbackServer):
    """Serve the share page and article API of ``posts`` on ``host`` (port 0: any free port).

    A context manager; :attr:`base_url` is ``http://HOST:PORT`` (no trailing
    slash). :attr:`requests` lists every answered request as a
    :class:`~tests.site.server.RequestRecord` ``(method, path, status)`` tuple
    (the path as sent, query included). ``faults`` maps ids to one of
    :data:`FAULT_MODES`; :meth:`set_fault` changes them while running. When two
    posts share an id, the first readable one is served.
    """

    handler_class = _Handler

    def __init__(
        self,
        posts: Iterable[Path],
        *,
        faults: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        super().__init__(host=host, port=port)
        self.slow_seconds = slow_seconds
        self._faults: dict[str, str] = {}
        self._articles: dict[str, dict[str, str]] = {}
        self._paths: dict[str, Path] = {}
        self.skipped: list[Path] = []
        """Post files not served: Jekyll could not read their front matter."""
        for path in posts:
            loaded = load_share_article(Path(path))
            if loaded is None:
                self.skipped.append(Path(path))
                continue
            article_id, article = loaded
            if article_id not in self._articles:
                self._articles[article_id] = article
                self._paths[article_id] = Path(path)
        for article_id, mode in (faults or {}).items():
            self.set_fault(article_id, mode)

    # -- articles and faults -------------------------------------------------

    @property
    def ids(self) -> list[str]:
        """The served article ids, sorted."""
        return sorted(self._articles)

    def article(self, article_id: str) -> dict[str, str] | None:
        """A copy of the JSON object the API answers for ``article_id`` without faults."""
        article = self._articles.get(article_id)
        return dict(article) if article is not None else None

    def post_path(self, article_id: str) -> Path | None:
        """The post file an id is served from."""
        return self._paths.get(article_id)

    def set_fault(self, article_id: str, mode: str | None) -> None:
        """Make ``article_id`` fail in ``mode`` (one of :data:`FAULT_MODES`); ``None`` heals it."""
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {sorted(FAULT_MODES)}")
        with self._lock:
            if mode is None:
                self._faults.pop(article_id, None)
            else:
                self._faults[article_id] = mode

    def fault_of(self, article_id: str) -> str | None:
        with self._lock:
            return self._faults.get(article_id)

    @property
    def faults(self) -> dict[str, str]:
        """A snapshot of the fault table."""
        with self._lock:
            return dict(self._faults)

    # -- URLs -----------------------------------------------------------------

    @staticmethod
    def share_page_path(article_id: str) -> str:
        return f"{SHARE_PAGE_PATH}?infoCode={quote(article_id, safe='')}"

    @staticmethod
    def api_path(article_id: str) -> str:
        return f"{API_PATH}?id={quote(article_id, safe='')}"

    def share_url(self, article_id: str) -> str:
        """The share page URL of ``article_id`` on this server."""
        return self.base_url + self.share_page_path(article_id)

    def api_url(self, article_id: str) -> str:
        """The article API URL of ``article_id`` on this server."""
        return self.base_url + self.api_path(article_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.site.share_server",
        description="Serve a stand-in for the outlets' share host from corpus posts.",
    )
    parser.add_argument("corpus", type=Path, help="the corpus (with _posts/ and old_post/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4001, help="0 for any free port")
    args = parser.parse_args(argv)
    server = ShareServer(share_posts_of(args.corpus), host=args.host, port=args.port)
    server.start()
    print(
        f"serving {len(server.ids)} articles at {server.base_url}{SHARE_PAGE_PATH}?infoCode=… "
        "(Ctrl-C to stop)",
        file=sys.stderr,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
