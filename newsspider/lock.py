"""One run per data directory: an exclusive, non-blocking ``flock`` on ``state/run.lock``.

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
    """Lock ``data_dir`` for this process (a no-op when it already holds it)."""
    path = lock_path(data_dir, name).resolve()
    if path in _HELD:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise DataDirLockedError(
            f"another newsspider run (pid {holder}) is using {data_dir}; this run did nothing"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[path] = fd
    return path


def release(data_dir: Path, name: str | None = None) -> None:
    path = lock_path(data_dir, name).resolve()
    fd = _HELD.pop(path, None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
