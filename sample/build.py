"""Render the synthetic sample posts into the bundled sample site.

    python sample/build.py

needs Debian's ``jekyll`` (with ruby-jekyll-feed and ruby-jekyll-seo-tag) and writes
``newsspider/sample_site/site/``, which is committed so that crawling the sample needs no
Jekyll, and ``newsspider/sample_site/share/<id>.json``, the share API's answers for the
sample posts. Re-run it after changing ``sample/_posts`` or the layouts in ``tests/site/jekyll``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site.build import build_site  # noqa: E402
from tests.site.share_server import load_share_article  # noqa: E402

if __name__ == "__main__":
    sample = ROOT / "sample"
    site = build_site(
        sorted((sample / "_posts").glob("*.md")),
        ROOT / "newsspider" / "sample_site" / "site",
        corpus_dir=sample,
    )
    for leftover in site.rglob(".jekyll-*"):
        leftover.unlink()
    # The share host's article API answers, one JSON file per infoCode.
    share_dir = ROOT / "newsspider" / "sample_site" / "share"
    share_dir.mkdir(exist_ok=True)
    for stale in share_dir.glob("*.json"):
        stale.unlink()
    for post in sorted((sample / "_posts").glob("*.md")):
        loaded = load_share_article(post)
        if loaded is not None:
            article_id, article = loaded
            (share_dir / f"{article_id}.json").write_text(
                json.dumps(article, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
    print(f"built {sum(1 for _ in site.rglob('*.html'))} pages into {site}")
    print(f"wrote {sum(1 for _ in share_dir.glob('*.json'))} share API answers into {share_dir}")
