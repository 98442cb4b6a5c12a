"""A static HTTP server for built sites that behaves like GitHub Pages.

Pure standard library. In tests::

    with SiteServer(site_dir) as server:
        fetch(server.base_url + "/emnews/")
        assert ("GET", "/emnews/", 200) in server.requests

By hand: ``python -m tests.site.server ROOT --port 4000`` (or
``python tests/site/server.py ROOT``).

What it does, like GitHub Pages: percent-decoded paths (``%20``, ``(``, ``)``),
``/dir/`` -> ``dir/index.html``, ``/dir`` -> 301 to ``/dir/``, ``/name`` ->
``name.html``, a strong ``ETag`` (content hash), ``Last-Modified`` (file
mtime), ``Cache-Control: max-age=600``, ``304 Not Modified`` for a matching
``If-None-Match`` or an ``If-Modified-Since`` not older than the file, gzip
when the client accepts it, ``charset=utf-8`` on text types, and the site's
``404.html`` with status 404 for anything missing. Paths with a ``..``
segment, a backslash or a NUL are answered ``400 Bad Request``; nothing outside
the root is ever served. Files are read on every request, so a test may
rebuild the site in place or point :attr:`SiteServer.root` at another build.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import mimetypes
import socketserver
import sys
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import unquote, urlsplit

__all__ = ["RequestRecord", "SiteServer", "main"]

CACHE_CONTROL = "max-age=600"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
}
_COMPRESSIBLE = ("text/", "application/xml", "application/javascript", "application/json")


class RequestRecord(NamedTuple):
    """One answered request: method, the path as sent (query included), status."""

    method: str
    path: str
    status: int


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in {"gzip", "x-gzip", "*"}:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


def _etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: ``W/"x"`` matches ``"x"``."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    site: Any  # the LoopbackServer that owns it

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class RecordingHandler(BaseHTTPRequestHandler):
    """Quiet (no per-request logging); every answer goes to the owner's request log."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: no per-request logging."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.site._record(RequestRecord(self.command or "", self.path or "", int(code)))
        super().send_response(code, message)


class _Handler(RecordingHandler):
    server_version = "GitHub.com"

    # -- plumbing ---------------------------------------------------------

    def _write(self, body: bytes) -> None:
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def _send_body(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        compress = content_type.startswith(_COMPRESSIBLE) and _accepts_gzip(
            self.headers.get("Accept-Encoding")
        )
        if compress:
            body = gzip.compress(body, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if content_type.startswith(_COMPRESSIBLE):
            self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self._write(body)

    def _bad_request(self) -> None:
        self._send_body(400, b"400 Bad Request\n", "text/plain; charset=utf-8")

    def _not_found(self, root: Path) -> None:
        page = root / "404.html"
        body = page.read_bytes() if page.is_file() else b"<h1>404</h1>\n<p>File not found</p>\n"
        self._send_body(404, body, "text/html; charset=utf-8", {"Cache-Control": CACHE_CONTROL})

    # -- methods ----------------------------------------------------------

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        root = self.server.site.root
        target_form = self.path.partition("#")[0]
        if target_form.startswith("/"):
            # origin-form; not urlsplit, which would read "//x/y" as a host
            raw_path, _, query = target_form.partition("?")
        else:
            split = urlsplit(target_form)  # absolute-form: http://host/path
            raw_path, query = split.path or "/", split.query
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            return self._bad_request()
        if not path.startswith("/") or "\x00" in path or "\\" in path:
            return self._bad_request()
        if any(segment == ".." for segment in path.split("/")):
            return self._bad_request()

        target = root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        elif target.is_dir():
            location = raw_path + "/" + (f"?{query}" if query else "")
            return self._send_body(
                301,
                b"301 Moved Permanently\n",
                "text/plain; charset=utf-8",
                {"Location": location},
            )
        elif not target.is_file() and target.with_name(target.name + ".html").is_file():
            target = target.with_name(target.name + ".html")

        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return self._not_found(root)
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return self._not_found(root)
        return self._send_file(resolved)

    def _send_file(self, path: Path) -> None:
        try:
            body = path.read_bytes()
            mtime = path.stat().st_mtime
        except OSError:
            return self._not_found(self.server.site.root)
        headers = {
            "ETag": '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"',
            "Last-Modified": formatdate(mtime, usegmt=True),
            "Cache-Control": CACHE_CONTROL,
        }
        if self._not_modified(headers["ETag"], mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return None
        self._send_body(200, body, _content_type(path), headers)
        return None

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            # RFC 9110: If-Modified-Since is ignored when If-None-Match is sent.
            return _etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        return int(mtime) <= since.timestamp()


class LoopbackServer:
    """A test HTTP server in a background thread: request log and lifecycle.

    Subclasses name their ``server_class`` and ``handler_class``; handlers reach the owner
    as ``self.server.site`` and log answers with its :meth:`_record`.
    """

    server_class: type[_HTTPServer] = _HTTPServer
    handler_class: type[BaseHTTPRequestHandler]

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return self._httpd.server_port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """``base_url`` joined with a root-relative ``path``."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- request log --------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._requests.clear()

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("server is already running")
        self._stopping.clear()
        httpd = self.server_class((self._host, self._port), self.handler_class)
        httpd.site = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{httpd.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests a handler holds (waiting on ``_stopping``) are dropped."""
        self._stopping.set()
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class SiteServer(LoopbackServer):
    """Serve ``root`` on ``127.0.0.1`` (port 0: any free port) in a thread.

    A context manager; :attr:`base_url` is ``http://127.0.0.1:PORT`` (no
    trailing slash). :attr:`requests` lists every answered request as a
    :class:`RequestRecord` ``(method, path, status)`` tuple.
    """

    handler_class = _Handler

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.root = Path(root)

    @property
    def root(self) -> Path:
        """The directory served; may be reassigned while running."""
        return self._root

    @root.setter
    def root(self, value: Path) -> None:
        root = Path(value).resolve()
        if not root.is_dir():
            raise NotADirectoryError(str(root))
        self._root = root

    def serve_forever(self) -> None:
        """Run until interrupted (for manual use)."""
        started = self._httpd is None
        if started:
            self.start()
        try:
            assert self._thread is not None
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            if started:
                self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.site.server",
        description="Serve a built site like GitHub Pages does.",
    )
    parser.add_argument("root", type=Path, help="the built site (Jekyll's destination)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000, help="0 for any free port")
    args = parser.parse_args(argv)
    server = SiteServer(args.root, host=args.host, port=args.port)
    server.start()
    print(f"serving {server.root} at {server.base_url}/ (Ctrl-C to stop)", file=sys.stderr)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
