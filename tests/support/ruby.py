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
