"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from newsspider.processes import is_running, pid_scope

logger = logging.getLogger(__name__)

NAME_MAX = 255  # bytes: ext4 and most other file systems
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
#: Temporary files are named ``.<name>.<pid>@<scope>.tmp``: a process killed mid-write leaves
#: one, and a later run in the same pid scope (host and pid namespace) removes it once that
#: process is gone. The scope keeps runs of other machines and containers sharing the folder
#: out of it: their pids cannot be checked from here. Up to 64 + 16 characters.
_PID_SCOPE = pid_scope()


def _temporary_suffix() -> str:
    return f".{os.getpid()}@{_PID_SCOPE}.tmp"  # the pid of the moment: a fork writes as itself


def temporary_name(name: str) -> str:
    """The name ``name`` is written under before it is renamed into place."""
    return f".{name[:40]}{_temporary_suffix()}"


def stale_temporaries(names: Iterable[str]) -> list[str]:
    """Of ``names`` (in one folder), the temporary files of this pid scope's processes that no
    longer run: left by a process killed between creating one and renaming it."""
    suffix = f"@{_PID_SCOPE}.tmp"
    stale = []
    for name in names:
        if not (name.startswith(".") and name.endswith(suffix)):
            continue
        pid = name[: -len(suffix)].rpartition(".")[2]
        if pid.isascii() and pid.isdigit() and int(pid) > 0 and not is_running(int(pid)):
            stale.append(name)
    return stale


def write_all(write: Callable[[memoryview], int | None], data: bytes) -> None:
    """Write all of ``data`` with ``write`` (``os.write`` on a descriptor, an unbuffered
    file's ``write``): either may take part of it and say so only by the count (a nearly
    full disk); the rest is written until it refuses with an error."""
    view = memoryview(data)
    while view:
        written = write(view)
        if not written:
            raise OSError(errno.EIO, "the file took none of what was left to write")
        view = view[written:]


def _create_temporary(temp: str, folder: int | None = None) -> int:
    """Create the temporary file ``temp`` (relative to ``folder``'s descriptor, if given).

    Its mode is 0666 less the umask, as any file the process creates: the renamed file keeps
    it, and downstream readers (a web server's user) must be able to read the archive.
    """
    try:
        return os.open(temp, _TEMP_FLAGS, 0o666, dir_fd=folder)
    except FileExistsError:  # left by a killed process that had the same pid
        os.unlink(temp, dir_fd=folder)
        return os.open(temp, _TEMP_FLAGS, 0o666, dir_fd=folder)


def _remove_stale_temporaries(folder: Path, folder_fd: int | None = None) -> None:
    """Best effort: a leftover that cannot be removed is reported, never a reason to fail the
    write that comes next."""
    try:
        with os.scandir(folder_fd if folder_fd is not None else folder) as entries:
            stale = stale_temporaries(entry.name for entry in entries)
        for name in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name if folder_fd is not None else folder / name, dir_fd=folder_fd)
    except OSError as error:
        logger.warning("Could not remove the temporary files a stopped run left: %s", error)
        return
    if stale:
        logger.info(
            "Removed %d temporary file(s) that a stopped run left in %s", len(stale), folder
        )


@contextlib.contextmanager
def atomic_writer(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path``, then flush, fsync and rename it into place.

    ``durable=False`` skips the fsyncs, for writers whose caller syncs at its checkpoints:
    the rename alone already guarantees a whole file to any reader and after any process kill.
    Temporary files that killed processes left in the folder are removed first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path.parent)
    temp_name = str(path.parent / temporary_name(path.name))
    fd = _create_temporary(temp_name)
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
    to the process (``O_EXCL``: an older file there is never written through, only replaced);
    those that killed processes left are removed when the folder is first opened (a scan of
    the folder, once a run). Nothing is synced: the caller syncs at its checkpoints (the
    rename alone guarantees a whole file to any reader and after any process kill).
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
            _remove_stale_temporaries(self.resolved, fd)
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
        temp = temporary_name(name)  # at most 217 bytes, whatever the name
        fd = _create_temporary(temp, folder)
        try:
            try:
                write_all(functools.partial(os.write, fd), data)
            finally:
                os.close(fd)
            os.rename(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=folder)
            raise
        return path

    def remove_others(self, same: Callable[[str], bool], keep: str) -> list[str]:
        """Remove the files whose name is ``same`` as ``keep``'s, but ``keep``; return their
        names. (A scan of the folder: for the rare write that renames a file, not for each.)"""
        folder = self._open()
        with os.scandir(folder) as entries:
            others = [
                entry.name
                for entry in entries
                if entry.name != keep and same(entry.name) and entry.is_file()
            ]
        for name in others:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=folder)
        return others
