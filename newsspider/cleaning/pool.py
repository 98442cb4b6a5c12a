"""The crawl process's side of the body-cleaning worker (``newsspider.cleaning.worker``).

Cleaning a body is the largest CPU cost of an article, and the crawl process is single
threaded: handing it to a second process lets the crawl use the machine's second core. The
worker is driven from the asyncio loop Scrapy's reactor runs on, without threads: bodies
wait in a list, and whenever the worker is idle everything waiting goes to it as one batch
(at most ``max_batch``). When the crawl outpaces the worker, batches grow and each costs the
crawl process less per body; when it does not, each body goes at once.

Nothing is lost when the worker fails: :meth:`CleaningWorker.clean` answers None for every
body it can no longer clean (the worker died, did not answer within ``timeout``, or could
not be started), and the caller cleans that body itself, as it would without a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
import time
from dataclasses import dataclass

from newsspider.cleaning.body import CleanedBody
from newsspider.cleaning.worker import HEADER, frame

logger = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 64
DEFAULT_TIMEOUT = 60.0
Result = CleanedBody | str  # a body's cleaned forms, or the error cleaning it raised
Waiting = tuple[str, "asyncio.Future[Result | None]"]


@dataclass(slots=True)
class WorkerFigures:
    bodies: int = 0
    batches: int = 0
    worker_cpu_ns: int = 0  # CPU time the worker spent cleaning
    crawl_cpu_ns: int = 0  # CPU time this process spent sending bodies and reading results


def worker_environment() -> dict[str, str]:
    """This process's environment, with its import path as the worker's ``PYTHONPATH``: under
    scrapyd the project is an egg that only this process's ``sys.path`` names."""
    return os.environ | {"PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry)}


class CleaningWorker:
    def __init__(
        self, *, max_batch: int = DEFAULT_MAX_BATCH, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        self.max_batch = max_batch
        self.timeout = timeout
        self.figures = WorkerFigures()
        self.lost: str | None = None  # why the worker no longer cleans, once it does not
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: list[Waiting] = []
        self._in_flight: list[Waiting] | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._closing = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """Started, and not lost: bodies given to :meth:`clean` go to the worker."""
        return self._process is not None and self.lost is None

    async def start(self) -> None:
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "newsspider.cleaning.worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=worker_environment(),
            )
        except OSError as error:
            self._lose(f"could not start: {error}")
            return
        self._reader = asyncio.create_task(self._read_results())

    async def clean(self, body: str) -> Result | None:
        """The worker's result for ``body``; None when the caller must clean it itself."""
        if not self.running:
            return None
        future: asyncio.Future[Result | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((body, future))
        if self._in_flight is None:
            self._send()
        return await future

    def _send(self) -> None:
        started = time.thread_time_ns()
        batch = self._waiting[: self.max_batch]
        del self._waiting[: self.max_batch]
        assert self._process is not None and self._process.stdin is not None
        self._in_flight = batch
        # The transport buffers what the pipe does not take at once; one batch at a time
        # is in flight, so the buffer stays at one batch.
        self._process.stdin.write(frame([body for body, _ in batch]))
        self._deadline = asyncio.get_running_loop().call_later(self.timeout, self._timed_out)
        self.figures.crawl_cpu_ns += time.thread_time_ns() - started

    async def _read_results(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        try:
            while True:
                (size,) = HEADER.unpack(await stdout.readexactly(HEADER.size))
                payload = await stdout.readexactly(size)
                self._answered(payload)
        except asyncio.IncompleteReadError:
            if not (self._closing and self._in_flight is None and not self._waiting):
                self._lose("it ended")
        except Exception as error:  # a broken frame: the worker cannot be trusted further
            logger.exception("The body-cleaning worker sent a broken answer")
            self._lose(f"{type(error).__name__}: {error}")

    def _answered(self, payload: bytes) -> None:
        if self.lost is not None:
            return  # a late answer of a worker given up on: its bodies were cleaned here
        started = time.thread_time_ns()
        results, worker_ns = pickle.loads(payload)  # our own worker wrote it
        batch, self._in_flight = self._in_flight or [], None
        if self._deadline is not None:
            self._deadline.cancel()
        if len(results) != len(batch):
            raise ValueError(f"{len(results)} results for a batch of {len(batch)} bodies")
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        self.figures.bodies += len(batch)
        self.figures.batches += 1
        self.figures.worker_cpu_ns += worker_ns
        if self._waiting:
            self._send()
        self.figures.crawl_cpu_ns += time.thread_time_ns() - started

    def _timed_out(self) -> None:
        self._lose(f"it did not answer within {self.timeout:g} s")

    def _lose(self, reason: str) -> None:
        """Stop using the worker; every body it holds or would get is cleaned by the caller."""
        if self.lost is not None:
            return
        self.lost = reason
        logger.warning(
            "The body-cleaning worker is lost (%s): bodies are cleaned in the crawl", reason
        )
        for _, future in [*(self._in_flight or []), *self._waiting]:
            if not future.done():
                future.set_result(None)
        self._in_flight, self._waiting = None, []
        if self._deadline is not None:
            self._deadline.cancel()
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()

    async def close(self, timeout: float = 10.0) -> None:
        """End the worker: it finishes its batch, reads the end of its input and exits."""
        process = self._process
        if process is None:
            return
        self._closing = True
        if self.lost is None and process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            self._lose(f"it did not exit within {timeout:g} s of its input's end")
            await process.wait()
        if self._reader is not None:
            await self._reader
        if process.returncode not in (0, None) and self.lost is None:
            self.lost = f"it exited with status {process.returncode}"
