"""Process ids for tests of what runs leave behind."""

from __future__ import annotations

import subprocess


def ended_pid() -> int:
    """The pid of a process that has run and ended (reaped: no longer running)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
