"""Shared fixtures: the corpus, the Jekyll-built corpus site and its server, crawls."""

from __future__ import annotations

from tests.site.fixtures import corpus_dir, corpus_server, corpus_site  # noqa: F401
from tests.support.crawl import corpus_crawl  # noqa: F401
from tests.support.share import share_server  # noqa: F401
