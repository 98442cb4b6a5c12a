"""What creating a post-sized file costs on the benchmark's disk, measured just before a crawl.

The Jekyll posts writer creates a file per article (a temporary name, a write, a rename).
On the disk of the machine the benchmark was written on (ext4 on a virtual disk, mounted
with ``discard``), that same loop, outside any crawl, cost from 0.03 to 0.9 ms of CPU per
file depending on the folder and the minute: as much as all the rest of an article's
processing. So each full crawl is preceded by this probe, in a folder beside the crawl's
data folder, and its figure is reported beside the posts writer's: a writer figure that
moves with it is the disk, not the crawler.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

PROBE_FILES = 300
POST_BYTES = 3_000  # about a post file of the benchmark's site


def file_creation_ms(folder: Path, files: int = PROBE_FILES, size: int = POST_BYTES) -> float:
    """CPU milliseconds per file to create ``files`` files of ``size`` bytes as the posts
    writer does (``newsspider.files.AtomicFolder.write``), in a new folder in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = Path(tempfile.mkdtemp(prefix="fsprobe-", dir=folder))
    data = b"x" * size
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        directory = os.open(probe, os.O_RDONLY | os.O_DIRECTORY)
        started = time.thread_time_ns()
        try:
            for number in range(files):
                temp = f".{number}.tmp"
                fd = os.open(temp, flags, 0o600, dir_fd=directory)
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
                os.rename(temp, f"{number}.md", src_dir_fd=directory, dst_dir_fd=directory)
            return (time.thread_time_ns() - started) / 1e6 / files
        finally:
            os.close(directory)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
