"""Recovery of a run that was killed (or whose outputs failed): its JSON Lines feed is the
journal.

The feed gets each record first (unbuffered), the post file next, and the crawl state last,
at checkpoints. A run killed in between left records that the state does not know: replaying
the run's feed records them and rewrites any post file that is missing or half-done, so the
next run neither loses nor duplicates them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsspider.state.base import ArchivedRecord, CrawlState, Outcome

logger = logging.getLogger(__name__)


def journal_records(feed: Path) -> list[dict[str, Any]]:
    """The complete lines of a feed (a line cut by the kill is not a record)."""
    if not feed.is_file():
        return []
    records = []
    for line in feed.read_bytes().split(b"\n")[:-1]:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            logger.warning("Ignoring a damaged line of %s", feed)
    return records


def recover(
    state: CrawlState,
    data_dir: Path,
    write_post: Callable[[dict[str, Any]], None] | None,
) -> list[str]:
    """Replay every unfinished run's feed into the state; return the ids it did not hold yet
    (a run stopped by an output failure had recorded part of its feed at checkpoints)."""
    recovered: list[str] = []
    for run_id, feed in state.unfinished_runs():
        records = journal_records(data_dir / feed) if feed else []
        for record in records:
            if write_post is not None:
                write_post(record)
        outcomes = state.record_many(
            [
                ArchivedRecord(
                    id=r["id"],
                    url=r["url"],
                    content_sha256=r["content_sha256"],
                    published_at=r.get("published_at"),
                    category=r.get("category"),
                    seen_at=r.get("crawled_at") or "",
                )
                for r in records
            ]
        )
        state.finish_run(run_id)
        added = [
            str(record["id"])
            for record, (outcome, _) in zip(records, outcomes, strict=True)
            if outcome is not Outcome.UNCHANGED
        ]
        recovered.extend(added)
        logger.info(
            "Recovered %d articles of the interrupted run %s (%d already recorded)",
            len(added),
            run_id,
            len(records) - len(added),
        )
    return recovered
