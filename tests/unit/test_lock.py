"""One run per data directory; the workers of a distributed crawl share it, never with a
single run."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsspider import lock
from tests.site.fixtures import REPO_ROOT


@contextmanager
def held_by_another_process(data: Path, name: str | None) -> Iterator[None]:
    code = (
        "import sys, time; from pathlib import Path; from newsspider import lock\n"
        f"lock.acquire(Path({str(data)!r}), {name!r}); print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"
    for name in (None, "w1", "w2"):
        lock.release(tmp_path / "data", name)


@pytest.mark.parametrize(
    ("holder", "asker", "allowed"),
    [
        (None, None, False),  # two single runs
        ("w1", "w2", True),  # two workers of a distributed crawl
        ("w1", "w1", False),  # two workers of one name
        (None, "w1", False),  # a single run, then a worker
        ("w1", None, False),  # a worker, then a single run
    ],
)
def test_who_may_share_a_data_directory(
    data: Path, holder: str | None, asker: str | None, allowed: bool
) -> None:
    with held_by_another_process(data, holder):
        if allowed:
            lock.acquire(data, asker)
            return
        started = time.monotonic()
        with pytest.raises(lock.DataDirLockedError, match="this run did nothing"):
            lock.acquire(data, asker)
        assert time.monotonic() - started < 5, "the lock is not waited for"
