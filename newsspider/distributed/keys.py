"""Worker names, run ids and the Redis key layout of a distributed run.

Every key of a run is under ``<prefix>:<spider>:run:<run id>:``; the crawl state is under
``<prefix>:state:`` (see :mod:`newsspider.state.redis`); a worker's heartbeat is
``<prefix>:alive:<run id>-<worker>``, the key the state also reads to tell a killed worker's
run from a running one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from scrapy.settings import BaseSettings

from newsspider.processes import host_name

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def default_worker_name() -> str:
    """``<hostname>-<pid>``: unique on one machine, readable in file names."""
    return f"{host_name()}-{os.getpid()}"


def check_name(kind: str, value: str) -> str:
    """A worker name or run id becomes part of file names and Redis keys."""
    if not _NAME.fullmatch(value):
        raise ValueError(
            f"{kind}={value!r}: use letters, digits, '.', '_' and '-' (at most 100,"
            " starting with a letter or digit)"
        )
    return value


def distributed(settings: BaseSettings) -> bool:
    return bool(settings.get("NEWSSPIDER_REDIS_URL"))


def worker_name(settings: BaseSettings) -> str:
    """The configured ``NEWSSPIDER_WORKER``, else :func:`default_worker_name`."""
    return check_name(
        "NEWSSPIDER_WORKER", settings.get("NEWSSPIDER_WORKER") or default_worker_name()
    )


def lock_name(settings: BaseSettings) -> str | None:
    """The data-directory lock of this process: one per worker name in a distributed crawl
    (``DATA_DIR/state/run-<worker>.lock``), the single ``run.lock`` otherwise."""
    return worker_name(settings) if distributed(settings) else None


def alive_key(prefix: str, worker_run_id: str) -> str:
    return f"{prefix}:alive:{worker_run_id}"


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The Redis keys of one distributed run of one spider."""

    prefix: str
    spider: str
    run_id: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.spider}:run:{self.run_id}"

    def key(self, name: str) -> str:
        return f"{self.base}:{name}"

    @property
    def queue(self) -> str:
        return self.key("requests")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    def inflight(self, worker: str) -> str:
        return self.key(f"inflight:{worker}")

    def alive(self, worker: str) -> str:
        return alive_key(self.prefix, f"{self.run_id}-{worker}")


def current_run_key(prefix: str, spider: str) -> str:
    """The run that workers started without ``NEWSSPIDER_RUN_ID`` join."""
    return f"{prefix}:{spider}:current"
