"""nginx on loopback for the benchmark: a generated config, started and stopped by the bench.

The config (``nginx.conf`` in a temporary directory) serves a static site like GitHub Pages
does for the real one, minus compression: ``etag on``, ``Last-Modified`` with
``if_modified_since exact`` (so conditional requests answer ``304``), the site's ``404.html``
with status 404, two worker processes, one access-log line per request (the bench counts
requests from it). **gzip is off**: nginx would compress every response again on this
2-core machine, taking CPU from the crawler it serves; Scrapy's decompression cost is
therefore not part of the figures.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Self

_CONF = """\
daemon off;
master_process on;
worker_processes 2;
{user}pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    types {{
        text/html html;
        application/xml xml;
        application/json json;
    }}
    default_type application/octet-stream;
    charset utf-8;
    log_format bench '$msec\\t$status\\t$request_method\\t$request_uri\\t$body_bytes_sent';
    access_log {tmp}/access.log bench;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    etag on;
    if_modified_since exact;
    gzip off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        index index.html;
        error_page 404 /404.html;
    }}
}}
"""

#: Asked by the readiness probe; left out of the request counts.
PROBE_PATH = "/__bench_probe__"
#: A post page: ``/<categories>/YYYY/MM/DD/<name>.html``.
POST_PATH_RE = re.compile(r"^(?:/[^/?]+)+/\d{4}/\d{2}/\d{2}/[^/?]+\.html$")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None,
    )


def nginx_version(binary: str) -> str:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class LogLine:
    status: int
    method: str
    uri: str
    bytes: int


@dataclass(frozen=True, slots=True)
class Requests:
    """The requests nginx logged between two offsets of its access log."""

    lines: tuple[LogLine, ...]

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def posts(self) -> int:
        return sum(1 for line in self.lines if POST_PATH_RE.match(line.uri.split("?")[0]))

    @property
    def statuses(self) -> dict[str, int]:
        return {str(k): v for k, v in sorted(Counter(line.status for line in self.lines).items())}

    @property
    def uris(self) -> set[str]:
        return {line.uri for line in self.lines}

    def summary(self) -> dict[str, object]:
        return {
            "requests": self.total,
            "post_requests": self.posts,
            "listing_requests": self.total - self.posts,
            "statuses": self.statuses,
            "bytes": sum(line.bytes for line in self.lines),
        }


class Nginx:
    """``with Nginx(root, workdir) as server: server.base_url …``"""

    def __init__(self, root: Path, workdir: Path, binary: str | None = None) -> None:
        found = binary or nginx_binary()
        if found is None:
            raise FileNotFoundError("nginx is not installed: apt-get install -y nginx")
        self.binary = found
        self.root = root.resolve()
        self.tmp = workdir.resolve()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.tmp / "access.log"

    @property
    def conf(self) -> Path:
        return self.tmp / "nginx.conf"

    def write_conf(self) -> Path:
        self.tmp.mkdir(parents=True, exist_ok=True)
        # As root, workers would run as ``nobody``, who may not read a private temp dir.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            _CONF.format(user=user, tmp=self.tmp, port=self.port, root=self.root),
            encoding="utf-8",
        )
        return self.conf

    def start(self, timeout: float = 10.0) -> None:
        self.write_conf()
        self.access_log.touch()
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.tmp), "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited at start-up: {self._errors()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("HEAD", PROBE_PATH)
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not answer on port {self.port}: {self._errors()}")

    def _errors(self) -> str:
        texts = []
        for name in ("stderr.log", "error.log"):
            path = self.tmp / name
            if path.exists():
                texts.append(path.read_text(errors="replace").strip())
        return " | ".join(text for text in texts if text)[-2000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish, master exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def log_offset(self) -> int:
        return self.access_log.stat().st_size

    def requests_since(self, offset: int) -> Requests:
        with self.access_log.open("rb") as log:
            log.seek(offset)
            data = log.read().decode("utf-8", "replace")
        lines = []
        for row in data.splitlines():
            fields = row.split("\t")
            if len(fields) != 5:
                continue
            _msec, status, method, uri, size = fields
            if uri == PROBE_PATH:
                continue
            lines.append(LogLine(int(status), method, uri, int(size)))
        return Requests(tuple(lines))


_WRK_SCRIPT = """\
local paths = {{{paths}}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
_WRK_RATE_RE = re.compile(r"Requests/sec:\s+([\d.]+)")


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def throughput(
    server: Nginx, paths: list[str], *, seconds: float = 3.0, connections: int = 16
) -> dict[str, object]:
    """Requests/s nginx serves for ``paths`` (cycled): ``wrk`` if installed, else a threaded
    keep-alive client in Python (which measures the client as much as nginx)."""
    offset = server.log_offset()
    wrk = shutil.which("wrk")
    if wrk is not None:
        script = server.tmp / "paths.lua"
        script.write_text(
            _WRK_SCRIPT.format(paths=", ".join(_lua_string(path) for path in paths)),
            encoding="utf-8",
        )
        command = [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script),
            server.base_url + "/",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        match = _WRK_RATE_RE.search(result.stdout)
        if result.returncode == 0 and match:
            logged = server.requests_since(offset)
            return {
                "tool": f"wrk -t2 -c{connections} -d{max(1, round(seconds))}s",
                "requests_per_second": round(float(match.group(1)), 1),
                "statuses": logged.statuses,
                "paths": len(paths),
            }
    return _python_throughput(server, paths, seconds=seconds, threads=connections) | {
        "statuses": server.requests_since(offset).statuses
    }


def _python_throughput(
    server: Nginx, paths: list[str], *, seconds: float, threads: int
) -> dict[str, object]:
    import threading

    counts = [0] * threads
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        index = number
        while time.monotonic() < deadline:
            connection.request("GET", paths[index % len(paths)])
            connection.getresponse().read()
            counts[number] += 1
            index += threads

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "tool": f"python http.client, {threads} threads",
        "requests_per_second": round(sum(counts) / elapsed, 1),
        "paths": len(paths),
    }
