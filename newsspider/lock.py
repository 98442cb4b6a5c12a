"""One run per data directory: a non-blocking ``flock`` on ``state/run.lock`` (exclusive; shared
by the workers of a distributed crawl, which also lock ``state/run-<worker>.lock``).

The kernel releases the lock when the process ends, however it ends (SIGKILL included), so
a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

_HELD: dict[Path, int] = {}  # lock files this process holds, with their descriptors


class DataDirLockedError(RuntimeError):
    """Another run holds the data directory."""


def lock_path(data_dir: Path, name: str | None = None) -> Path:
    """``state/run.lock``; ``state/run-<name>.lock`` for a worker of a distributed crawl (one
    lock per worker name: the workers of a run may share the data directory)."""
    return data_dir / "state" / (f"run-{name}.lock" if name else "run.lock")


def acquire(data_dir: Path, name: str | None = None) -> Path:
    """Lock ``data_dir`` for this process (a no-op when it already holds it).

    A single run holds ``run.lock`` exclusively. A worker of a distributed crawl holds it
    shared, beside its own ``run-<name>.lock``: workers share the folder, but a single run
    and a worker never do (they keep separate states and would export everything twice).
    """
    if name is None:
        return _lock(data_dir, lock_path(data_dir), fcntl.LOCK_EX, "another newsspider run")
    _lock(data_dir, lock_path(data_dir), fcntl.LOCK_SH, "a newsspider run (not distributed)")
    return _lock(data_dir, lock_path(data_dir, name), fcntl.LOCK_EX, f"worker {name!r}")


def _lock(data_dir: Path, path: Path, mode: int, holder_kind: str) -> Path:
    path = path.resolve()
    if path in _HELD:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        who = f"{holder_kind} (pid {holder}) is"
        if mode == fcntl.LOCK_EX and path.name == "run.lock" and holder == "?":
            who = "workers of a distributed crawl are"  # they hold it shared, with no pid
        raise DataDirLockedError(f"{who} using {data_dir}; this run did nothing") from None
    if mode == fcntl.LOCK_EX:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[path] = fd
    return path


def release(data_dir: Path, name: str | None = None) -> None:
    paths = [lock_path(data_dir, name)] + ([lock_path(data_dir)] if name is not None else [])
    for path in paths:
        fd = _HELD.pop(path.resolve(), None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
