"""A site that forgets, as the real one does: sliding three-"day" windows of the corpus.

The corpus spans few calendar days (almost all of it is 2021-12-08), so its posts, in order
of publication, are cut into consecutive slices that stand for days; a window shows three of
them, and each step rebuilds the site with Jekyll, as the real site is rebuilt.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.site.build import build_site
from tests.site.share_server import share_posts_of
from tests.support.corpus import read_post


def corpus_days(corpus_dir: Path, days: int = 5) -> list[list[Path]]:
    """The publishable corpus posts (``_posts`` and ``old_post``), in ``days`` slices."""
    posts = []
    for path in share_posts_of(corpus_dir):
        post = read_post(path)
        if post is None or post.shown_time is None or not path.name[:4].isdigit() or not post.title:
            continue
        posts.append((post.shown_time, path.name, path))
    posts.sort()
    size = -(-len(posts) // days)
    return [[path for *_, path in posts[i : i + size]] for i in range(0, len(posts), size)]


def build_window(
    days: list[list[Path]], dest: Path, corpus_dir: Path, replace: dict[str, Path] | None = None
) -> Path:
    """Build the site of the given days; ``replace`` swaps post files by name (corrections)."""
    replace = replace or {}
    posts = [replace.get(path.name, path) for day in days for path in day]
    if dest.exists():
        shutil.rmtree(dest)
    return build_site(posts, dest, corpus_dir=corpus_dir)


def corrected_copy(post: Path, folder: Path, sentence: str) -> Path:
    """A copy of ``post`` whose body gains ``sentence`` (the site corrected the article)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = post.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    paragraphs = body.split("\n\n", 1)
    paragraphs[0] = paragraphs[0].rstrip() + sentence
    corrected = folder / post.name
    corrected.write_text(f"{head}\n---\n" + "\n\n".join(paragraphs), encoding="utf-8")
    return corrected


def post_id(path: Path) -> str:
    return path.stem[len("YYYY-MM-DD-") :]
