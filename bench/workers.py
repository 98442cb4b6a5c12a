"""Pages per second of a distributed crawl with 1, 2 and 3 workers on this machine.

A benchmark figure, not a test. It generates the synthetic site (``bench/site.py``), serves it
with nginx on loopback (``bench/nginx.py``; the standard-library test server when nginx is
missing), starts its own ``redis-server`` (no persistence) and, for each worker count, runs
that many ``scrapy crawl finews`` workers of one fresh distributed run (a fresh key prefix,
one shared data directory) until they all end by themselves. A single process without Redis
(SQLite state, Scrapy's scheduler) is measured too, as the baseline.

    python bench/workers.py [--posts 1500] [--workers 1,2,3] [--out /tmp/newsspider-workers]

Figures: requests answered by the server (from its access log) divided by the time from the
first request to the last one (``pages/s``), and by the wall time from starting the workers
to the last one's end, start-up included (``wall pages/s``). The crawl uses the project's
settings (``CONCURRENT_REQUESTS_PER_DOMAIN = 4`` per worker) less AutoThrottle and robots.txt,
without share links, as the tests do.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.nginx import Nginx, free_port, nginx_binary  # noqa: E402
from bench.site import generate_site  # noqa: E402

SETTINGS = {"AUTOTHROTTLE_ENABLED": "0", "ROBOTSTXT_OBEY": "0", "LOG_LEVEL": "INFO"}


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed: apt-get install redis-server")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)]
    server = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False
            ).stdout.strip()
            != b"PONG"
        ):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def site_server(root: Path, workdir: Path) -> Iterator[tuple[str, Path | None]]:
    """``(base_url, access log)``; no access log with the fallback server."""
    if nginx_binary() is not None:
        with Nginx(root, workdir / "nginx") as nginx:
            yield nginx.base_url, nginx.access_log
        return
    from tests.site.server import SiteServer

    with SiteServer(root) as server:
        yield server.base_url, None


def _command(base_url: str, data: Path, settings: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "finews", "-a", f"base_url={base_url}"]
    command += ["-a", "follow_share=false"]
    for key, value in {**SETTINGS, "NEWSSPIDER_DATA_DIR": str(data), **settings}.items():
        command += ["-s", f"{key}={value}"]
    return command


def _requests(access_log: Path | None, offset: int) -> tuple[int, float]:
    """Requests logged after ``offset`` and the seconds from the first to the last."""
    if access_log is None:
        return 0, 0.0
    with access_log.open("rb") as log:
        log.seek(offset)
        rows = [row.split(b"\t") for row in log.read().splitlines()]
    times = [float(row[0]) for row in rows if len(row) == 5 and not row[3].startswith(b"/__")]
    return len(times), (max(times) - min(times)) if times else 0.0


def _children_cpu() -> float:
    """CPU seconds (user and system) of the workers that ended so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    label: str,
    commands: list[list[str]],
    access_log: Path | None,
    data: Path,
    logs: Path,
) -> dict[str, object]:
    offset = access_log.stat().st_size if access_log else 0
    cpu_before = _children_cpu()
    started = time.monotonic()
    processes = []
    for n, command in enumerate(commands, 1):
        log = (logs / f"{label}-{n}.log").open("wb")
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes.append(
            subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env=environment
            )
        )
    statuses = [process.wait(timeout=1800) for process in processes]
    wall = time.monotonic() - started
    cpu = _children_cpu() - cpu_before
    requests, active = _requests(access_log, offset)
    per_worker = [
        feed.read_bytes().count(b"\n") for feed in sorted((data / "jsonl").glob("*.jsonl"))
    ]
    return {
        "setup": label,
        "exit_statuses": statuses,
        "ok": all(status == 0 for status in statuses),
        "requests": requests,
        "articles": sum(per_worker),
        "articles_per_worker": per_worker,
        "crawl_seconds": round(active, 2),
        "wall_seconds": round(wall, 2),
        "pages_per_second": round(requests / active, 1) if active else None,
        "wall_pages_per_second": round(requests / wall, 1) if wall else None,
        "worker_cpu_seconds": round(cpu, 1),
        "cpu_ms_per_page": round(1000 * cpu / requests, 1) if requests else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "ns-workers")
    parser.add_argument("--no-baseline", action="store_true")
    options = parser.parse_args(argv)
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    site = generate_site(out / "site", options.posts)
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    results = []
    with redis_server(out) as redis_url, site_server(site.root, out) as (base_url, access_log):
        if not options.no_baseline:
            data = out / "data-baseline"
            shutil.rmtree(data, ignore_errors=True)
            commands = [_command(base_url, data, {})]
            results.append(measure("single process (SQLite)", commands, access_log, data, logs))
            print(json.dumps(results[-1]), flush=True)
        for count in (int(n) for n in options.workers.split(",")):
            data = out / f"data-{count}"
            shutil.rmtree(data, ignore_errors=True)
            settings = {"NEWSSPIDER_REDIS_URL": redis_url, "NEWSSPIDER_REDIS_PREFIX": f"b{count}"}
            commands = [
                _command(base_url, data, {**settings, "NEWSSPIDER_WORKER": f"w{n}"})
                for n in range(1, count + 1)
            ]
            results.append(measure(f"{count} workers", commands, access_log, data, logs))
            print(json.dumps(results[-1]), flush=True)
    summary = {
        "posts": site.posts,
        "pages": site.pages,
        "cpus": os.cpu_count(),
        "server": "nginx" if nginx_binary() else "tests.site.server",
        "results": results,
    }
    (out / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    columns = ("requests", "crawl_seconds", "pages_per_second", "wall_seconds",
               "wall_pages_per_second", "cpu_ms_per_page")  # fmt: skip
    print(f"{'setup':<26}" + "".join(f"{name:>22}" for name in columns))
    for r in results:
        print(f"{r['setup']!s:<26}" + "".join(f"{r[name]!s:>22}" for name in columns))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
