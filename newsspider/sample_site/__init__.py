"""The bundled sample site: synthetic posts (``sample/_posts``) rendered by the project's
Jekyll layouts, served in-process so a first crawl needs neither Jekyll nor a network."""

from __future__ import annotations

from pathlib import Path

from twisted.web.resource import Resource
from twisted.web.server import Request, Site
from twisted.web.static import File

SITE_ROOT = Path(__file__).parent / "site"


class _SiteFiles(File):
    """Static files with the site's 404 page, sent with status 404."""

    def getChild(self, path: bytes, request: Request) -> Resource:  # noqa: N802 (Twisted API)
        child = super().getChild(path, request)
        if isinstance(child, File) or not (SITE_ROOT / "404.html").exists():
            return child
        return _NotFound()


class _NotFound(Resource):
    isLeaf = True  # noqa: N815 (Twisted API)

    def render_GET(self, request: Request) -> bytes:  # noqa: N802 (Twisted API)
        request.setResponseCode(404)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        return (SITE_ROOT / "404.html").read_bytes()


def serve_sample_site() -> str:
    """Serve the sample site on a free loopback port of the running reactor; return its URL."""
    from twisted.internet import reactor

    if not (SITE_ROOT / "index.html").exists():
        raise FileNotFoundError(f"the bundled sample site is missing from {SITE_ROOT}")
    resource = _SiteFiles(str(SITE_ROOT), defaultType="text/html; charset=utf-8")
    port = reactor.listenTCP(0, Site(resource), interface="127.0.0.1")  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{port.getHost().port}"
