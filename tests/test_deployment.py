"""Scheduled runs: cron, a systemd timer and Scrapyd (``deploy/``, ``deploy/README-scheduling.md``).

Each way is tested as far as a test can: its files parse and say what the documentation says,
the tools that read them accept them (``systemd-analyze``, a real Scrapyd on loopback), and
the documented command itself, with ``/srv/newsspider`` moved into a temporary directory and
``-a sample=true -s AUTOTHROTTLE_ENABLED=0`` added, crawls the bundled sample site and writes
the outputs.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.site.fixtures import REPO_ROOT, skip_or_fail
from tests.support.sample import sample_site_served

DEPLOY = REPO_ROOT / "deploy"
DOC = DEPLOY / "README-scheduling.md"
CRONTAB = DEPLOY / "cron" / "newsspider.crontab"
SERVICE = DEPLOY / "systemd" / "newsspider.service"
TIMER = DEPLOY / "systemd" / "newsspider.timer"
SCRAPYD_CONF = DEPLOY / "scrapyd" / "scrapyd.conf"
SCRAPYD_CRONTAB = DEPLOY / "scrapyd" / "newsspider.crontab"
SCRAPY_CFG = REPO_ROOT / "scrapy.cfg"

SCHEDULE_HEADING = "## Running on a schedule"
SRV = "/srv/newsspider"  # the deployment root the deploy files name
DATA_DIR_SETTING = f"NEWSSPIDER_DATA_DIR={SRV}/data"
BIN = Path(sys.executable).parent  # the test venv's bin/, whose scrapy the runs use
# What the tests add to the documented commands: the bundled sample site, served on loopback
# by the crawl itself, needs no politeness delays (they would triple the module's time).
SAMPLE_ARGS = ["-a", "sample=true", "-s", "AUTOTHROTTLE_ENABLED=0"]
CRAWL_TIMEOUT = 120.0  # one sample crawl (about 5 s)
JOB_TIMEOUT = 120.0  # one Scrapyd job, from schedule.json to finished
EVERY_TEN_MINUTES = (
    frozenset(range(0, 60, 10)),
    frozenset(range(24)),
    frozenset(range(1, 32)),
    frozenset(range(1, 13)),
    frozenset(range(8)),
)


# --- a 5-field cron line validator ----------------------------------------------------------

_CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),  # 0 and 7: Sunday
)
_CRON_NAMES = {
    "month": (
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        1,
    ),
    "day of week": (["sun", "mon", "tue", "wed", "thu", "fri", "sat"], 0),
}
# ``*``, ``*/step``, ``value``, ``low-high``, ``low-high/step`` (Debian's Vixie cron).
_CRON_ITEM_RE = re.compile(r"^(?:(\*)|(\w+)(?:-(\w+))?)(?:/(\d+))?$")


@dataclass(frozen=True)
class CronEntry:
    schedule: tuple[frozenset[int], ...]  # minutes, hours, days of month, months, weekdays
    command: str


def _cron_value(text: str, field: str, low: int, high: int) -> int:
    names, first = _CRON_NAMES.get(field, ([], 0))
    if text.lower() in names:
        return names.index(text.lower()) + first
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{field}: {text!r} is not a value from {low} to {high}")
    return int(text)


def _cron_field(text: str, field: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        match = _CRON_ITEM_RE.match(item)
        if match is None:
            raise ValueError(f"{field}: {item!r} is not *, a value, a range or a step")
        star, start, end, step = match.groups()
        if step is not None and star is None and end is None:
            raise ValueError(f"{field}: a step needs * or a range, not {item!r}")
        first = low if star else _cron_value(start, field, low, high)
        last = high if star else _cron_value(end, field, low, high) if end else first
        if first > last:
            raise ValueError(f"{field}: empty range {item!r}")
        if step is not None and int(step) == 0:
            raise ValueError(f"{field}: step 0 in {item!r}")
        values.update(range(first, last + 1, int(step or 1)))
    return frozenset(values)


def parse_cron_line(line: str) -> CronEntry:
    """A crontab line: five schedule fields and a command, as cron would read it."""
    parts = line.strip().split(None, 5)
    if len(parts) < 6:
        raise ValueError(f"expected five schedule fields and a command: {line!r}")
    schedule = tuple(
        _cron_field(text, field, low, high)
        for text, (field, low, high) in zip(parts[:5], _CRON_FIELDS, strict=True)
    )
    command = parts[5]
    if re.search(r"(?<!\\)%", command):
        raise ValueError(f"unescaped % in the command (cron turns it into a newline): {command!r}")
    return CronEntry(schedule, command)


def crontab_entry(path: Path) -> CronEntry:
    """The one entry of a crontab file (comments aside); cron needs the final newline."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path}: cron ignores a last line without a newline"
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1, f"{path}: expected one crontab entry, found {lines}"
    return parse_cron_line(lines[0])


@pytest.mark.parametrize(
    ("line", "schedule"),
    [
        ("*/10 * * * * true", EVERY_TEN_MINUTES),
        (
            "5,35 9-17/4 1-7 jan-mar mon-fri echo 100\\%",
            (
                frozenset({5, 35}),
                frozenset({9, 13, 17}),
                frozenset(range(1, 8)),
                frozenset({1, 2, 3}),
                frozenset(range(1, 6)),
            ),
        ),
    ],
)
def test_cron_validator_accepts(line: str, schedule: tuple[frozenset[int], ...]) -> None:
    assert parse_cron_line(line).schedule == schedule


@pytest.mark.parametrize(
    "line",
    [
        "*/10 * * * *",  # no command
        "*/10 * * * cd /srv && true",  # four fields
        "60 * * * * true",
        "*/0 * * * * true",
        "5/10 * * * * true",
        "* 20-10 * * * true",
        "* * * * mon-funday true",
        "@hourly true",
        "* * * * * date +%F",
    ],
)
def test_cron_validator_rejects(line: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_cron_line(line)


# --- shared helpers -----------------------------------------------------------------------------


def require_tool(name: str, hint: str, path: str | None = None) -> str:
    tool = shutil.which(name, path=path)
    if tool is None:
        skip_or_fail(f"{name} is not installed: {hint}")
    return tool


@pytest.fixture
def srv(tmp_path: Path) -> Path:
    """A stand-in for ``/srv/newsspider``: the project's scrapy.cfg, package and venv."""
    if not (BIN / "scrapy").exists():
        skip_or_fail(f"no scrapy next to {sys.executable}: pip install -e '.[test]'")
    root = tmp_path / "srv" / "newsspider"
    root.mkdir(parents=True)
    (root / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    (root / "scrapy.cfg").symlink_to(SCRAPY_CFG)
    (root / "newsspider").symlink_to(REPO_ROOT / "newsspider", target_is_directory=True)
    return root


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The user's home: writable (Scrapy writes ``~/.local/state/scrapy/`` on every run)."""
    path = tmp_path / "home" / "newsspider"
    path.mkdir(parents=True)
    return path


def error_lines(log: str) -> list[str]:
    return [
        line
        for line in log.splitlines()
        if " ERROR: " in line or " CRITICAL: " in line or line.startswith("Traceback")
    ]


def assert_crawl_outputs(data_dir: Path) -> None:
    """A JSON Lines feed with records, and one Jekyll post per record."""
    feeds = sorted((data_dir / "jsonl").glob("*.jsonl"))
    assert feeds, f"no {data_dir}/jsonl/*.jsonl"
    records = [
        json.loads(line)
        for feed in feeds
        for line in feed.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert records, f"the feeds {[feed.name for feed in feeds]} hold no record"
    posts = sorted((data_dir / "posts" / "_posts").glob("*.md"))
    assert posts, f"no {data_dir}/posts/_posts/*.md"
    assert {post.stem[len("YYYY-MM-DD-") :] for post in posts} == {r["id"] for r in records}


def assert_run_ok(returncode: int, log: str, what: str) -> None:
    assert returncode == 0, f"{what} exited {returncode}:\n{log[-3000:]}"
    assert not error_lines(log), f"{what} logged errors:\n" + "\n".join(error_lines(log)[:20])


# --- the documentation ------------------------------------------------------------------------


def test_readme_quotes_the_deploy_files() -> None:
    """The section (and README.md, once it holds it) quotes the lines the tests run."""
    service, timer = read_unit(SERVICE), read_unit(TIMER)
    quoted = [
        crontab_line(CRONTAB),
        crontab_line(SCRAPYD_CRONTAB),
        f"ExecStart={service['Service']['ExecStart']}",
        f"OnCalendar={timer['Timer']['OnCalendar']}",
        f"url = {read_ini(SCRAPY_CFG)['deploy']['url']}",
    ]
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documents = {DOC.name: DOC.read_text(encoding="utf-8")}
    if f"\n{SCHEDULE_HEADING}\n" in readme:
        documents["README.md"] = readme
    for name, doc in documents.items():
        for heading in (SCHEDULE_HEADING, "### cron", "### systemd timer", "### Scrapyd"):
            assert f"\n{heading}\n" in f"\n{doc}", f"{name} has no heading {heading!r}"
        for line in quoted:
            assert line in doc, f"{name} does not quote {line!r}"


def crontab_line(path: Path) -> str:
    return next(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


# --- 1. cron ------------------------------------------------------------------------------------


def test_crontab_line_runs_the_crawl_every_ten_minutes() -> None:
    entry = crontab_entry(CRONTAB)
    assert entry.schedule == EVERY_TEN_MINUTES
    words = shlex.split(entry.command)
    assert words[:3] == ["cd", SRV, "&&"]
    assert words[3:8] == [".venv/bin/scrapy", "crawl", "finews", "-s", DATA_DIR_SETTING]
    assert words[8:] == [">>", f"{SRV}/crawl.log", "2>&1"]
    assert "flock" not in entry.command  # each run locks its data directory itself


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_crontab_command_crawls_the_sample(
    shell: str, srv: Path, home: Path, tmp_path: Path
) -> None:
    """The command part, as cron runs it: by a shell, in cron's bare environment."""
    shell_path = require_tool(shell, "apt-get install bash")
    command = crontab_entry(CRONTAB).command
    assert command.count(" crawl finews ") == 1
    command = command.replace(SRV, shlex.quote(str(srv)))
    command = command.replace(" crawl finews ", f" crawl finews {shlex.join(SAMPLE_ARGS)} ")
    cron_env = {"HOME": str(home), "LOGNAME": "newsspider", "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    result = subprocess.run(
        [shell_path, "-c", command],
        cwd=tmp_path,
        env={**cron_env, "SHELL": shell_path},
        capture_output=True,
        text=True,
        timeout=CRAWL_TIMEOUT,
        check=False,
    )
    log = (srv / "crawl.log").read_text(encoding="utf-8")
    print(f"\ncron line under {shell}: exit {result.returncode}, {time.monotonic() - started:.1f}s")
    assert (result.stdout, result.stderr) == ("", ""), "output escaped the log redirection"
    assert_run_ok(result.returncode, log, f"the crontab command under {shell}")
    assert_crawl_outputs(srv / "data")


# --- 2. systemd timer ---------------------------------------------------------------------------


class _CaseSensitiveParser(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr


def read_unit(path: Path) -> configparser.ConfigParser:
    """A unit file as configparser reads it: strictly (no repeated sections or keys)."""
    parser = _CaseSensitiveParser(interpolation=None, strict=True)
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_systemd_units_say_what_the_doc_says() -> None:
    service, timer = read_unit(SERVICE), read_unit(TIMER)
    assert service.sections() == ["Unit", "Service"]  # no [Install]: the timer is enabled
    assert service["Unit"]["Description"]
    unit = service["Service"]
    assert unit["Type"] == "oneshot"
    assert unit["User"] == unit["Group"] == "newsspider"
    assert unit["WorkingDirectory"] == SRV
    assert "SuccessExitStatus" not in unit  # 0 is success; every other status is a failure
    exec_start = unit["ExecStart"]
    assert not re.search(r"[%$]", exec_start), "systemd expands % and $ in ExecStart"
    assert shlex.split(exec_start) == [
        f"{SRV}/.venv/bin/scrapy",
        "crawl",
        "finews",
        "-s",
        DATA_DIR_SETTING,
    ]
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert timer["Timer"]["OnCalendar"] == "*:0/10"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["Unit"] == SERVICE.name
    assert timer["Install"]["WantedBy"] == "timers.target"


def _local_units(srv: Path, directory: Path) -> tuple[Path, Path]:
    """The two units with ``/srv/newsspider`` moved to ``srv`` (so ExecStart exists)."""
    directory.mkdir()
    copies = []
    for unit in (SERVICE, TIMER):
        copy = directory / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace(SRV, str(srv)), encoding="utf-8")
        copies.append(copy)
    return copies[0], copies[1]


def test_systemd_analyze_verifies_the_units(srv: Path, tmp_path: Path) -> None:
    tool = require_tool("systemd-analyze", "apt-get install systemd")
    service, timer = _local_units(srv, tmp_path / "units")
    result = subprocess.run(
        [tool, "verify", "--man=no", str(service), str(timer)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    # systemd-analyze only warns (status 0) about an unknown key or a bad value: any line
    # about our units is a finding.
    ours = [line for line in output.splitlines() if "newsspider" in line]
    assert result.returncode == 0, output
    assert not ours, "\n".join(ours)
    calendar = subprocess.run(
        [tool, "calendar", read_unit(TIMER)["Timer"]["OnCalendar"]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert calendar.returncode == 0, calendar.stderr
    assert "Normalized form: *-*-* *:00/10:00" in calendar.stdout, calendar.stdout


def test_systemd_exec_start_crawls_the_sample_twice(srv: Path, home: Path) -> None:
    """ExecStart as systemd runs it (no shell, WorkingDirectory, a bare environment), twice
    over the same data directory, as the timer does."""
    unit = read_unit(SERVICE)["Service"]
    argv = [word.replace(SRV, str(srv)) for word in shlex.split(unit["ExecStart"])]
    argv[argv.index("finews") + 1 : argv.index("finews") + 1] = SAMPLE_ARGS
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(home),
        "USER": "newsspider",
        "LOGNAME": "newsspider",
    }
    for run in (1, 2):
        started = time.monotonic()
        result = subprocess.run(
            argv,
            cwd=unit["WorkingDirectory"].replace(SRV, str(srv)),
            env=env,
            capture_output=True,
            text=True,
            timeout=CRAWL_TIMEOUT,
            check=False,
        )
        elapsed = time.monotonic() - started
        print(f"\nExecStart run {run}: exit {result.returncode}, {elapsed:.1f}s")
        assert_run_ok(result.returncode, result.stderr, f"ExecStart, run {run}")
        assert_crawl_outputs(srv / "data")


# --- 3. Scrapyd ---------------------------------------------------------------------------------


def test_scrapyd_configuration() -> None:
    deploy = read_ini(SCRAPY_CFG)["deploy"]
    assert deploy["url"] == "http://127.0.0.1:6800/"
    assert deploy["project"] == "newsspider"
    conf = read_ini(SCRAPYD_CONF)["scrapyd"]
    assert (conf["bind_address"], conf["http_port"]) == ("127.0.0.1", "6800")
    assert conf["max_proc"] == "1"
    # Scrapyd's items_dir would pass its own FEEDS setting, replacing the project's feed.
    assert conf["items_dir"] == ""
    entry = crontab_entry(SCRAPYD_CRONTAB)
    assert entry.schedule == EVERY_TEN_MINUTES
    url, fields = curl_post(entry.command)
    assert url == urllib.parse.urljoin(deploy["url"], "schedule.json")
    assert fields == [
        ("project", deploy["project"]),
        ("spider", "finews"),
        ("setting", DATA_DIR_SETTING),
    ]


def curl_post(command: str) -> tuple[str, list[tuple[str, str]]]:
    """The URL and the ``-d name=value`` fields of a ``curl … > /dev/null`` command."""
    words = shlex.split(command)
    assert words[0] == "curl", command
    assert words[-2:] == [">", "/dev/null"], command
    urls = [word for word in words if word.startswith("http")]
    assert len(urls) == 1, command
    fields = [words[i + 1] for i, word in enumerate(words) if word == "-d"]
    pairs = [(name, value) for name, _, value in (field.partition("=") for field in fields)]
    return urls[0], pairs


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    top_level = {".git", ".venv", "venv", "data", "build", "dist"}
    ignored = {n for n in names if n == "__pycache__" or n.endswith((".pyc", "_cache", ".egg"))}
    if Path(directory) == REPO_ROOT:
        ignored |= {n for n in names if n in top_level or n.endswith(".egg-info")}
    return ignored


@dataclass(frozen=True)
class Egg:
    path: Path
    project_copy: Path  # the tree it was built from


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Egg:
    """``scrapyd-deploy --build-egg`` in a copy of the project (it writes setup.py, build/)."""
    deploy_tool = require_tool(
        "scrapyd-deploy", "pip install scrapyd-client (the test extra)", path=str(BIN)
    )
    base = tmp_path_factory.mktemp("egg")
    project = base / "project"
    shutil.copytree(REPO_ROOT, project, symlinks=True, ignore=_copy_ignore)
    (base / "tmp").mkdir()  # scrapyd-deploy --build-egg leaves its build folder in TMPDIR
    path = base / "newsspider.egg"
    started = time.monotonic()
    result = subprocess.run(
        [deploy_tool, "--build-egg", str(path)],
        cwd=project,
        env={**os.environ, "TMPDIR": str(base / "tmp")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(
        f"\nscrapyd-deploy --build-egg: exit {result.returncode}, {time.monotonic() - started:.1f}s"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Egg(path, project)


def test_egg_holds_the_package_and_its_data(egg: Egg) -> None:
    with zipfile.ZipFile(egg.path) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    package = egg.project_copy / "newsspider"
    data = [
        path.relative_to(egg.project_copy).as_posix()
        for pattern in ("sample_site/**/*", "schemas/*.json")
        for path in package.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert any(" " in name for name in data) and any("(" in name for name in data)
    missing = sorted(set(data) - names)
    assert not missing, f"the egg lacks {len(missing)} data files: {missing[:10]}"
    assert "newsspider/schemas/article.schema.json" in names
    assert {name.split("/")[0] for name in names} == {"EGG-INFO", "newsspider"}
    assert re.search(r"^\[scrapy\]\nsettings = newsspider\.settings$", entry_points, re.M)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (as ``curl -F`` sends it) and its content type."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, path in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}";'
            f' filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Scrapyd:
    url: str
    workdir: Path
    output: Path  # Scrapyd's own log (stdout and stderr)

    def request(
        self, endpoint: str, data: bytes | None = None, content_type: str | None = None
    ) -> dict[str, Any]:
        request = urllib.request.Request(urllib.parse.urljoin(self.url, endpoint), data=data)
        if content_type:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.load(response)
        assert answer.get("status") == "ok", f"{endpoint}: {answer}"
        return answer

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        return self.request(f"{endpoint}?{urllib.parse.urlencode(params)}")

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(endpoint, body, "application/x-www-form-urlencoded")

    def log_tail(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")[-3000:]


def _wait(condition: Callable[[], bool], timeout: float, what: str, log: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s\n{log()}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A real Scrapyd on a free loopback port, configured by ``deploy/scrapyd/scrapyd.conf``
    with its folders in a temporary working directory."""
    tool = require_tool("scrapyd", "pip install scrapyd (the test extra)", path=str(BIN))
    workdir = tmp_path_factory.mktemp("scrapyd")
    conf = read_ini(SCRAPYD_CONF)
    port = free_port()
    conf["scrapyd"].update(
        http_port=str(port),
        poll_interval="0.5",  # start queued jobs quickly
        eggs_dir=str(workdir / "eggs"),
        logs_dir=str(workdir / "logs"),
        dbs_dir=str(workdir / "dbs"),
    )
    with (workdir / "scrapyd.conf").open("w", encoding="utf-8") as file:
        conf.write(file)
    # HOME: no ~/.scrapyd.conf of the user; no SCRAPY(D)_* variables overriding the files.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPYD_", "SCRAPY_"))}
    env |= {"HOME": str(workdir), "PYTHONUNBUFFERED": "1"}
    server = Scrapyd(f"http://127.0.0.1:{port}/", workdir, workdir / "scrapyd.out")
    with server.output.open("wb") as output:
        process = subprocess.Popen(
            [tool], cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"scrapyd exited {process.returncode}:\n{server.log_tail()}")
            try:
                server.get("daemonstatus.json")
            except OSError:
                return False
            return True

        _wait(up, 30, "scrapyd answering daemonstatus.json", server.log_tail)
        yield server
    finally:
        with contextlib.suppress(OSError, AssertionError):
            for job in server.get("listjobs.json")["running"]:
                os.kill(int(job["pid"]), signal.SIGTERM)  # a job our Scrapyd started
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@dataclass(frozen=True)
class Deployed:
    scrapyd: Scrapyd
    project: str
    version: str


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, egg: Egg) -> Deployed:
    """The egg uploaded by ``addversion.json`` to the project of the ``[deploy]`` target."""
    project = read_ini(SCRAPY_CFG)["deploy"]["project"]
    version = time.strftime("%Y%m%d%H%M%S")
    body, content_type = multipart({"project": project, "version": version}, {"egg": egg.path})
    answer = scrapyd.request("addversion.json", body, content_type)
    assert answer["project"] == project and answer["version"] == version
    spiders = scrapyd.get("listspiders.json", project=project)["spiders"]
    assert "finews" in spiders, spiders
    return Deployed(scrapyd, project, version)


def test_scrapyd_jobs_import_the_uploaded_egg(deployed: Deployed) -> None:
    """Jobs run the egg's code, not the project installed in the venv (``pip install -e``)."""
    stored = deployed.scrapyd.workdir / "eggs" / deployed.project / f"{deployed.version}.egg"
    assert stored.is_file()
    code = (
        "import sys; from scrapyd.runner import activate_egg; activate_egg(sys.argv[1]);"
        " import newsspider; print(newsspider.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(stored)],
        cwd=deployed.scrapyd.workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(stored)), result.stdout


@dataclass(frozen=True)
class Job:
    id: str
    log: str
    data_dir: Path


def run_job(deployed: Deployed, data_dir: Path, spider_args: list[tuple[str, str]]) -> Job:
    """``schedule.json`` as the Scrapyd crontab line posts it (its URL moved to the test's
    Scrapyd, its data directory to ``data_dir``) plus ``spider_args`` and no AutoThrottle;
    wait until finished; the job's exit status must be 0."""
    scrapyd = deployed.scrapyd
    url, fields = curl_post(crontab_entry(SCRAPYD_CRONTAB).command)
    fields = [(name, value.replace(f"{SRV}/data", str(data_dir))) for name, value in fields]
    fields.append(("setting", "AUTOTHROTTLE_ENABLED=0"))  # as SAMPLE_ARGS
    started = time.monotonic()
    job_id = scrapyd.post(urllib.parse.urlsplit(url).path.lstrip("/"), fields + spider_args)[
        "jobid"
    ]

    def finished() -> bool:
        jobs = scrapyd.get("listjobs.json", project=deployed.project)["finished"]
        return any(job["id"] == job_id for job in jobs)

    _wait(finished, JOB_TIMEOUT, f"job {job_id} finished", scrapyd.log_tail)
    ended = re.compile(rf"Process (?:finished:|died: exitstatus=(\d+)) .*job='{job_id}'")
    _wait(
        lambda: bool(ended.search(scrapyd.output.read_text(encoding="utf-8"))),
        10,
        f"Scrapyd logging the end of job {job_id}",
        scrapyd.log_tail,
    )
    outcome = ended.search(scrapyd.output.read_text(encoding="utf-8"))
    assert outcome is not None
    returncode = int(outcome.group(1) or 0)
    elapsed = time.monotonic() - started
    print(f"\nScrapyd job {dict(spider_args)}: exit {returncode}, {elapsed:.1f}s")
    log_path = scrapyd.workdir / "logs" / deployed.project / "finews" / f"{job_id}.log"
    log = log_path.read_text(encoding="utf-8")
    assert_run_ok(returncode, log, f"Scrapyd job {job_id}")
    return Job(job_id, log, data_dir)


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled sample site (and share host), served by a process of the test."""
    with sample_site_served(tmp_path_factory.mktemp("sample_server") / "stderr") as url:
        yield url


def test_scrapyd_runs_finews(deployed: Deployed, sample_server: str, tmp_path: Path) -> None:
    """The deployed project crawls a site (the sample, served by the test) into the data dir."""
    job = run_job(
        deployed,
        tmp_path / "data",
        [("base_url", sample_server), ("share_base_url", sample_server)],
    )
    assert_crawl_outputs(job.data_dir)
    # The body-cleaning worker imports the project from the egg too.
    assert "body-cleaning worker is lost" not in job.log, job.log[-3000:]
    assert re.search(r"'newsspider/body/worker/bodies': [1-9]", job.log), job.log[-3000:]


def test_scrapyd_runs_finews_on_the_bundled_sample(deployed: Deployed, tmp_path: Path) -> None:
    job = run_job(deployed, tmp_path / "data", [("sample", "true")])
    assert_crawl_outputs(job.data_dir)
