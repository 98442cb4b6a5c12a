"""``files.AtomicFolder``: whole files only, never outside the folder, no temporary file left."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsspider.files import (
    AtomicFolder,
    atomic_writer,
    check_file_name,
    temporary_name,
    write_all,
)
from newsspider.processes import pid_scope
from tests.site.fixtures import skip_or_fail
from tests.support.processes import ended_pid

NAME = "2022-03-03-NW202203032295532740.md"


@pytest.fixture
def folder(tmp_path: Path) -> AtomicFolder:
    # Deep enough that an escaping name would still land under ``tmp_path``, where it is seen.
    return AtomicFolder(tmp_path / "data" / "posts" / "_posts")


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


@pytest.mark.parametrize(
    "name",
    ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "x\x00y", "A" * 256, "中" * 86],
    ids=["empty", "dot", "dotdot", "parent", "slash", "absolute", "backslash", "nul", "256", "cjk"],
)
def test_a_name_that_could_leave_the_folder_or_not_fit_is_refused(
    folder: AtomicFolder, tmp_path: Path, name: str
) -> None:
    with pytest.raises(ValueError):
        folder.write(name, b"x")
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("name", ["A" * 255, "中" * 85, "a..b", ".hidden", "-x"])
def test_a_plain_name_up_to_255_bytes_is_taken(name: str) -> None:
    assert check_file_name(name) == name


def test_write_puts_the_file_in_the_folder_made_for_it(folder: AtomicFolder) -> None:
    path = folder.write(NAME, b"post")
    assert path == str(folder.path.resolve() / NAME)  # a str: no Path (interned parts) per post
    assert Path(path).read_bytes() == b"post"


def test_write_replaces_the_file_and_leaves_no_temporary_file(
    folder: AtomicFolder, tmp_path: Path
) -> None:
    folder.write(NAME, b"old")
    folder.write(NAME, b"new")
    assert (folder.path / NAME).read_bytes() == b"new"
    assert files_under(tmp_path) == [f"data/posts/_posts/{NAME}"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
    folder: AtomicFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.write(NAME, b"old")

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space"):
        folder.write(NAME, b"new")
    assert (folder.path / NAME).read_bytes() == b"old"
    assert files_under(tmp_path) == [f"data/posts/_posts/{NAME}"]


def test_a_temporary_file_left_by_a_killed_process_is_replaced(folder: AtomicFolder) -> None:
    folder.path.mkdir(parents=True)
    stale = folder.path / temporary_name(NAME)
    stale.write_bytes(b"half a po")
    folder.write(NAME, b"post")
    assert (folder.path / NAME).read_bytes() == b"post"
    assert not stale.exists()


def _temporaries_of(folder: Path, ended: int) -> dict[str, Path]:
    """Temporary files as a killed run (``ended``), a running one, another host, a user left."""
    host = temporary_name("x").rpartition("@")[2].removesuffix(".tmp")
    return {
        "ended": folder / f".{NAME[:40]}.{ended}@{host}.tmp",
        "running": folder / f".{NAME[:40]}.{os.getppid()}@{host}.tmp",
        "other host": folder / f".{NAME[:40]}.{ended}@other-{host}.tmp",
        "not ours": folder / f".{NAME[:40]}.{ended}.tmp",
        "hidden": folder / ".keep",
    }


def test_temporary_files_of_ended_runs_on_this_host_are_removed_at_the_first_write(
    folder: AtomicFolder, caplog: pytest.LogCaptureFixture
) -> None:
    """A run killed mid-write leaves its temporary file: the next run removes it, and only
    files it can tell are such leftovers (this host's, of a process that no longer runs)."""
    folder.path.mkdir(parents=True)
    left = _temporaries_of(folder.path, ended_pid())
    for path in left.values():
        path.write_bytes(b"half a po")
    with caplog.at_level("INFO", logger="newsspider.files"):
        folder.write("other.md", b"post")
    assert {kind for kind, path in left.items() if path.exists()} == {
        "running",
        "other host",
        "not ours",
        "hidden",
    }
    assert "Removed 1 temporary file(s)" in caplog.text
    folder.write(NAME, b"post")  # the folder is scanned once, at its opening
    assert left["running"].exists()


def _pid_scope_in_a_new_pid_namespace() -> str:
    """``pid_scope()`` as a container of the same host name sees it (``unshare``: root)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        skip_or_fail("unshare (util-linux) is not installed")
    code = "from newsspider.processes import pid_scope; print(pid_scope())"
    command = [unshare, "--pid", "--fork", "--mount-proc", sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        skip_or_fail(f"cannot make a pid namespace (root needed): {done.stderr.strip()}")
    return done.stdout.strip()


def test_temporary_files_of_another_pid_namespace_are_kept(folder: AtomicFolder) -> None:
    """Containers given the same host name share the folder: a pid that has ended here may
    be a live writer there, so its temporary file is not ours to remove."""
    other_scope = _pid_scope_in_a_new_pid_namespace()
    assert other_scope != pid_scope()
    assert other_scope.split("-pidns")[0] == pid_scope().split("-pidns")[0]
    folder.path.mkdir(parents=True)
    in_flight = folder.path / f".{NAME[:40]}.{ended_pid()}@{other_scope}.tmp"
    in_flight.write_bytes(b"half a po")
    folder.write("other.md", b"post")
    assert in_flight.exists()


def test_atomic_writer_removes_temporary_files_of_ended_runs_beside_its_file(
    tmp_path: Path,
) -> None:
    left = _temporaries_of(tmp_path, ended_pid())
    for path in left.values():
        path.write_bytes(b"half a manifest")
    with atomic_writer(tmp_path / "run.json") as file:
        file.write(b"{}")
    assert (tmp_path / "run.json").read_bytes() == b"{}"
    assert not left["ended"].exists()
    assert all(path.exists() for kind, path in left.items() if kind != "ended")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == sorted(
        path.name for kind, path in left.items() if kind not in {"ended", "hidden"}
    )


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_write(
    folder: AtomicFolder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder.path.mkdir(parents=True)
    left = _temporaries_of(folder.path, ended_pid())["ended"]
    left.write_bytes(b"half a po")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "unlink", refused)
    folder.write(NAME, b"post")
    assert (folder.path / NAME).read_bytes() == b"post"
    assert "Could not remove the temporary files" in caplog.text


def test_links_in_the_folder_are_replaced_never_written_through(
    folder: AtomicFolder, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"not a post")
    folder.path.mkdir(parents=True)
    (folder.path / NAME).symlink_to(outside)
    (folder.path / temporary_name(NAME)).symlink_to(outside)
    folder.write(NAME, b"post")
    assert outside.read_bytes() == b"not a post"
    assert not (folder.path / NAME).is_symlink()
    assert (folder.path / NAME).read_bytes() == b"post"


def test_the_folder_is_kept_once_resolved(folder: AtomicFolder, tmp_path: Path) -> None:
    """Made and opened once: moved away mid-run, it still gets the files."""
    folder.write(NAME, b"first")
    moved = tmp_path / "moved"
    folder.path.rename(moved)
    folder.write("second.md", b"second")
    assert sorted(p.name for p in moved.iterdir()) == [NAME, "second.md"]


def test_read_gives_the_file_or_none(folder: AtomicFolder) -> None:
    assert folder.read(NAME) is None
    folder.write(NAME, b"post")
    assert folder.read(NAME) == b"post"


def test_close_then_write_opens_the_folder_again(folder: AtomicFolder) -> None:
    folder.write(NAME, b"one")
    folder.close()
    folder.write(NAME, b"two")
    assert (folder.path / NAME).read_bytes() == b"two"


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_022")
def test_written_files_are_readable_as_the_umask_allows(
    folder: AtomicFolder, tmp_path: Path
) -> None:
    """A web server's user must read the archive: not 0600, as temporary files are made."""
    path = Path(folder.write(NAME, b"post"))
    with atomic_writer(tmp_path / "run.json") as file:
        file.write(b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "run.json").stat().st_mode) == 0o644


def test_write_all_continues_short_writes_and_refuses_a_write_that_takes_nothing() -> None:
    taken: list[bytes] = []

    def three_at_a_time(view: memoryview) -> int:
        taken.append(bytes(view[:3]))
        return len(taken[-1])

    write_all(three_at_a_time, b"abcdefgh")
    assert b"".join(taken) == b"abcdefgh"
    calls: list[int] = []

    def takes_nothing(view: memoryview) -> int:
        calls.append(len(view))
        if len(calls) > 1:
            raise RuntimeError("asked again: the loop would never end")
        return 0

    with pytest.raises(OSError, match="took none"):
        write_all(takes_nothing, b"x")
