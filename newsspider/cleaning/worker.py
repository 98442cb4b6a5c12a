"""The body-cleaning worker process: ``python -m newsspider.cleaning.worker``.

It reads batches of post bodies from stdin and writes their cleaned forms to stdout, so the
crawl process can hand :func:`~newsspider.cleaning.clean_body` (lxml, nh3, the Markdown walk:
the largest CPU cost of an article) to the machine's second core. Started and fed by
:class:`newsspider.cleaning.pool.CleaningWorker`; it imports no Scrapy.

Frames, both ways: a 4-byte big-endian length, then a pickle. In: ``list[str]`` (the bodies).
Out: ``(results, cpu_ns)``, one result per body in order, a :class:`CleanedBody` or, when
cleaning raised, the exception's text (the crawl process then cleans that body itself, so
the error is raised and logged there, with the item). ``cpu_ns``: CPU time of the batch.
The process ends at end of input.
"""

from __future__ import annotations

import pickle
import signal
import struct
import sys
import time
from typing import BinaryIO

from newsspider.cleaning.body import CleanedBody, clean_body

HEADER = struct.Struct(">I")
# Pickles both ways are between two copies of this module of one installation.
PROTOCOL = pickle.HIGHEST_PROTOCOL


def frame(message: object) -> bytes:
    payload = pickle.dumps(message, protocol=PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def read_frame(stream: BinaryIO) -> object | None:
    """The next message, or None at end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    message: object = pickle.loads(payload)  # the crawl process that started us wrote it
    return message


def clean_batch(bodies: list[str]) -> tuple[list[CleanedBody | str], int]:
    started = time.thread_time_ns()
    results: list[CleanedBody | str] = []
    for body in bodies:
        try:
            results.append(clean_body(body))
        except Exception as error:  # reported back, raised again in the crawl
            results.append(f"{type(error).__name__}: {error}")
    return results, time.thread_time_ns() - started


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    while (bodies := read_frame(source)) is not None:
        if not isinstance(bodies, list):
            raise SystemExit(f"newsspider cleaning worker: expected a list, got {type(bodies)}")
        sink.write(frame(clean_batch(bodies)))
        sink.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl shuts down gracefully and still
    # needs its worker until it closes the worker's input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
