"""Incremental re-crawls over a site that forgets: fetch only what is new, lose nothing."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from newsspider.exitcodes import ExitCode
from tests.site.fixtures import REPO_ROOT, require_jekyll
from tests.site.server import SiteServer
from tests.support.crawl import CrawlResult, crawl_command, posts_of, run_crawl
from tests.support.windows import build_window, corpus_days, corrected_copy, post_id

ARGS = {"follow_share": "false"}


def _post_requests(server: SiteServer) -> list[str]:
    return [
        r.path for r in server.requests if re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$", r.path)
    ]


def _manifest(result: CrawlResult) -> dict[str, object]:
    (line,) = [x for x in result.log.splitlines() if "manifest " in x and "Run " in x]
    return json.loads(Path(line.rsplit("manifest ", 1)[1].strip()).read_text(encoding="utf-8"))


def _archive(data_dir: Path) -> Counter[tuple[str, int]]:
    """(id, revision) of every JSON Lines record of every run."""
    return Counter(
        (record["id"], record["revision"])
        for feed in sorted((data_dir / "jsonl").glob("*.jsonl"))
        for record in map(json.loads, feed.read_text(encoding="utf-8").splitlines())
    )


@pytest.fixture(scope="module")
def days(corpus_dir: Path) -> list[list[Path]]:
    require_jekyll()
    slices = corpus_days(corpus_dir)
    assert len(slices) == 5 and all(slices)
    return slices


@pytest.mark.slow
def test_sliding_windows_fetch_only_what_is_new_and_lose_nothing(
    days: list[list[Path]], corpus_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    site = build_window(days[0:3], tmp_path / "site", corpus_dir)
    window1 = {post_id(p) for day in days[0:3] for p in day}
    with SiteServer(site) as server:
        args = {**ARGS, "base_url": server.base_url}

        # Step 1: window 1, from an empty archive.
        first = run_crawl("finews", data, args=args)
        assert first.returncode == 0, first.log[-3000:]
        assert set(_manifest(first)["new"]) == window1

        # Step 2: the same window again (rebuilt): listings answer 304, no post is requested.
        build_window(days[0:3], tmp_path / "site", corpus_dir)
        server.clear()
        second = run_crawl("finews", data, args=args)
        assert second.returncode == 0, second.log[-3000:]
        assert _post_requests(server) == []
        listings = [r for r in server.requests if not _post_requests_path(r.path)]
        assert listings and all(r.status == 304 for r in listings), listings
        assert _manifest(second)["new"] == [] and _manifest(second)["revised"] == []
        assert len(list((data / "jsonl").glob("*.jsonl"))) == 1, "nothing exported"

        # Step 3: window 2: one day dropped, one added.
        server.root = build_window(days[1:4], tmp_path / "site2", corpus_dir)
        server.clear()
        third = run_crawl("finews", data, args=args)
        assert third.returncode == 0, third.log[-3000:]
        added = {post_id(p) for p in days[3]}
        requested = Counter(
            path.rsplit("/", 1)[1].removesuffix(".html") for path in _post_requests(server)
        )
        assert set(requested) == added and max(requested.values()) == 1
        assert set(_manifest(third)["new"]) == added
        dropped = {post_id(p) for p in days[0]}
        posts = {
            p.name.split("-", 3)[-1].removesuffix(".md")
            for p in (data / "posts" / "_posts").glob("*.md")
        }
        assert dropped <= posts, "the dropped day's posts stay in the archive"
        gone = _state_gone(data)
        assert dropped <= gone, "the state records that the site stopped serving them"

        # Step 4: a corrected post, re-checked under refresh: revision 2, and only it.
        corrected_post = days[2][0]
        fixed = corrected_copy(corrected_post, tmp_path / "corrections", "（本文已更正。）")
        server.root = build_window(days[1:4], tmp_path / "site3", corpus_dir, {fixed.name: fixed})
        server.clear()
        fourth = run_crawl("finews", data, args={**args, "refresh": "2021-11-01"})
        assert fourth.returncode == 0, fourth.log[-3000:]
        assert _manifest(fourth)["revised"] == [post_id(corrected_post)]
        assert _manifest(fourth)["new"] == []
        statuses = Counter(r.status for r in server.requests if _post_requests_path(r.path))
        assert statuses[200] == 1 and statuses[304] >= len(added), statuses

    # After all steps: every post of every window exactly once, the correction as revision 2.
    archive = _archive(data)
    every = {post_id(p) for day in days[0:4] for p in day}
    assert {article_id for article_id, revision in archive if revision == 1} == every
    assert all(count == 1 for count in archive.values())
    assert [key for key in archive if key[1] == 2] == [(post_id(corrected_post), 2)]
    # The run manifests list exactly the exported ids.
    manifests = [json.loads(p.read_text()) for p in sorted((data / "runs").glob("*.json"))]
    listed = Counter(i for m in manifests for i in [*m["new"], *m["revised"]])
    assert listed == Counter(article_id for article_id, _ in archive.elements())
    text = (data / "posts" / "_posts").glob(f"*-{post_id(corrected_post)}.md")
    assert "本文已更正" in next(text).read_text(encoding="utf-8")


def _post_requests_path(path: str) -> bool:
    return re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$", path) is not None


def _state_gone(data: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(data / "state" / "crawl.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT id FROM articles WHERE gone_at IS NOT NULL")}


def _crawl_command(data: Path, base_url: str, **settings: str) -> list[str]:
    return crawl_command("finews", data, args={**ARGS, "base_url": base_url}, settings=settings)


@pytest.mark.slow
def test_a_second_run_exits_at_once_and_changes_nothing(
    days: list[list[Path]], corpus_dir: Path, tmp_path: Path
) -> None:
    site = build_window(days[0:3], tmp_path / "site", corpus_dir)
    data = tmp_path / "data"
    with SiteServer(site) as server:
        slow = _crawl_command(data, server.base_url, DOWNLOAD_DELAY="0.1", CONCURRENT_REQUESTS="1")
        first = subprocess.Popen(
            slow, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            lock = data / "state" / "run.lock"
            deadline = time.monotonic() + 30
            while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.05)
            second = subprocess.run(
                _crawl_command(data, server.base_url),
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert first.poll() is None, "the first run must still be running"
            assert second.returncode == ExitCode.LOCKED, second.stderr[-2000:]
            assert "another newsspider run" in second.stderr
            assert "Spider opened" not in second.stderr
        finally:
            _, stderr = first.communicate(timeout=120)
        assert first.returncode == 0, stderr[-2000:]
    manifests = list((data / "runs").glob("*.json"))
    assert len(manifests) == 1, "only the first run left a manifest"


@pytest.mark.slow
def test_a_killed_run_resumed_with_jobdir_ends_with_the_same_archive(
    days: list[list[Path]], corpus_dir: Path, tmp_path: Path
) -> None:
    site = build_window(days[0:5], tmp_path / "site", corpus_dir)
    with SiteServer(site) as server:
        reference = run_crawl(
            "finews", tmp_path / "reference", args={**ARGS, "base_url": server.base_url}
        )
        assert reference.returncode == 0, reference.log[-3000:]

        data = tmp_path / "data"
        jobdir = tmp_path / "job"
        command = _crawl_command(
            data,
            server.base_url,
            JOBDIR=str(jobdir),
            CONCURRENT_REQUESTS="2",
            DOWNLOAD_DELAY="0.02",
        )
        killed = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline and len(list((data / "posts" / "_posts").glob("*.md"))) < 15
        ):
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        archived_before_kill = len(list((data / "posts" / "_posts").glob("*.md")))
        assert 15 <= archived_before_kill < len(reference.records()), "killed mid-crawl"

        resumed = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr[-3000:]

    assert posts_of(data) == posts_of(tmp_path / "reference")
    archive = _archive(data)
    assert all(count == 1 for count in archive.values()), "no duplicates"
    assert set(archive) == set(_archive(tmp_path / "reference"))
    for feed in (data / "jsonl").glob("*.jsonl"):
        assert feed.read_bytes().endswith(b"\n"), "no partial line"
