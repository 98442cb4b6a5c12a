"""Running real ``scrapy crawl`` processes against local servers, and reading their outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.site.fixtures import REPO_ROOT
from tests.site.server import SiteServer

# Settings for loopback test servers: no politeness delays, no robots.txt round trip.
TEST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "ROBOTSTXT_OBEY": "0",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    data_dir: Path
    returncode: int
    log: str

    @property
    def feeds(self) -> list[Path]:
        return sorted((self.data_dir / "jsonl").glob("*.jsonl"))

    def records(self) -> list[dict[str, object]]:
        return [
            json.loads(line)
            for feed in self.feeds
            for line in feed.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    @property
    def posts_dir(self) -> Path:
        return self.data_dir / "posts" / "_posts"


def crawl_command(
    spider: str,
    data_dir: Path,
    *,
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
) -> list[str]:
    """``scrapy crawl`` with the test settings, for a subprocess."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in {
        **TEST_SETTINGS,
        "NEWSSPIDER_DATA_DIR": str(data_dir),
        **(settings or {}),
    }.items():
        command += ["-s", f"{key}={value}"]
    return command


def posts_of(data_dir: Path) -> dict[str, str]:
    """The Jekyll posts a crawl wrote, by file name."""
    return {
        p.name: p.read_text(encoding="utf-8") for p in (data_dir / "posts" / "_posts").glob("*.md")
    }


def run_crawl(
    spider: str,
    data_dir: Path,
    *,
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    timeout: float = 600,
) -> CrawlResult:
    completed = subprocess.run(
        crawl_command(spider, data_dir, args=args, settings=settings),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )
    return CrawlResult(data_dir=data_dir, returncode=completed.returncode, log=completed.stderr)


@pytest.fixture(scope="session")
def corpus_crawl(
    corpus_server: SiteServer, tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    """One full ``finews`` crawl of the corpus site (shared by the round-trip tests)."""
    result = run_crawl(
        "finews", tmp_path_factory.mktemp("corpus_crawl"), args={"base_url": corpus_server.base_url}
    )
    assert result.returncode == 0, result.log[-3000:]
    return result
