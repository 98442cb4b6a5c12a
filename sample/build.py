"""Render the synthetic sample posts into the bundled sample site.

    python sample/build.py

needs Debian's ``jekyll`` (with ruby-jekyll-feed and ruby-jekyll-seo-tag) and writes
``newsspider/sample_site/site/``, which is committed so that crawling the sample needs no
Jekyll. Re-run it after changing ``sample/_posts`` or the layouts in ``tests/site/jekyll``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site.build import build_site  # noqa: E402

if __name__ == "__main__":
    sample = ROOT / "sample"
    site = build_site(
        sorted((sample / "_posts").glob("*.md")),
        ROOT / "newsspider" / "sample_site" / "site",
        corpus_dir=sample,
    )
    for leftover in site.rglob(".jekyll-*"):
        leftover.unlink()
    print(f"built {sum(1 for _ in site.rglob('*.html'))} pages into {site}")
