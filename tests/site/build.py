"""Build a faithful copy of the finews site with the real Jekyll.

The Jekyll source skeleton lives next to this module in ``jekyll/`` (layouts,
home page, ``emnews/`` page, ``_config.yml``). :func:`build_site` copies it to a
temporary directory, adds the given post files, the corpus category stubs and
``404.md``, and runs ``jekyll build``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "JEKYLL_SKELETON",
    "JekyllBuildError",
    "build_site",
    "jekyll_available",
    "post_categories",
    "published_corpus_posts",
]

#: The Jekyll source skeleton (layouts, index pages, _config.yml).
JEKYLL_SKELETON = Path(__file__).resolve().with_name("jekyll")

#: Jekyll's ``Document::DATE_FILENAME_MATCHER`` applied to a bare file name:
#: only ``_posts`` files whose name matches are read (and published) by Jekyll.
_DATE_FILENAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
#: Jekyll's ``Utils.has_yaml_header?``: front matter only when the file starts with it.
_YAML_HEADER = re.compile(r"\A---\s*\r?\n")
_FRONT_MATTER = re.compile(r"\A---\s*\r?\n(.*?)\r?\n---\s*(?:\r?\n|\Z)", re.DOTALL)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BUILD_TIMEOUT = 300.0


class JekyllBuildError(RuntimeError):
    """``jekyll build`` failed; ``stderr`` holds Jekyll's full error output."""

    def __init__(self, message: str, *, returncode: int, stderr: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


def jekyll_available() -> bool:
    """Whether a ``jekyll`` executable is on ``PATH``."""
    return shutil.which("jekyll") is not None


def published_corpus_posts(corpus_dir: Path) -> list[Path]:
    """The corpus ``_posts/*.md`` files that Jekyll reads: names with a date prefix.

    ``-202205262391921712.md`` (no date) is left out, as Jekyll ignores it.
    Sorted by file name.
    """
    posts_dir = Path(corpus_dir) / "_posts"
    return sorted(
        path
        for path in posts_dir.glob("*.md")
        if path.is_file() and _DATE_FILENAME.match(path.name)
    )


def _front_matter(text: str) -> str | None:
    if not _YAML_HEADER.match(text):
        return None
    match = _FRONT_MATTER.match(text)
    return match.group(1) if match else None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _front_matter_value(front_matter: str, key: str) -> list[str]:
    """The value(s) of a simple top-level key: a scalar, a ``[a, b]`` flow list
    or a ``- a`` block list. Enough for the ``categories`` of real posts."""
    lines = front_matter.splitlines()
    for index, line in enumerate(lines):
        match = re.match(rf"^{re.escape(key)}\s*:(.*)$", line)
        if not match:
            continue
        raw = match.group(1).strip()
        if raw.startswith("[") and raw.endswith("]"):
            return [v for v in (_unquote(p) for p in raw[1:-1].split(",")) if v]
        if raw:
            return [_unquote(raw)]
        items: list[str] = []
        for item in lines[index + 1 :]:
            block = re.match(r"^\s*-\s+(.*)$", item)
            if not block:
                break
            items.append(_unquote(block.group(1)))
        return [v for v in items if v]
    return []


def post_categories(post: Path) -> list[str]:
    """Category slugs a post names in its front matter, each as written.

    A value with spaces (``21shijijingjibaodao 21caijingAPP``) is ONE slug here,
    the way the site's generator named the category stub, although Jekyll
    splits it into two categories for the URL and ``site.categories``.
    A file without front matter has none.
    """
    front_matter = _front_matter(Path(post).read_text(encoding="utf-8", errors="replace"))
    if front_matter is None:
        return []
    return _front_matter_value(front_matter, "categories") + _front_matter_value(
        front_matter, "category"
    )


def _stub_category(stub: Path) -> str:
    front_matter = _front_matter(stub.read_text(encoding="utf-8", errors="replace"))
    values = _front_matter_value(front_matter, "category") if front_matter else []
    return values[0] if values else stub.stem


def _assemble_source(posts: Iterable[Path], src: Path, corpus_dir: Path) -> None:
    shutil.copytree(
        JEKYLL_SKELETON,
        src,
        ignore=shutil.ignore_patterns("__pycache__", ".jekyll-cache", "_site", "_posts"),
    )
    posts_dir = src / "_posts"
    posts_dir.mkdir()
    used: list[str] = []
    for post in posts:
        post = Path(post)
        target = posts_dir / post.name
        if target.exists():
            raise ValueError(f"two posts share the file name {post.name!r}")
        shutil.copyfile(post, target)
        used.extend(c for c in post_categories(post) if c not in used)

    category_dir = src / "category"
    category_dir.mkdir()
    stubbed: set[str] = set()
    corpus_categories = corpus_dir / "category"
    if corpus_categories.is_dir():
        for stub in sorted(corpus_categories.glob("*.html")):
            shutil.copyfile(stub, category_dir / stub.name)
            stubbed.update({stub.stem, _stub_category(stub)})
    for slug in used:
        if slug in stubbed or "/" in slug or slug.startswith((".", "_", "#")):
            continue
        quoted = json.dumps(slug, ensure_ascii=False)  # a valid YAML double-quoted scalar
        (category_dir / f"{slug}.html").write_text(
            f"---\nlayout: category\ntitle: {quoted}\ncategory: {quoted}\n---\n",
            encoding="utf-8",
        )
        stubbed.add(slug)

    not_found = corpus_dir / "404.md"
    if not_found.is_file():
        shutil.copyfile(not_found, src / "404.md")


def _error_summary(stderr: str) -> str:
    """Jekyll's error lines without the Ruby backtrace."""
    lines = [
        line.rstrip()
        for line in _ANSI.sub("", stderr).splitlines()
        if line.strip() and not line.lstrip().startswith("from ")
    ]
    return "\n".join(lines[:40])


def build_site(posts: Iterable[Path], dest: Path, *, corpus_dir: Path) -> Path:
    """Build the site from ``posts`` into ``dest`` and return ``dest`` (absolute).

    The source tree is assembled in a temporary directory: the skeleton, the
    post files in ``_posts/`` (names kept, so only date-prefixed names are
    published), ``corpus_dir/category/*.html``, a ``layout: category`` stub for
    every category of the posts that has none (e.g. ``emnews``, ``sitenews``),
    and ``corpus_dir/404.md``. Jekyll empties ``dest`` of anything it did not
    generate. Raises :class:`JekyllBuildError` (with Jekyll's stderr) when the
    build fails, e.g. for a dated post whose front matter says ``date:  +0800``.
    """
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        raise FileNotFoundError(
            "jekyll is not installed: apt-get install jekyll ruby-jekyll-feed ruby-jekyll-seo-tag"
        )
    corpus_dir = Path(corpus_dir)
    dest = Path(dest).absolute()
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", JEKYLL_ENV="production")
    with tempfile.TemporaryDirectory(prefix="finews-jekyll-") as tmp:
        src = Path(tmp) / "src"
        _assemble_source(posts, src, corpus_dir)
        command = [
            jekyll,
            "build",
            "--source",
            str(src),
            "--destination",
            str(dest),
            "--disable-disk-cache",
            "--quiet",
        ]
        result = subprocess.run(
            command,
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=_BUILD_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        stderr = result.stderr or result.stdout
        raise JekyllBuildError(
            f"jekyll build failed (exit {result.returncode}):\n{_error_summary(stderr)}",
            returncode=result.returncode,
            stderr=stderr,
        )
    return dest
