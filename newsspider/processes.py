"""This machine's processes as runs name them in what they leave behind: host and pid."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path


def host_name() -> str:
    """The host name with anything but letters, digits, ``.``, ``_`` and ``-`` made ``_``:
    safe in file names and Redis keys."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname()) or "host"


def pid_scope() -> str:
    """Where a pid names one process: the host name, and the pid namespace when the system
    shows it. Containers given the same host name have their own pid namespaces, so a pid
    that runs in one says nothing about the same pid in another."""
    try:
        namespace = Path("/proc/self/ns/pid").stat().st_ino
    except OSError:  # not Linux, or no /proc
        return host_name()
    return f"{host_name()}-pidns{namespace}"


def is_running(pid: int) -> bool:
    """A process ``pid`` runs on this machine (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
