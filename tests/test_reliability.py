"""Bad nights on the network: faults injected into the corpus site, kills mid-crawl.

Every post is archived correctly or reported with its reason; a re-run archives what a
transient fault kept back; no output file is ever partial; lost must be 0.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.site.faults import ALL_FAULTS, FaultPlan, FaultySiteServer
from tests.site.fixtures import REPO_ROOT
from tests.site.server import SiteServer
from tests.support.crawl import CrawlResult, crawl_command, posts_of, run_crawl

SEED = 20261127
FAST_RETRIES = {
    "DOWNLOAD_TIMEOUT": "1",
    "NEWSSPIDER_RETRY_BACKOFF": "0.05",
    "NEWSSPIDER_RETRY_AFTER_MAX": "1.5",
    "NEWSSPIDER_MAX_FAILED": "1000",
}
COMPARED = ("title", "published_at", "category", "tags", "source", "body_text")


def _manifests(data: Path) -> list[dict[str, object]]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((data / "runs").glob("*.json"))
    ]


def _assert_no_partial_output(data: Path) -> None:
    for feed in (data / "jsonl").glob("*.jsonl"):
        raw = feed.read_bytes()
        assert raw.endswith(b"\n"), f"{feed} ends with a partial line"
        for line in raw.splitlines():
            json.loads(line)
    for post in (data / "posts" / "_posts").glob("*.md"):
        text = post.read_text(encoding="utf-8")
        assert text.startswith("---\n") and text.endswith("\n"), post
        yaml.safe_load(text.split("---\n", 2)[1])
    assert not list(data.rglob("*.tmp")), "a temporary file was left behind"


@pytest.mark.slow
def test_a_fault_injected_crawl_archives_or_reports_every_post(
    corpus_site: Path, corpus_crawl: CrawlResult, tmp_path: Path
) -> None:
    clean = {r["id"]: r for r in corpus_crawl.records()}
    plan = FaultPlan.for_site(corpus_site, seed=SEED, classes=ALL_FAULTS, fault_listings=True)
    data = tmp_path / "data"
    with FaultySiteServer(corpus_site, plan, slow_seconds=2.0, redirect_style="chain") as server:
        args = {"base_url": server.base_url, "follow_share": "false"}
        first = run_crawl("finews", data, args=args, settings=FAST_RETRIES)
        injected = server.injected
        second = run_crawl("finews", data, args=args, settings=FAST_RETRIES)
    assert first.returncode in (0, 6), first.log[-3000:]
    assert second.returncode in (0, 6), second.log[-3000:]

    archived = {}
    for record in second.records():  # every feed of the data dir: both runs
        assert record["id"] not in archived, f"{record['id']} archived twice"
        archived[record["id"]] = record
    reported = {
        failure["url"].split("?")[0].rsplit("/", 1)[-1].removesuffix(".html")
        for manifest in _manifests(data)
        for failure in manifest["failed"]  # type: ignore[union-attr]
    }
    expected_reported = set(plan.reported_ids) & set(clean)
    lost = set(clean) - set(archived) - reported
    print(
        f"\nfaults injected: {dict(sorted(injected.items()))}"
        f"\narticles: {len(clean)} on the site, {len(archived)} archived,"
        f" {len(expected_reported)} reported ({sorted(expected_reported)}), {len(lost)} lost"
    )
    assert not lost, f"lost: {sorted(lost)}\n{plan.summary()}"
    assert set(archived) == set(clean) - expected_reported
    assert expected_reported <= reported
    for article_id, record in archived.items():  # archived correctly: as the clean crawl did
        for field in COMPARED:
            assert record[field] == clean[article_id][field], (article_id, field)
    assert set(injected) == set(ALL_FAULTS), f"every fault class was injected: {injected}"
    _assert_no_partial_output(data)


def _command(data: Path, base_url: str, jobdir: Path) -> list[str]:
    return crawl_command(
        "finews",
        data,
        args={"base_url": base_url, "follow_share": "false"},
        settings={
            "JOBDIR": str(jobdir),
            "CONCURRENT_REQUESTS": "2",
            "DOWNLOAD_DELAY": "0.02",
            "NEWSSPIDER_CHECKPOINT_ITEMS": "7",
        },
    )


@pytest.mark.slow
def test_sigkill_at_random_points_then_restart_equals_an_uninterrupted_run(
    corpus_site: Path, corpus_crawl: CrawlResult, tmp_path: Path
) -> None:
    chance = random.Random(SEED)
    data, jobdir = tmp_path / "data", tmp_path / "job"
    kills = 0
    with SiteServer(corpus_site) as server:
        command = _command(data, server.base_url, jobdir)
        for _ in range(3):
            run = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(chance.uniform(1.2, 3.0))  # start-up is about a second
            if run.poll() is None:
                run.send_signal(signal.SIGKILL)
                kills += 1
            run.wait(timeout=60)
        final = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    assert kills >= 2, "the crawl was killed mid-way at least twice"

    ids = [
        json.loads(line)["id"]
        for f in (data / "jsonl").glob("*.jsonl")
        for line in f.read_text().splitlines()
    ]
    feeds = len(list((data / "jsonl").glob("*.jsonl")))
    print(f"\nkilled {kills} times; {len(ids)} records in {feeds} feeds")
    assert sorted(ids) == sorted(r["id"] for r in corpus_crawl.records()), "no loss, no duplicate"
    assert posts_of(data) == posts_of(corpus_crawl.data_dir)
    _assert_no_partial_output(data)
