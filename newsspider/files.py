"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_writer(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path``, then flush, fsync and rename it into place.

    ``durable=False`` skips the fsyncs, for writers whose caller syncs at its checkpoints:
    the rename alone already guarantees a whole file to any reader and after any process kill.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            if durable:
                os.fsync(file.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if not durable:
        return
    # Make the rename itself durable.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would land outside ``folder``."""
    if not name or "/" in name or "\\" in name or "\x00" in name or name in {".", ".."}:
        raise ValueError(f"unsafe file name {name!r}")
    if len(name.encode("utf-8")) > 255:
        raise ValueError(f"file name of {len(name.encode())} bytes is over the 255-byte limit")
    candidate = (folder / name).resolve()
    if candidate.parent != folder.resolve():
        raise ValueError(f"file name {name!r} escapes {folder}")
    return candidate
