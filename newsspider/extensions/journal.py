"""The run's per-article lists (new and revised ids, post files), kept on disk until its end.

The run manifest lists every article a run archived and every post file it wrote: 20,000
posts made two lists of 40,000 strings, and their JSON text at the close, ~10 MB at the
run's peak. The lists wait instead in an unnamed temporary file beside the manifest (gone
with the process, whatever way it ends), each value already JSON-encoded, and the manifest
is written by streaming them into the text ``json.dumps(..., indent=2)`` would give.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

KINDS = ("new", "revised", "recovered", "posts")
_INDENT = 2
# Stands for a list in the manifest's JSON until the list is streamed in its place.
_PLACEHOLDER = "\x00journal:{}\x00"


class RunJournal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counts = dict.fromkeys(KINDS, 0)
        self._file: IO[str] | None = None

    def add(self, kind: str, value: str) -> None:
        if kind not in self.counts:
            raise ValueError(f"no journal list {kind!r}: {', '.join(KINDS)}")
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Open for the whole run; closed (and so gone) by close().
            self._file = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", dir=self.folder
            )
        # One line each: JSON escapes any line break in the value.
        self._file.write(f"{kind}\t{json.dumps(value, ensure_ascii=False)}\n")
        self.counts[kind] += 1

    def _encoded(self, kind: str) -> Iterator[str]:
        if self._file is None:
            return
        self._file.flush()
        self._file.seek(0)
        prefix = f"{kind}\t"
        try:
            for line in self._file:
                if line.startswith(prefix):
                    yield line[len(prefix) : -1]
        finally:
            self._file.seek(0, 2)  # back to the end, for later additions

    def values(self, kind: str) -> Iterator[str]:
        return (json.loads(encoded) for encoded in self._encoded(kind))

    def placeholder(self, kind: str) -> str:
        """What to put in the manifest where the list ``kind`` goes (see :meth:`write_json`)."""
        return _PLACEHOLDER.format(kind)

    def write_json(self, document: dict[str, Any], file: IO[bytes]) -> None:
        """Write ``document`` as ``json.dumps(document, ensure_ascii=False, indent=2)`` would,
        each placeholder replaced by its list, streamed from the journal."""
        text = json.dumps(document, ensure_ascii=False, indent=_INDENT)
        for kind in KINDS:
            quoted = json.dumps(self.placeholder(kind), ensure_ascii=False)
            before, found, text = text.partition(quoted)
            if not found:
                raise ValueError(f"the manifest has no place for the journal list {kind!r}")
            file.write(before.encode())
            # The list's indentation is that of the line holding the placeholder.
            line = before[before.rfind("\n") + 1 :]
            indent = line[: len(line) - len(line.lstrip())]
            self._write_list(kind, indent, file)
        file.write(text.encode())

    def _write_list(self, kind: str, indent: str, file: IO[bytes]) -> None:
        item_indent = "\n" + indent + " " * _INDENT
        separator = ""
        for encoded in self._encoded(kind):
            file.write(f"{separator or '['}{item_indent}{encoded}".encode())
            separator = ","
        file.write(f"\n{indent}]".encode() if separator else b"[]")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
