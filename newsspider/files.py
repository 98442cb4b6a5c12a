"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

NAME_MAX = 255  # bytes: ext4 and most other file systems
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


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


def check_file_name(name: str) -> str:
    """``name`` if it names a file directly in a folder, else ``ValueError``.

    String rules are enough: with no separator, NUL, ``.`` or ``..``, a name cannot leave the
    folder, and within 255 bytes every file system takes it.
    """
    if not name or "/" in name or "\\" in name or "\x00" in name or name in {".", ".."}:
        raise ValueError(f"unsafe file name {name!r}")
    size = len(name.encode("utf-8"))
    if size > NAME_MAX:
        raise ValueError(f"file name of {size} bytes is over the {NAME_MAX}-byte limit")
    return name


class AtomicFolder:
    """A folder of files replaced whole, each written under a temporary name and renamed.

    For writers of many files (a post per article): the folder is made and resolved once, and
    held open, so each file costs an open, a write, a close and a rename relative to it, and
    lands in that folder whatever happens to the path meanwhile. The temporary name is unique
    to the process (``O_EXCL``: an older file there is never written through, only replaced).
    Nothing is synced: the caller syncs at its checkpoints (the rename alone guarantees a
    whole file to any reader and after any process kill).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._resolved: Path | None = None
        self._fd: int | None = None
        self._finalizer: weakref.finalize[[int], AtomicFolder] | None = None

    @property
    def resolved(self) -> Path:
        """The folder's real path (taken once: the folder may not exist yet)."""
        if self._resolved is None:
            self._resolved = self.path.resolve()
        return self._resolved

    def path_of(self, name: str) -> Path:
        return self.resolved / check_file_name(name)

    def _open(self) -> int:
        if self._fd is None:
            self.resolved.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.resolved, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            self._fd = fd
            self._finalizer = weakref.finalize(self, os.close, fd)
        return self._fd

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._fd = self._finalizer = None

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or ``None`` when there is none."""
        try:
            fd = os.open(check_file_name(name), os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._open())
        except (FileNotFoundError, IsADirectoryError):
            return None
        with os.fdopen(fd, "rb") as file:
            return file.read()

    def write(self, name: str, data: bytes) -> str:
        """Replace the file ``name`` with ``data``; return its (resolved) path.

        A ``str``: each ``Path`` made interns its parts, and the interpreter's table of
        interned strings grew by a post name per post (1.9 MB at 20,000 posts)."""
        path = os.path.join(self.resolved, check_file_name(name))  # noqa: PTH118 (see above)
        folder = self._open()
        # Short enough for any name: the name is up to 255 bytes itself.
        temp = f".{name[:40]}.{os.getpid()}.tmp"
        fd = self._create(temp, folder)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.rename(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=folder)
            raise
        return path

    @staticmethod
    def _create(temp: str, folder: int) -> int:
        try:
            return os.open(temp, _TEMP_FLAGS, 0o600, dir_fd=folder)
        except FileExistsError:  # left by a killed process that had the same pid
            os.unlink(temp, dir_fd=folder)
            return os.open(temp, _TEMP_FLAGS, 0o600, dir_fd=folder)
