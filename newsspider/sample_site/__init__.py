"""The bundled sample site: synthetic posts (``sample/_posts``) rendered by the project's
Jekyll layouts, served in-process so a first crawl needs neither Jekyll nor a network.

The same server plays the outlets' share host (``/html_News/NewsShare.html`` and the
article API ``/NewsData/GetNewsText.do``) from ``share/<infoCode>.json``."""

from __future__ import annotations

import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

from twisted.web.resource import Resource
from twisted.web.server import Request, Site
from twisted.web.static import File

PACKAGE_ROOT = Path(__file__).parent
SITE_ROOT = PACKAGE_ROOT / "site"
_SHELL = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8"><title>分享</title>'
    '</head><body><div id="article">正在加载…</div></body></html>'
).encode()


class _NotFound(Resource):
    """The site's 404 page, with status 404 (as GitHub Pages serves it)."""

    isLeaf = True  # noqa: N815 (Twisted API)

    def __init__(self, page: Path) -> None:
        cast(Any, super()).__init__()
        self.page = page

    def render_GET(self, request: Request) -> bytes:  # noqa: N802 (Twisted API)
        request.setResponseCode(404)
        cast(Any, request).setHeader(b"content-type", b"text/html; charset=utf-8")
        return self.page.read_bytes()


class _SharePage(Resource):
    isLeaf = True  # noqa: N815 (Twisted API)

    def render_GET(self, request: Request) -> bytes:  # noqa: N802 (Twisted API)
        cast(Any, request).setHeader(b"content-type", b"text/html; charset=utf-8")
        return _SHELL


class _ArticleApi(Resource):
    """``?id=<infoCode>``: the article JSON, or ``{"error": …}`` for an unknown id."""

    isLeaf = True  # noqa: N815 (Twisted API)

    def __init__(self, answers: Path) -> None:
        cast(Any, super()).__init__()
        self.answers = answers

    def render_GET(self, request: Request) -> bytes:  # noqa: N802 (Twisted API)
        cast(Any, request).setHeader(b"content-type", b"application/json; charset=utf-8")
        article_id = (cast(Any, request).args.get(b"id") or [b""])[0].decode("ascii", "replace")
        path = self.answers / f"{article_id}.json"
        if article_id.isalnum() and path.is_file():
            return path.read_bytes()
        return b'{"error": "article not found"}'


class _SiteFiles(File):
    """The site's files; a missing one, in any folder, answers the site's own 404 page."""

    not_found_page: Path

    def getChild(self, path: bytes, request: Request) -> Resource:  # noqa: N802 (Twisted API)
        child: Resource = cast(Any, super()).getChild(path, request)
        if isinstance(child, File):
            return child
        return cast(Resource, _NotFound(self.not_found_page))

    def createSimilarFile(self, path: str) -> File:  # noqa: N802 (Twisted API)
        similar = cast(Any, super()).createSimilarFile(path)  # a subfolder's or a file's
        similar.not_found_page = self.not_found_page
        return cast(File, similar)


def _directory(**children: Resource) -> Resource:
    directory = cast(Any, Resource)()
    for name, child in children.items():
        directory.putChild(name.encode(), child)
    return cast(Resource, directory)


def _package_files() -> Path:
    """The package's files as a real folder, also when the package is zipped (a Scrapyd egg)."""
    if (SITE_ROOT / "index.html").is_file():
        return PACKAGE_ROOT
    target = Path(tempfile.mkdtemp(prefix="newsspider-sample-"))

    def copy(node: Traversable, dest: Path) -> None:
        for child in node.iterdir():
            if child.is_dir():
                (dest / child.name).mkdir()
                copy(child, dest / child.name)
            else:
                (dest / child.name).write_bytes(child.read_bytes())

    copy(resources.files(__name__), target)
    return target


def serve_sample_site() -> str:
    """Serve the sample site on a free loopback port of the running reactor; return its URL."""
    from twisted.internet import reactor

    root = _package_files()
    if not (root / "site" / "index.html").is_file():
        raise FileNotFoundError(f"the bundled sample site is missing from {root / 'site'}")
    resource = _SiteFiles(str(root / "site"), defaultType="text/html; charset=utf-8")
    resource.not_found_page = root / "site" / "404.html"
    files = cast(Any, resource)
    files.putChild(b"html_News", _directory(**{"NewsShare.html": cast(Any, _SharePage)()}))
    files.putChild(b"NewsData", _directory(**{"GetNewsText.do": _ArticleApi(root / "share")}))
    site = cast(Any, Site)(resource)
    port = cast(Any, reactor).listenTCP(0, site, interface="127.0.0.1")
    return f"http://127.0.0.1:{port.getHost().port}"
