"""The share host stand-in as a session fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site.share_server import ShareServer, share_posts_of


@pytest.fixture(scope="session")
def share_server(corpus_dir: Path) -> Iterator[ShareServer]:
    with ShareServer(share_posts_of(corpus_dir)) as server:
        yield server
