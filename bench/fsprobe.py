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

import shutil
import tempfile
import time
from pathlib import Path

from newsspider.files import AtomicFolder

PROBE_FILES = 300
POST_BYTES = 3_000  # about a post file of the benchmark's site


def file_creation_ms(folder: Path, files: int = PROBE_FILES, size: int = POST_BYTES) -> float:
    """CPU milliseconds per file to create ``files`` files of ``size`` bytes with the posts
    writer's own ``newsspider.files.AtomicFolder.write``, in a new folder in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = Path(tempfile.mkdtemp(prefix="fsprobe-", dir=folder))
    data = b"x" * size
    writer = AtomicFolder(probe)
    try:
        started = time.thread_time_ns()
        for number in range(files):
            writer.write(f"{number}.md", data)
        return (time.thread_time_ns() - started) / 1e6 / files
    finally:
        writer.close()
        shutil.rmtree(probe, ignore_errors=True)
