"""The benchmark (``bench/``) runs end to end in its quick mode, so it cannot rot.

The quick mode crawls a tiny synthetic site (60 posts) once with each crawl; its figures mean
nothing, but every one of them must be there, both crawls must fetch the same pages and the
no-change re-crawl must fetch no post page. Needs nginx (``apt-get install -y nginx``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector

from bench.fsprobe import file_creation_ms
from bench.nginx import nginx_binary
from bench.run import _wait, compare, parse_stats_dump, table
from bench.site import generate_site
from newsspider.files import temporary_name
from newsspider.pages import CategoryPage, HomePage, PostPageV1
from tests.site.fixtures import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
POSTS = 60


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if nginx_binary() is None:
        skip_or_fail("nginx is not installed: apt-get install -y nginx")
    work = tmp_path_factory.mktemp("bench")
    out = work / "result.json"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick"]
    command += ["--sizes", str(POSTS), "--repeat", "1", "--out", str(out)]
    command += ["--workdir", str(work / "work")]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| full / fetch-only |" in result.stdout
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _runs(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [run for run in data["sizes"][str(POSTS)]["runs"] if run["kind"] == kind]


def test_quick_benchmark_has_every_figure(quick_result: dict[str, Any]) -> None:
    size = quick_result["sizes"][str(POSTS)]
    assert size["site"]["posts"] == POSTS
    assert size["nginx"]["requests_per_second"] > 0
    summary = size["summary"]
    for key in ("fetchonly_pages_per_second", "full_pages_per_second", "ratio_full_to_fetchonly"):
        assert summary[key]["median"] > 0, key
    for part in ("parse", "pipelines", "outputs", "total", "posts_writer"):
        assert summary["cpu_ms_per_article"][part]["median"] > 0, part
    writer = summary["cpu_ms_per_article"]["posts_writer"]["median"]
    assert writer < summary["cpu_ms_per_article"]["outputs"]["median"]
    # The disk probe ran before the full crawl, not before the others.
    assert summary["fs_create_ms_per_file"]["median"] > 0
    assert _runs(quick_result, "full")[0]["fs_create_ms_per_file"] > 0
    for kind in ("fetchonly", "recrawl"):
        assert _runs(quick_result, kind)[0]["fs_create_ms_per_file"] is None, kind
    for kind in ("fetchonly", "full"):
        assert summary["peak_rss_mb"][kind]["median"] > 0
        assert summary["process_cpu_ms_per_page"][kind]["median"] > 0
    assert summary["recrawl"]["wall_seconds"]["median"] > 0
    assert summary["recrawl"]["wall_share_of_full"]["median"] > 0
    assert summary["exit_statuses"] == [0]
    (full,) = _runs(quick_result, "full")
    assert full["stats"]["newsspider/cpu/articles"] == POSTS
    assert full["stats"]["newsspider/cpu/post_pages"] == POSTS
    if (os.cpu_count() or 1) > 1:
        # Bodies cleaned by the worker process, its CPU time charged to the pipelines.
        assert full["stats"]["newsspider/body/worker/bodies"] == POSTS
        worker = "newsspider/cpu/pipeline/BodyCleaningPipeline.worker_process/ms"
        assert 0 < full["stats"][worker] < full["stats"]["newsspider/cpu/pipelines_ms"]
        # ... and its memory counted in the crawl's peak.
        assert 0 < full["children_peak_rss_mb"] < full["peak_rss_mb"]
    else:  # one CPU: no worker
        assert "newsspider/body/worker/bodies" not in full["stats"]
    for kind in ("fetchonly", "full"):
        (run,) = _runs(quick_result, kind)
        # Measured as the project runs: every request through the disk queue, the CPU
        # profile's timed callbacks included.
        assert run["stats"]["scheduler/enqueued/disk"] == pages_of(quick_result), kind
        assert "scheduler/unserializable" not in run["stats"], kind
    names = [target["name"] for target in quick_result["targets"]]
    assert len(names) == 6, names
    assert {target["verdict"] for target in quick_result["targets"]} <= {"PASS", "FAIL", "n/a"}


def test_both_crawls_fetch_the_same_pages(quick_result: dict[str, Any]) -> None:
    pages = quick_result["sizes"][str(POSTS)]["site"]["pages"]
    (fetch,) = _runs(quick_result, "fetchonly")
    (full,) = _runs(quick_result, "full")
    for run in (fetch, full):
        assert run["requests"]["requests"] == pages
        assert run["requests"]["post_requests"] == POSTS
        assert run["requests"]["statuses"] == {"200": pages}
    assert fetch["requests"]["uris_sha256"] == full["requests"]["uris_sha256"]
    assert quick_result["sizes"][str(POSTS)]["summary"]["same_pages"] is True


def test_no_change_recrawl_requests_no_post_page(quick_result: dict[str, Any]) -> None:
    (recrawl,) = _runs(quick_result, "recrawl")
    assert recrawl["exit_status"] == 0
    assert recrawl["requests"]["post_requests"] == 0
    assert recrawl["requests"]["requests"] > 0  # the listings, asked conditionally
    assert set(recrawl["requests"]["statuses"]) == {"304"}


def test_table_and_compare(quick_result: dict[str, Any]) -> None:
    sizes = {int(n): size for n, size in quick_result["sizes"].items()}
    shown = table(quick_result | {"sizes": sizes})
    assert "CPU ms/article: total" in shown and "| disk probe: CPU ms per post file |" in shown
    deltas = compare(quick_result, quick_result)
    assert "| full pages/s |" in deltas and "+0" in deltas


_FORKING_PROCESS = """
import os, subprocess, sys, time
ballast = b"x" * (80 << 20)  # touched: resident
child = os.fork()
if child == 0:  # a fork that never execs: its memory is this process's
    time.sleep(0.6)
    os._exit(0)
os.waitpid(child, 0)
subprocess.run([sys.executable, "-c", "import time; time.sleep(0.6)"], check=True)
"""


def test_the_peak_counts_exec_ed_children_and_not_a_fork_sharing_the_crawls_memory() -> None:
    process = subprocess.Popen([sys.executable, "-c", _FORKING_PROCESS])
    status, _, peak_kib, children_kib = _wait(process, timeout=60)
    assert status == 0
    own_kib = peak_kib - children_kib
    assert own_kib > 80 << 10  # the ballast
    # The exec-ed interpreter (a few MB) counts; the fork (80 MB more) does not.
    assert 0 < children_kib < 40 << 10


def test_the_disk_probe_creates_files_as_the_posts_writer_does_and_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[str] = []
    renamed: list[tuple[str, str]] = []
    real_open, real_rename = os.open, os.rename

    def recording_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            created.append(str(path))
        return real_open(path, flags, *args, **kwargs)

    def recording_rename(source: Any, target: Any, **kwargs: Any) -> None:
        renamed.append((str(source), str(target)))
        real_rename(source, target, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    monkeypatch.setattr(os, "rename", recording_rename)
    cost = file_creation_ms(tmp_path / "data", files=20)
    assert cost > 0
    temps = [temporary_name(f"{number}.md") for number in range(20)]  # AtomicFolder's
    assert created == temps
    assert renamed == [(temp, f"{number}.md") for number, temp in enumerate(temps)]
    assert list((tmp_path / "data").iterdir()) == []


def test_generated_site_is_reproducible_and_parses(tmp_path: Path) -> None:
    one = generate_site(tmp_path / "one", 30, seed=7)
    two = generate_site(tmp_path / "two", 30, seed=7)
    files = sorted(path.relative_to(one.root) for path in one.root.rglob("*.html"))
    assert files == sorted(path.relative_to(two.root) for path in two.root.rglob("*.html"))
    assert all((one.root / f).read_bytes() == (two.root / f).read_bytes() for f in files)
    assert one.pages_file.read_text() == two.pages_file.read_text()

    home = HomePage().parse(Selector(text=(one.root / "index.html").read_text()))
    assert home and all(section.links for section in home)
    listed = [
        link.href
        for page in (one.root / "category").glob("*.html")
        for link in CategoryPage().parse(page.read_bytes())
    ]
    post_paths = [path for page in one.links.values() for path in page if "/category/" not in path]
    assert len(post_paths) == 30
    assert set(listed) <= set(post_paths)
    for path in post_paths:
        page = PostPageV1().parse((one.root / path.lstrip("/")).read_bytes())
        assert page.title and page.shown_date and page.tags and page.body_html
        assert page.source_link and page.back_links


def test_stats_dump_is_read_from_the_log() -> None:
    log = (
        "2026-11-27 05:30:09 [scrapy.statscollectors] INFO: Dumping Scrapy stats:\n"
        "{'elapsed_time_seconds': 1.5,\n"
        " 'finish_time': datetime.datetime(2026, 11, 27, 5, 30, 9, tzinfo=datetime.timezone.utc),\n"
        " 'newsspider/cpu/articles': 3,\n"
        " 'weird': 'a}'}\n"
        "2026-11-27 05:30:09 [scrapy.core.engine] INFO: Spider closed (finished)\n"
    )
    stats = parse_stats_dump(log)
    assert stats["newsspider/cpu/articles"] == 3
    assert stats["finish_time"] is None
    assert parse_stats_dump("no stats here") == {}


def pages_of(result: dict[str, Any]) -> int:
    return int(result["sizes"][str(POSTS)]["site"]["pages"])
