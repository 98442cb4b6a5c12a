"""The bundled sample site (and its share host), served by a process of the test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.site.fixtures import REPO_ROOT

_SERVE = (
    "from twisted.internet import reactor\n"
    "from newsspider.sample_site import serve_sample_site\n"
    "print(serve_sample_site(), flush=True)\n"
    "reactor.run()\n"
)


@contextmanager
def sample_site_served(errors: Path) -> Iterator[str]:
    """The sample site's URL while a process serves it; its stderr goes to ``errors``."""
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), errors.read_text(encoding="utf-8")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
