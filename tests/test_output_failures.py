"""An output that refuses an article (a full disk, a broken folder) loses nothing.

The run stops at once with a non-zero status, names the article in its manifest, keeps it
out of the crawl state and saves no listing validators; the next run, once the disk takes
writes again, archives every article exactly once. The disk is really full: the feed is
pointed at ``/dev/full``, whose writes the kernel answers with ENOSPC.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from newsspider.exitcodes import ExitCode
from newsspider.settings import EXPORT_FIELDS
from tests.support.crawl import CrawlResult, run_crawl

SAMPLE = {"sample": "true"}
SAMPLE_ARTICLES = 15


def _state_counts(data: Path) -> tuple[int, int]:
    """Articles recorded, and listing validators saved, in the crawl state."""
    with sqlite3.connect(data / "state" / "crawl.sqlite3") as db:
        (articles,) = db.execute("SELECT COUNT(*) FROM articles").fetchone()
        (validators,) = db.execute("SELECT COUNT(*) FROM validators").fetchone()
    return articles, validators


def _manifest(data: Path) -> dict[str, object]:
    (path,) = sorted((data / "runs").glob("*.json"))[-1:]
    manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _feed_ids(result: CrawlResult) -> Counter[str]:
    return Counter(str(record["id"]) for record in result.records())


def _assert_nothing_lost(data: Path) -> None:
    again = run_crawl("finews", data, args=SAMPLE)
    assert again.returncode == 0, again.log[-3000:]
    ids = _feed_ids(again)
    assert len(ids) == SAMPLE_ARTICLES and set(ids.values()) == {1}, ids
    assert len(list(again.posts_dir.glob("*.md"))) == SAMPLE_ARTICLES
    assert _state_counts(data)[0] == SAMPLE_ARTICLES


def test_a_full_disk_under_the_feed_stops_the_run_and_loses_nothing(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    data = tmp_path / "data"
    feeds = {"/dev/full": {"format": "jsonlines", "encoding": "utf8", "fields": EXPORT_FIELDS}}
    full = run_crawl("finews", data, args=SAMPLE, settings={"FEEDS": json.dumps(feeds)})

    assert full.returncode == ExitCode.COMPONENT_FAILED, full.log[-3000:]
    assert "Closing spider (output_failed)" in full.log
    assert "Could not write the feed of" in full.log
    assert "No space left on device" in full.log
    assert _state_counts(data) == (0, 0), "no article recorded, no validator saved"
    manifest = _manifest(data)
    assert manifest["finish_reason"] == "output_failed"
    assert manifest["exit_status"] == ExitCode.COMPONENT_FAILED
    failed = manifest["failed"]
    assert isinstance(failed, list) and failed and {f["kind"] for f in failed} == {"feed"}
    _assert_nothing_lost(data)


def test_a_broken_posts_folder_stops_the_run_and_the_next_completes_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    blocker = data / "posts" / "_posts"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")
    broken = run_crawl("finews", data, args=SAMPLE)

    assert broken.returncode == ExitCode.COMPONENT_FAILED, broken.log[-3000:]
    assert "Closing spider (output_failed)" in broken.log
    assert "Could not write the post of" in broken.log
    assert _state_counts(data) == (0, 0), "no article recorded, no validator saved"
    failed = _manifest(data)["failed"]
    assert isinstance(failed, list) and failed and {f["kind"] for f in failed} == {"post"}
    in_feed = set(_feed_ids(broken))
    assert in_feed, "the feed took the records the posts folder refused"

    blocker.unlink()
    again = run_crawl("finews", data, args=SAMPLE)
    assert again.returncode == 0, again.log[-3000:]
    # The stopped run's feed is replayed: its articles are recorded and their posts written.
    manifest = _manifest(data)
    assert set(manifest["recovered"]) == in_feed  # type: ignore[arg-type]
    ids = _feed_ids(again)
    assert set(ids.values()) == {1}, "no article in two feeds"
    assert len(ids) == SAMPLE_ARTICLES
    assert len(list(again.posts_dir.glob("*.md"))) == SAMPLE_ARTICLES
    assert _state_counts(data)[0] == SAMPLE_ARTICLES
