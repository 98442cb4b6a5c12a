"""The crawl benchmark: the full ``finews`` crawl against Scrapy's own limit on this machine.

For each size N it generates a synthetic finews site of N posts (``bench/site.py``), serves
it with nginx on loopback (``bench/nginx.py``), checks that nginx alone serves far faster
than any crawl (``wrk``), then runs, alternately and each in a fresh process and data dir:

(a) ``fetchonly`` (``bench/fetchonly.py``): the same pages with the same settings, no parsing;
(b) the full crawl, ``scrapy crawl finews -a base_url=… -a follow_share=false``, with every
    pipeline and both outputs, with ``newsspider.extensions.cputime`` measuring the CPU time
    spent in the post callback, the pipelines and the output writers;
(c) the same full crawl again on (b)'s data dir: a no-change incremental re-crawl.

It prints a table with PASS/FAIL for the project's targets and writes everything as JSON
(``bench/results/<UTC time>.json`` by default) for a later ``--compare``.

    .venv/bin/python bench/run.py [--quick] [--sizes 2000,20000] [--repeat 3]
                                   [--out bench/results/X.json] [--compare previous.json]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fsprobe import file_creation_ms  # noqa: E402
from bench.nginx import Nginx, Requests, nginx_binary, nginx_version, throughput  # noqa: E402
from bench.site import DEFAULT_SEED, GeneratedSite, generate_site  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
SCHEMA = 1
CPU_EXTENSION = "newsspider.extensions.cputime.CpuTimeProfile"
_POSTS_WRITER = "output/JekyllPostsWriter.item_scraped/ms"
#: Both crawls run with these on top of the project's settings: as fast as Scrapy goes.
BENCH_SETTINGS: dict[str, object] = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "NEWSSPIDER_CPU_PROFILE": True,
    "LOG_LEVEL": "INFO",
}
DEFAULT_SIZES = (2000, 20000)
QUICK_SIZES = (60,)
CRAWL_TIMEOUT = 3600.0

# Targets (on medians).
RATIO_MIN, RATIO_AIM = 0.5, 0.7
CPU_MS_PER_ARTICLE_MAX = 0.8
RSS_MB_MAX, RSS_GROWTH_MAX = 150.0, 0.10
RECRAWL_WALL_SHARE_MAX = 0.05


def _python() -> str:
    """The interpreter that runs Scrapy: this one (``main`` moved to the venv's if needed)."""
    return sys.executable


def _use_project_python(argv: Sequence[str]) -> None:
    """``python bench/run.py`` without the venv: run again with the project's interpreter."""
    if importlib.util.find_spec("scrapy") is not None:
        return
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(venv, [str(venv), str(Path(__file__).resolve()), *argv])
    raise SystemExit("bench: scrapy is not importable: pip install -e . (or use .venv/bin/python)")


def project_extensions() -> dict[str, int]:
    """The project's ``EXTENSIONS`` plus the CPU-time extension (``-s`` replaces the dict)."""
    from newsspider import settings as project

    extensions: dict[str, int] = dict(getattr(project, "EXTENSIONS", {}))
    extensions.setdefault(CPU_EXTENSION, 900)
    return extensions


def setting_args(settings: dict[str, object]) -> list[str]:
    args: list[str] = []
    for name, value in settings.items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        args += ["-s", f"{name}={text}"]
    return args


# --- one crawl -------------------------------------------------------------------------------

_DATETIME_RE = re.compile(r"datetime\.datetime\([^()]*\)")


def parse_stats_dump(log_text: str) -> dict[str, Any]:
    """The crawl stats from Scrapy's ``Dumping Scrapy stats:`` log record (a pprinted dict)."""
    marker = log_text.rfind("Dumping Scrapy stats:")
    if marker < 0:
        return {}
    lines = log_text[marker:].splitlines()[1:]
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if line.rstrip().endswith("}"):
            text = _DATETIME_RE.sub("None", "\n".join(chunk))
            try:
                stats = ast.literal_eval(text)
            except (SyntaxError, ValueError):
                continue
            return stats if isinstance(stats, dict) else {}
    return {}


@dataclass(slots=True)
class CrawlRun:
    kind: str  # fetchonly, full, recrawl
    posts: int
    repeat: int
    exit_status: int
    wall_seconds: float  # the process, start to exit
    elapsed_seconds: float | None  # Scrapy's elapsed_time_seconds (spider open to close)
    requests: dict[str, object]  # from the nginx access log
    pages_per_second: float
    cpu_seconds: float  # user + system of the crawl process
    peak_rss_mb: float  # VmHWM of the crawl process plus its children (the cleaning worker)
    children_peak_rss_mb: float  # the children's part of peak_rss_mb
    ru_maxrss_mb: float  # wait4's ru_maxrss: floored by the parent's RSS at fork (see _wait)
    loadavg: float  # 1-minute load average when the crawl ended: other work on the machine
    # CPU ms to create one post-sized file in a folder beside the data folder, just before
    # the crawl (bench/fsprobe.py); None for crawls that write no posts.
    fs_create_ms_per_file: float | None = None
    stats: dict[str, object] = field(default_factory=dict)
    log: str = ""

    @property
    def pages(self) -> int:
        return int(str(self.requests.get("requests", 0)))


def _hwm_kib(pid: int) -> int | None:
    """The process's peak resident set (``VmHWM``) so far, in KiB; None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _wait(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any, int, int]:
    """Wait for the process; return its exit status, resource usage, peak RSS (KiB) and the
    part of that peak that is its children's.

    The peak is the child's own ``VmHWM``, polled from ``/proc`` until it exits: on Linux
    the child's ``ru_maxrss`` is never below the RSS its parent had when it forked (the
    high-water mark of the pre-``exec`` memory counts), so it can hide the crawl's own. The
    crawl's own children (the body-cleaning worker) count too: the last ``VmHWM`` seen of each
    is added, so the figure is never below the peak of the sum. A child that has not
    ``exec``-ed yet (its command line still the crawl's) is not counted: its memory is the
    crawl's, shared copy-on-write (a fork caught there once added 83 MB to a 121 MB peak).
    Their CPU time is in the usage already: the crawl reaps them.
    """
    deadline = time.monotonic() + timeout
    peak = children_at_peak = 0
    children: dict[int, int] = {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage, peak, children_at_peak
        # Read at each turn: just after the start it can still read empty.
        crawl_command = _cmdline(process.pid)
        for child in _children(process.pid):
            if crawl_command and _cmdline(child) == crawl_command:
                continue  # forked, not exec-ed yet
            # The latest, not the largest: VmHWM before an exec is the parent's.
            children[child] = _hwm_kib(child) or children.get(child, 0)
        own, theirs = _hwm_kib(process.pid) or 0, sum(children.values())
        if own + theirs > peak:
            peak, children_at_peak = own + theirs, theirs
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.05)


def _digest(uris: set[str]) -> str:
    """The set of URIs requested, in short: two crawls of the same pages have the same."""
    return hashlib.sha256("\n".join(sorted(uris)).encode()).hexdigest()[:16]


_KEPT_STATS = (
    "elapsed_time_seconds",
    "downloader/request_count",
    "downloader/response_count",
    "response_received_count",
    "item_scraped_count",
    "item_dropped_count",
    "log_count/ERROR",
    "log_count/WARNING",
    "newsspider/run/exit_status",
    "newsspider/incremental/listing_not_modified",
    "newsspider/incremental/skipped_known",
    "scheduler/enqueued/disk",
    "scheduler/unserializable",
    "newsspider/body/worker/bodies",
    "newsspider/body/worker/lost",
)


def run_crawl(
    kind: str,
    *,
    posts: int,
    repeat: int,
    server: Nginx,
    site: GeneratedSite,
    data_dir: Path,
    log_path: Path,
) -> CrawlRun:
    probe_ms = file_creation_ms(data_dir.parent) if kind == "full" else None
    if kind == "fetchonly":
        command = [
            _python(),
            "-m",
            "scrapy",
            "runspider",
            str(ROOT / "bench" / "fetchonly.py"),
            "-a",
            f"pages={site.pages_file}",
            "-a",
            f"base_url={server.base_url}",
        ]
    else:
        command = [
            _python(),
            "-m",
            "scrapy",
            "crawl",
            "finews",
            "-a",
            f"base_url={server.base_url}",
            "-a",
            "follow_share=false",
        ]
    settings = BENCH_SETTINGS | {
        "EXTENSIONS": project_extensions(),
        "NEWSSPIDER_DATA_DIR": str(data_dir),
    }
    command += setting_args(settings)
    offset = server.log_offset()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            status, usage, peak_kib, children_kib = _wait(process, CRAWL_TIMEOUT)
        except BaseException:
            process.kill()
            process.wait()
            raise
        wall = time.monotonic() - started
    time.sleep(0.05)  # nginx logs a request after answering it
    requests: Requests = server.requests_since(offset)
    stats = parse_stats_dump(log_path.read_text(encoding="utf-8", errors="replace"))
    kept = {
        key: value
        for key, value in stats.items()
        if key in _KEPT_STATS or key.startswith("newsspider/cpu/")
    }
    elapsed = stats.get("elapsed_time_seconds")
    return CrawlRun(
        kind=kind,
        posts=posts,
        repeat=repeat,
        exit_status=status,
        wall_seconds=round(wall, 3),
        elapsed_seconds=round(float(elapsed), 3) if elapsed is not None else None,
        requests=requests.summary() | {"uris_sha256": _digest(requests.uris)},
        pages_per_second=round(requests.total / wall, 1) if wall else 0.0,
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(peak_kib / 1024, 1),
        children_peak_rss_mb=round(children_kib / 1024, 1),
        ru_maxrss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        loadavg=round(os.getloadavg()[0], 2),
        fs_create_ms_per_file=round(probe_ms, 4) if probe_ms is not None else None,
        stats=kept,
        log=str(log_path),
    )


# --- figures ---------------------------------------------------------------------------------


def spread(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "min": None, "max": None}
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def _cpu(run: CrawlRun, key: str) -> float:
    return float(str(run.stats.get(f"newsspider/cpu/{key}", 0.0)))


def summarise(runs: list[CrawlRun]) -> dict[str, Any]:
    fetch = [run for run in runs if run.kind == "fetchonly"]
    full = [run for run in runs if run.kind == "full"]
    recrawl = [run for run in runs if run.kind == "recrawl"]
    pairs = list(zip(fetch, full, strict=False))
    ratios = [b.pages_per_second / a.pages_per_second for a, b in pairs if a.pages_per_second]

    def per_article(run: CrawlRun, key: str) -> float:
        articles = _cpu(run, "articles")
        return _cpu(run, key) / articles if articles else 0.0

    def per_page(run: CrawlRun) -> float:
        return run.cpu_seconds * 1000 / run.pages if run.pages else 0.0

    recrawl_pairs = list(zip(full, recrawl, strict=False))
    return {
        "fetchonly_pages_per_second": spread([run.pages_per_second for run in fetch]),
        "full_pages_per_second": spread([run.pages_per_second for run in full]),
        "ratio_full_to_fetchonly": spread(ratios),
        "pages": {
            "fetchonly": spread([run.pages for run in fetch]),
            "full": spread([run.pages for run in full]),
        },
        "same_pages": all(
            a.requests.get("uris_sha256") == b.requests.get("uris_sha256") and a.pages == b.pages
            for a, b in pairs
        ),
        "articles": spread([_cpu(run, "articles") for run in full]),
        "cpu_ms_per_article": {
            "parse": spread([per_article(run, "parse_ms") for run in full]),
            "pipelines": spread([per_article(run, "pipelines_ms") for run in full]),
            "outputs": spread([per_article(run, "outputs_ms") for run in full]),
            "total": spread([per_article(run, "processing_ms") for run in full]),
            "posts_writer": spread([per_article(run, _POSTS_WRITER) for run in full]),
        },
        "fs_create_ms_per_file": spread(
            [run.fs_create_ms_per_file for run in full if run.fs_create_ms_per_file is not None]
        ),
        "process_cpu_ms_per_page": {
            "fetchonly": spread([per_page(run) for run in fetch]),
            "full": spread([per_page(run) for run in full]),
        },
        "peak_rss_mb": {
            "fetchonly": spread([run.peak_rss_mb for run in fetch]),
            "full": spread([run.peak_rss_mb for run in full]),
            "full_children": spread([run.children_peak_rss_mb for run in full]),
        },
        "wall_seconds": {
            "fetchonly": spread([run.wall_seconds for run in fetch]),
            "full": spread([run.wall_seconds for run in full]),
        },
        "recrawl": {
            "wall_seconds": spread([run.wall_seconds for run in recrawl]),
            "wall_share_of_full": spread(
                [r.wall_seconds / f.wall_seconds for f, r in recrawl_pairs]
            ),
            "requests": spread([run.pages for run in recrawl]),
            "post_requests": spread(
                [float(str(run.requests.get("post_requests", 0))) for run in recrawl]
            ),
            "statuses": [run.requests.get("statuses") for run in recrawl],
        },
        "loadavg": spread([run.loadavg for run in runs]),
        "exit_statuses": sorted({run.exit_status for run in runs}),
    }


def _median(summary: dict[str, Any], *keys: str) -> float | None:
    value: Any = summary
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get("median")
    return float(value) if isinstance(value, (int, float)) else None


@dataclass(slots=True)
class Target:
    name: str
    value: float | None
    limit: str
    passed: bool | None  # None: not applicable to this run
    unit: str = ""  # how to show the value: "", "%", "MB", "ms", "count"

    @property
    def verdict(self) -> str:
        return "n/a" if self.passed is None else "PASS" if self.passed else "FAIL"


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:.0f}"
    if unit:
        return f"{value:,.{1 if unit == 'MB' else 2}f} {unit}"
    return f"{value:.2f}"


def check_targets(sizes: dict[int, dict[str, Any]]) -> list[Target]:
    targets: list[Target] = []
    if not sizes:
        return targets
    for n, result in sizes.items():
        summary = result["summary"]
        ratio = _median(summary, "ratio_full_to_fetchonly")
        targets.append(
            Target(
                f"N={n}: full / fetch-only pages/s",
                ratio,
                f">= {RATIO_MIN} (aim {RATIO_AIM})",
                None if ratio is None else ratio >= RATIO_MIN,
            )
        )
        cpu = _median(summary, "cpu_ms_per_article", "total")
        targets.append(
            Target(
                f"N={n}: CPU ms per article (parse + pipelines + outputs)",
                cpu,
                f"<= {CPU_MS_PER_ARTICLE_MAX}",
                None if cpu is None else cpu <= CPU_MS_PER_ARTICLE_MAX,
                "ms",
            )
        )
    largest, smallest = max(sizes), min(sizes)
    big = sizes[largest]["summary"]
    rss = _median(big, "peak_rss_mb", "full")
    targets.append(
        Target(
            f"N={largest}: peak RSS MB of the full crawl",
            rss,
            f"<= {RSS_MB_MAX:g}",
            None if rss is None else rss <= RSS_MB_MAX,
            "MB",
        )
    )
    small_rss = _median(sizes[smallest]["summary"], "peak_rss_mb", "full")
    growth = rss / small_rss - 1 if rss is not None and small_rss else None
    targets.append(
        Target(
            f"N={largest} vs N={smallest}: peak RSS growth",
            growth,
            f"<= {RSS_GROWTH_MAX:.0%}",
            None if growth is None or largest == smallest else growth <= RSS_GROWTH_MAX,
            "%",
        )
    )
    posts = [
        float(str(run["requests"].get("post_requests", 0)))
        for run in sizes[largest]["runs"]
        if run["kind"] == "recrawl"
    ]
    targets.append(
        Target(
            f"N={largest}: post pages requested by the no-change re-crawl (max)",
            max(posts) if posts else None,
            "== 0",
            None if not posts else max(posts) == 0,
            "count",
        )
    )
    share = _median(big, "recrawl", "wall_share_of_full")
    targets.append(
        Target(
            f"N={largest}: no-change re-crawl wall time / full crawl",
            share,
            f"<= {RECRAWL_WALL_SHARE_MAX:.0%}",
            None if share is None else share <= RECRAWL_WALL_SHARE_MAX,
            "%",
        )
    )
    return targets


# --- output ----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{suffix}"


def _spread_text(figure: dict[str, Any] | None, digits: int = 1, suffix: str = "") -> str:
    if not figure or figure.get("median") is None:
        return "–"
    median, low, high = figure["median"], figure["min"], figure["max"]
    text = _fmt(median, digits, suffix)
    if low != high:
        text += f" ({_fmt(low, digits)}–{_fmt(high, digits)})"
    return text


Row = tuple[str, Callable[[dict[str, Any]], str]]
ROWS: tuple[Row, ...] = (
    ("pages per crawl (posts)", lambda r: f"{r['site']['pages']:,} ({r['site']['posts']:,})"),
    (
        "nginx alone, req/s",
        lambda r: f"{_fmt(r['nginx']['requests_per_second'], 0)} ({r['nginx']['tool']})",
    ),
    ("fetch-only, pages/s", lambda r: _spread_text(r["summary"]["fetchonly_pages_per_second"])),
    ("full crawl, pages/s", lambda r: _spread_text(r["summary"]["full_pages_per_second"])),
    ("full / fetch-only", lambda r: _spread_text(r["summary"]["ratio_full_to_fetchonly"], 2)),
    ("same pages fetched", lambda r: "yes" if r["summary"]["same_pages"] else "NO"),
    (
        "CPU ms/article: parse",
        lambda r: _spread_text(r["summary"]["cpu_ms_per_article"]["parse"], 2),
    ),
    (
        "CPU ms/article: pipelines",
        lambda r: _spread_text(r["summary"]["cpu_ms_per_article"]["pipelines"], 2),
    ),
    (
        "CPU ms/article: outputs",
        lambda r: _spread_text(r["summary"]["cpu_ms_per_article"]["outputs"], 2),
    ),
    (
        "CPU ms/article: total",
        lambda r: _spread_text(r["summary"]["cpu_ms_per_article"]["total"], 2),
    ),
    (
        "… of which the posts writer",
        lambda r: _spread_text(r["summary"]["cpu_ms_per_article"].get("posts_writer"), 2),
    ),
    (
        "disk probe: CPU ms per post file",
        lambda r: _spread_text(r["summary"].get("fs_create_ms_per_file"), 3),
    ),
    (
        "process CPU ms/page: fetch-only",
        lambda r: _spread_text(r["summary"]["process_cpu_ms_per_page"]["fetchonly"], 2),
    ),
    (
        "process CPU ms/page: full",
        lambda r: _spread_text(r["summary"]["process_cpu_ms_per_page"]["full"], 2),
    ),
    ("peak RSS MB: fetch-only", lambda r: _spread_text(r["summary"]["peak_rss_mb"]["fetchonly"])),
    ("peak RSS MB: full", lambda r: _spread_text(r["summary"]["peak_rss_mb"]["full"])),
    (
        "… of which the cleaning worker",
        lambda r: _spread_text(r["summary"]["peak_rss_mb"].get("full_children")),
    ),
    ("load average (1 min) at run ends", lambda r: _spread_text(r["summary"]["loadavg"], 2)),
    ("wall s: fetch-only", lambda r: _spread_text(r["summary"]["wall_seconds"]["fetchonly"], 2)),
    ("wall s: full", lambda r: _spread_text(r["summary"]["wall_seconds"]["full"], 2)),
    ("re-crawl wall s", lambda r: _spread_text(r["summary"]["recrawl"]["wall_seconds"], 2)),
    (
        "re-crawl wall / full",
        lambda r: _spread_text(r["summary"]["recrawl"]["wall_share_of_full"], 3),
    ),
    (
        "re-crawl requests (post pages)",
        lambda r: (
            f"{_spread_text(r['summary']['recrawl']['requests'], 0)}"
            f" ({_spread_text(r['summary']['recrawl']['post_requests'], 0)})"
        ),
    ),
)


def table(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    repeat = result["repeat"]
    header = [f"median of {repeat} (min–max)"] + [f"N={n}" for n in sizes]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    for label, cell in ROWS:
        lines.append("| " + " | ".join([label] + [cell(sizes[n]) for n in sizes]) + " |")
    lines.append("")
    lines.append("| target | value | limit | verdict |")
    lines.append("| --- | --- | --- | --- |")
    for target in result["targets"]:
        shown = _shown(target["value"], target.get("unit", ""))
        lines.append(f"| {target['name']} | {shown} | {target['limit']} | {target['verdict']} |")
    if result.get("quick"):
        lines.append("")
        lines.append(
            "Quick mode: N is tiny and process start-up dominates every wall-time figure;"
            " the verdicts mean nothing here (it only shows that the benchmark runs)."
        )
    return "\n".join(lines)


COMPARED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fetch-only pages/s", ("fetchonly_pages_per_second",)),
    ("full pages/s", ("full_pages_per_second",)),
    ("full / fetch-only", ("ratio_full_to_fetchonly",)),
    ("CPU ms/article total", ("cpu_ms_per_article", "total")),
    ("CPU ms/article parse", ("cpu_ms_per_article", "parse")),
    ("CPU ms/article pipelines", ("cpu_ms_per_article", "pipelines")),
    ("CPU ms/article outputs", ("cpu_ms_per_article", "outputs")),
    ("CPU ms/article posts writer", ("cpu_ms_per_article", "posts_writer")),
    ("disk probe ms per post file", ("fs_create_ms_per_file",)),
    ("peak RSS MB full", ("peak_rss_mb", "full")),
    ("wall s full", ("wall_seconds", "full")),
    ("re-crawl wall s", ("recrawl", "wall_seconds")),
    ("re-crawl requests", ("recrawl", "requests")),
)


def compare(previous: dict[str, Any], current: dict[str, Any]) -> str:
    lines = [
        f"Compared with {previous.get('started_at', '?')} (commit"
        f" {previous.get('environment', {}).get('git_commit', '?')}):",
        "| N | figure | before | now | delta |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n, result in current["sizes"].items():
        before = previous.get("sizes", {}).get(str(n)) or previous.get("sizes", {}).get(n)
        if before is None:
            lines.append(f"| {n} | (not in the previous run) | | | |")
            continue
        for label, keys in COMPARED:
            old = _median(before["summary"], *keys)
            new = _median(result["summary"], *keys)
            if old is None or new is None:
                continue
            delta = new - old
            percent = f" ({delta / old:+.1%})" if old else ""
            lines.append(f"| {n} | {label} | {old:,.3g} | {new:,.3g} | {delta:+,.3g}{percent} |")
    return "\n".join(lines)


def environment() -> dict[str, object]:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    import scrapy

    binary = nginx_binary()
    return {
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "nginx": nginx_version(binary) if binary else None,
        "wrk": shutil.which("wrk") is not None,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain")),
    }


# --- the benchmark ---------------------------------------------------------------------------


def generate_in_subprocess(out: Path, n: int, seed: int) -> GeneratedSite:
    """The site, generated by ``bench/site.py`` in its own process: the bench process stays
    small (its memory would otherwise be copied into every crawl it forks)."""
    started = time.monotonic()
    command = [sys.executable, str(ROOT / "bench" / "site.py"), str(out)]
    subprocess.run(
        [*command, "--posts", str(n), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL
    )
    site = generate_site(out, n, seed)  # reads what the subprocess wrote (or had written)
    site.seconds = time.monotonic() - started
    return site


def bench_size(
    n: int,
    *,
    repeat: int,
    seed: int,
    workdir: Path,
    nginx_seconds: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    site = generate_in_subprocess(workdir / f"site-{n}", n, seed)
    say(
        f"N={n}: site of {site.pages:,} pages ({site.bytes / 1e6:.1f} MB) in {site.root}"
        f" (ready in {site.seconds:.1f} s)"
    )
    runs: list[CrawlRun] = []
    with Nginx(site.root, workdir / f"nginx-{n}") as server:
        posts = [path for page in site.links.values() for path in page if "/category/" not in path]
        sample = [*posts[:: max(1, len(posts) // 500)], "/", "/emnews/"]
        rate = throughput(server, sample, seconds=nginx_seconds)
        say(f"N={n}: nginx alone serves {rate['requests_per_second']:,.0f} req/s ({rate['tool']})")
        time.sleep(0.3)
        for number in range(1, repeat + 1):
            full_data = workdir / f"data-{n}-full-{number}"
            for kind, data in (
                ("fetchonly", workdir / f"data-{n}-fetchonly-{number}"),
                ("full", full_data),
                ("recrawl", full_data),
            ):
                if kind != "recrawl" and data.exists():
                    shutil.rmtree(data)
                run = run_crawl(
                    kind,
                    posts=n,
                    repeat=number,
                    server=server,
                    site=site,
                    data_dir=data,
                    log_path=workdir / "logs" / f"{n}-{kind}-{number}.log",
                )
                runs.append(run)
                per_article = run.stats.get("newsspider/cpu/processing_ms_per_article")
                say(
                    f"N={n} #{number} {kind:9}: {run.pages:,} pages"
                    f" ({run.requests.get('post_requests')} posts) in {run.wall_seconds:.1f} s"
                    f" = {run.pages_per_second:,.0f} pages/s, RSS {run.peak_rss_mb:.0f} MB,"
                    f" exit {run.exit_status}"
                    + (f", {per_article} CPU ms/article" if per_article is not None else "")
                )
            shutil.rmtree(workdir / f"data-{n}-fetchonly-{number}", ignore_errors=True)
            shutil.rmtree(full_data, ignore_errors=True)
    return {
        "site": site.summary(),
        "nginx": rate,
        "runs": [asdict(run) for run in runs],
        "summary": summarise(runs),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the full finews crawl against a fetch-only Scrapy baseline."
    )
    parser.add_argument("--quick", action="store_true", help="a tiny site, once (a smoke test)")
    parser.add_argument("--sizes", help="comma-separated numbers of posts (default 2000,20000)")
    parser.add_argument("--repeat", type=int, help="runs of each crawl per size (default 3)")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/<time>.json)")
    parser.add_argument("--compare", type=Path, help="a previous result JSON: print the deltas")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--workdir", type=Path, help="keep sites, logs and nginx files here (reused next time)"
    )
    parser.add_argument("--nginx-seconds", type=float, help="length of the wrk run (default 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target FAILs")
    args = parser.parse_args(argv)
    _use_project_python(sys.argv[1:] if argv is None else argv)

    sizes = (
        [int(size) for size in args.sizes.split(",") if size.strip()]
        if args.sizes
        else list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    )
    repeat = args.repeat or (1 if args.quick else 3)
    nginx_seconds = args.nginx_seconds or (1.0 if args.quick else 3.0)
    if nginx_binary() is None:
        print("bench: nginx is not installed: apt-get install -y nginx", file=sys.stderr)
        return 3
    started_at = datetime.now(UTC)
    out = args.out or RESULTS_DIR / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsspider-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        print(message, flush=True)

    result: dict[str, Any] = {
        "schema": SCHEMA,
        "started_at": started_at.isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeat": repeat,
        "seed": args.seed,
        "settings": BENCH_SETTINGS | {"EXTENSIONS": f"project's + {CPU_EXTENSION}"},
        "server": {"nginx": "127.0.0.1, 2 workers, etag on, if_modified_since exact, gzip off"},
        "environment": environment(),
        "sizes": {},
    }
    failed = False
    try:
        for n in sizes:
            result["sizes"][n] = bench_size(
                n,
                repeat=repeat,
                seed=args.seed,
                workdir=workdir,
                nginx_seconds=nginx_seconds,
                say=say,
            )
            summary = result["sizes"][n]["summary"]
            failed |= summary["exit_statuses"] != [0] or not summary["same_pages"]
    finally:
        if args.workdir is None and not failed:
            shutil.rmtree(workdir, ignore_errors=True)
        elif failed:
            say(f"bench: logs kept in {workdir / 'logs'}")
    targets = check_targets(result["sizes"])
    result["targets"] = [asdict(target) | {"verdict": target.verdict} for target in targets]
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(result))
    print(f"\nWritten {out}")
    if args.compare:
        previous = json.loads(args.compare.read_text(encoding="utf-8"))
        print()
        print(compare(previous, json.loads(out.read_text(encoding="utf-8"))))
    if failed:
        print("bench: a crawl failed or the crawls fetched different pages", file=sys.stderr)
        return 1
    if args.strict and any(target.passed is False for target in targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
