"""Ruby, as Jekyll runs it, over a list of documents: one ``ruby`` process, JSON both ways."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from tests.site.fixtures import skip_or_fail


def ruby_over_json(script: str, documents: list[str], *, library: str) -> Any:
    """What ``script`` prints (JSON) for ``documents`` (JSON on its stdin). Skips (fails with
    ``NEWSSPIDER_STRICT=1``) without ruby or without ``library`` for it."""
    if shutil.which("ruby") is None:
        skip_or_fail(f"ruby is not installed: apt-get install jekyll (it brings {library})")
    result = subprocess.run(
        ["ruby", "-e", script],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if result.returncode != 0 and "cannot load such file" in result.stderr:
        skip_or_fail(f"{library} is not installed for ruby: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


RUBY_KRAMDOWN = r"""
require "json"
require "kramdown"
require "kramdown-parser-gfm"
# Jekyll's kramdown defaults, with the site's input: GFM and hard_wrap: false.
options = {input: "GFM", hard_wrap: false, auto_ids: true, entity_output: "as_char",
           smart_quotes: "lsquo,rsquo,ldquo,rdquo", footnote_nr: 1, show_warnings: false}
documents = JSON.parse($stdin.read)
puts JSON.generate(documents.map { |text| Kramdown::Document.new(text, options).to_html })
"""


def kramdown_to_html(documents: list[str]) -> list[str]:
    """Every Markdown document rendered by kramdown, in one ``ruby`` process."""
    rendered: list[str] = ruby_over_json(RUBY_KRAMDOWN, documents, library="ruby-kramdown")
    return rendered
