"""The SQLite crawl state and the recovery of a killed run from its feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsspider.recovery import journal_records, recover
from newsspider.state import ArchivedRecord, Outcome, SQLiteCrawlState, Validators


def _record(article_id: str, sha: str = "a" * 64, **extra: str) -> ArchivedRecord:
    values = {
        "id": article_id,
        "url": f"https://finews.withounder.com/x/2026/11/25/{article_id}.html",
        "content_sha256": sha,
        "published_at": "2026-11-25T09:00:00+08:00",
        "category": "ceshi",
        "seen_at": "2026-11-27T00:00:00+00:00",
        **extra,
    }
    return ArchivedRecord(**values)


@pytest.fixture
def state(tmp_path: Path) -> SQLiteCrawlState:
    return SQLiteCrawlState(tmp_path / "state" / "crawl.sqlite3")


def test_record_new_unchanged_revised(state: SQLiteCrawlState) -> None:
    assert state.record(_record("NW1")) == (Outcome.NEW, 1)
    assert state.record(_record("NW1")) == (Outcome.UNCHANGED, 1)
    assert state.record(_record("NW1", sha="b" * 64)) == (Outcome.REVISED, 2)
    article = state.article("NW1")
    assert article is not None and article.revision == 2 and article.content_sha256 == "b" * 64


def test_gone_is_recorded_once_and_cleared_when_seen_again(state: SQLiteCrawlState) -> None:
    state.record(_record("NW1"))
    assert state.mark_gone("NW1", "2026-11-28T00:00:00+00:00") is True
    assert state.mark_gone("NW1", "2026-11-29T00:00:00+00:00") is False
    assert state.served_in_category("ceshi") == []
    article = state.article("NW1")
    assert article is not None and article.gone_at == "2026-11-28T00:00:00+00:00"
    state.mark_seen("NW1", "2026-11-30T00:00:00+00:00")
    assert [a.id for a in state.served_in_category("ceshi")] == ["NW1"]


def test_staged_validators_are_saved_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "state" / "crawl.sqlite3"
    state = SQLiteCrawlState(path)
    state.save_validators("/a.html", Validators('"old"'))
    state.stage_validators([("/a.html", Validators('"new"')), ("/b.html", Validators('"b"'))])
    state.stage_validators([("/b.html", Validators('"b2"', "Tue, 01 Dec 2026"))])
    assert state.validators("/a.html") == Validators('"old"')
    assert not state.validators("/b.html")
    assert state.save_staged_validators() == 2
    assert state.validators("/a.html") == Validators('"new"')
    assert state.validators("/b.html") == Validators('"b2"', "Tue, 01 Dec 2026")
    assert state.save_staged_validators() == 0  # saved once


def test_discarded_or_orphaned_staged_validators_are_never_saved(tmp_path: Path) -> None:
    path = tmp_path / "state" / "crawl.sqlite3"
    state = SQLiteCrawlState(path)
    state.stage_validators([("/a.html", Validators('"a"'))])
    assert state.discard_staged_validators() == 1
    assert state.save_staged_validators() == 0
    state.stage_validators([("/b.html", Validators('"b"'))])
    state.close()  # a run that ends without saving them (a killed process: the same)
    reopened = SQLiteCrawlState(path)
    assert reopened.save_staged_validators() == 0
    assert not reopened.validators("/a.html") and not reopened.validators("/b.html")


def test_validators_and_categories(state: SQLiteCrawlState) -> None:
    assert not state.validators("/category/ceshi.html")
    state.save_validators("/category/ceshi.html", Validators('"abc"', "Tue, 01 Dec 2026"))
    assert state.validators("/category/ceshi.html") == Validators('"abc"', "Tue, 01 Dec 2026")
    state.record(_record("NW1"))
    state.record(_record("NW2", category="other"))
    assert state.categories() == ["ceshi", "other"]
    assert [a.id for a in state.published_since("2026-11-25T00:00:00+08:00")] == ["NW1", "NW2"]
    assert state.published_since("2026-11-26T00:00:00+08:00") == []


def test_a_killed_run_is_replayed_from_its_feed(state: SQLiteCrawlState, tmp_path: Path) -> None:
    feed = tmp_path / "jsonl" / "finews-RUN.jsonl"
    feed.parent.mkdir()
    lines = [
        {"id": "NW1", "url": "u1", "content_sha256": "a" * 64, "published_at": None,
         "category": "ceshi", "crawled_at": "t"},
        {"id": "NW2", "url": "u2", "content_sha256": "b" * 64, "published_at": None,
         "category": "ceshi", "crawled_at": "t"},
    ]  # fmt: skip
    # The kill cut the third line short: it is not a record.
    feed.write_bytes(b"".join(json.dumps(x).encode() + b"\n" for x in lines) + b'{"id": "NW3"')
    state.begin_run("RUN", "jsonl/finews-RUN.jsonl")
    state.begin_run("DONE", "jsonl/missing.jsonl")
    state.finish_run("DONE")
    rewritten: list[str] = []

    assert recover(state, tmp_path, lambda record: rewritten.append(record["id"])) == ["NW1", "NW2"]
    assert rewritten == ["NW1", "NW2"]
    assert state.article("NW1") is not None and state.article("NW3") is None
    assert state.unfinished_runs() == []
    assert recover(state, tmp_path, None) == [], "a recovered run is not replayed twice"


def test_a_replayed_feed_recovers_only_what_the_state_did_not_hold(
    state: SQLiteCrawlState, tmp_path: Path
) -> None:
    """A run stopped by an output failure recorded part of its feed at checkpoints."""
    feed = tmp_path / "jsonl" / "finews-RUN.jsonl"
    feed.parent.mkdir()
    lines = [
        {"id": article_id, "url": f"u{article_id}", "content_sha256": "a" * 64,
         "published_at": None, "category": "ceshi", "crawled_at": "t"}
        for article_id in ("NW1", "NW2")
    ]  # fmt: skip
    feed.write_bytes(b"".join(json.dumps(x).encode() + b"\n" for x in lines))
    state.begin_run("RUN", "jsonl/finews-RUN.jsonl")
    state.record(_record("NW1"))  # its checkpoint came before the failure
    assert recover(state, tmp_path, None) == ["NW2"]


def test_journal_ignores_a_damaged_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b'{"id": "NW1"}\nnot json\n{"id": "NW2"}\n')
    assert [r["id"] for r in journal_records(feed)] == ["NW1", "NW2"]
    assert journal_records(tmp_path / "absent.jsonl") == []
