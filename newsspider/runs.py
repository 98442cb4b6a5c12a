"""The run id: the UTC start time, naming the run's feed and manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import Crawler

_ATTRIBUTE = "_newsspider_run_id"


def run_id_for(crawler: Crawler) -> str:
    """``20261127T051546Z``; ``…Z-2``, ``…Z-3`` when a run of the same second left files.

    A worker of a distributed run (``NEWSSPIDER_RUN_ID``, set by newsspider.distributed) names
    its outputs ``<run id>-<worker>``: ``jsonl/finews-<run id>-<worker>.jsonl``,
    ``runs/<run id>-<worker>.json``.
    """
    run_id: str | None = getattr(crawler, _ATTRIBUTE, None)
    shared = crawler.settings.get("NEWSSPIDER_RUN_ID")
    if run_id is None and shared:
        worker = crawler.settings.get("NEWSSPIDER_WORKER")
        run_id = f"{shared}-{worker}" if worker else str(shared)
        setattr(crawler, _ATTRIBUTE, run_id)
    if run_id is None:
        base = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        runs = Path(crawler.settings["NEWSSPIDER_DATA_DIR"]) / "runs"
        run_id, number = base, 1
        while (runs / f"{run_id}.json").exists():
            number += 1
            run_id = f"{base}-{number}"
        setattr(crawler, _ATTRIBUTE, run_id)
    return run_id
