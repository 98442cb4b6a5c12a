"""The bundled sample site's server answers as GitHub Pages does."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.sample import sample_site_served


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sample_site_served(tmp_path_factory.mktemp("sample") / "stderr") as url:
        yield url


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
