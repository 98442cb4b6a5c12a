"""Session fixtures for the Jekyll-built corpus site.

Import them into a conftest::

    from tests.site.fixtures import corpus_dir, corpus_server, corpus_site  # noqa: F401

``NEWSSPIDER_CORPUS`` overrides the corpus location; with ``NEWSSPIDER_STRICT=1``
a missing Jekyll or corpus fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.site.build import build_site, jekyll_available, published_corpus_posts
from tests.site.server import SiteServer

__all__ = [
    "JEKYLL_MISSING",
    "REPO_ROOT",
    "corpus_dir",
    "corpus_server",
    "corpus_site",
    "default_corpus_dir",
    "require_jekyll",
    "skip_or_fail",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
JEKYLL_MISSING = (
    "jekyll is not installed: apt-get install jekyll ruby-jekyll-feed ruby-jekyll-seo-tag"
)

# One build per corpus directory and session, even when these fixtures are
# imported into more than one module or conftest (each import is its own
# fixture definition to pytest, with its own session cache).
_BUILT: dict[Path, Path] = {}


def skip_or_fail(message: str) -> NoReturn:
    """``pytest.skip``, or ``pytest.fail`` when ``NEWSSPIDER_STRICT=1``."""
    if os.environ.get("NEWSSPIDER_STRICT") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_jekyll() -> None:
    """Skip (or, strict, fail) the calling test when Jekyll is missing."""
    if not jekyll_available():
        skip_or_fail(JEKYLL_MISSING)


def default_corpus_dir() -> Path:
    """``$NEWSSPIDER_CORPUS``, else ``<repo>/../shared/corpus/finews``."""
    override = os.environ.get("NEWSSPIDER_CORPUS")
    if override:
        return Path(override).expanduser().resolve()
    return (REPO_ROOT.parent / "shared" / "corpus" / "finews").resolve()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real finews post files (read-only test data)."""
    path = default_corpus_dir()
    if not (path / "_posts").is_dir():
        skip_or_fail(f"finews corpus not found at {path} (set NEWSSPIDER_CORPUS)")
    return path


@pytest.fixture(scope="session")
def corpus_site(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built by Jekyll from every published corpus post (once per session)."""
    require_jekyll()
    if corpus_dir not in _BUILT:
        dest = tmp_path_factory.mktemp("corpus_site")
        _BUILT[corpus_dir] = build_site(
            published_corpus_posts(corpus_dir), dest, corpus_dir=corpus_dir
        )
    return _BUILT[corpus_dir]


@pytest.fixture(scope="session")
def corpus_server(corpus_site: Path) -> Iterator[SiteServer]:
    """A :class:`SiteServer` over :func:`corpus_site`; tests must not modify that tree."""
    with SiteServer(corpus_site) as server:
        yield server
