"""The bundled sample site's server answers as GitHub Pages does."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.site.fixtures import REPO_ROOT

SERVE = (
    "from twisted.internet import reactor\n"
    "from newsspider.sample_site import serve_sample_site\n"
    "print(serve_sample_site(), flush=True)\n"
    "reactor.run()\n"
)


@pytest.fixture(scope="module")
def sample_url() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize(
    "path", ["nosuch.html", "category/nosuch.html", "tianjinribao/2026/11/25/nosuch.html"]
)
def test_a_missing_page_in_any_folder_answers_the_sites_404_page(
    sample_url: str, path: str
) -> None:
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{sample_url}/{path}", timeout=10)
    assert answer.value.code == 404
    assert "404" in answer.value.read().decode("utf-8")
