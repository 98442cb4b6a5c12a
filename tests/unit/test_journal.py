"""The run's lists wait on disk and come back into the manifest as json.dumps would write them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from newsspider.extensions.journal import RunJournal

ODD_VALUES = ["NW1", 'with "quotes" and \\ backslash', "line\nbreak\ttab", "中文 ✓", ""]


def manifest_of(lists: dict[str, Any]) -> dict[str, Any]:
    """A manifest's shape, with the lists or with the journal's placeholders for them."""
    return {
        "run_id": "20261127T000000Z",
        "new": lists["new"],
        "revised": lists["revised"],
        "recovered": lists["recovered"],
        "failed": [{"url": "https://x/1.html", "reason": "gone"}],
        "outputs": {"jsonl": ["jsonl/a.jsonl"], "posts": lists["posts"]},
    }


def written(journal: RunJournal, document: dict[str, Any]) -> str:
    file = io.BytesIO()
    journal.write_json(document, file)
    return file.getvalue().decode()


@pytest.mark.parametrize(
    "lists",
    [
        {"new": [], "revised": [], "recovered": [], "posts": []},
        {
            "new": ["NW1"],
            "revised": [],
            "recovered": [],
            "posts": ["posts/_posts/2026-11-27-NW1.md"],
        },
        {
            "new": ODD_VALUES,
            "revised": ["R1", "R2"],
            "recovered": ["K1"],
            "posts": list(reversed(ODD_VALUES)),
        },
    ],
    ids=["empty", "one", "odd-values"],
)
def test_the_manifest_is_the_text_json_dumps_writes(
    tmp_path: Path, lists: dict[str, list[str]]
) -> None:
    journal = RunJournal(tmp_path / "runs")
    longest = max(len(values) for values in lists.values())
    for index in range(longest):  # interleaved, as a crawl adds them
        for kind, values in lists.items():
            if index < len(values):
                journal.add(kind, values[index])
    placeholders = {kind: journal.placeholder(kind) for kind in lists}
    text = written(journal, manifest_of(placeholders))
    expected = json.dumps(manifest_of(lists), ensure_ascii=False, indent=2)
    assert text == expected
    assert journal.counts == {kind: len(values) for kind, values in lists.items()}
    for kind, values in lists.items():
        assert list(journal.values(kind)) == values
    journal.close()


def test_additions_after_a_partial_read_are_kept(tmp_path: Path) -> None:
    journal = RunJournal(tmp_path)
    # Far more than the file's read buffer: a read stopped early stops mid-file.
    ids = [f"NW20261127{number:010d}" for number in range(5000)]
    for article_id in ids:
        journal.add("new", article_id)
    reader = journal.values("new")
    assert next(reader) == ids[0]
    reader.close()
    journal.add("new", "last")
    assert list(journal.values("new")) == [*ids, "last"]
    journal.close()


def test_the_journal_leaves_no_file(tmp_path: Path) -> None:
    journal = RunJournal(tmp_path / "runs")
    journal.add("posts", "posts/_posts/x.md")
    assert list((tmp_path / "runs").iterdir()) == []  # unnamed: gone with the process
    journal.close()


def test_an_unknown_list_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no journal list 'gone': new, revised, recovered, posts"):
        RunJournal(tmp_path).add("gone", "x")


def test_a_manifest_without_a_place_for_a_list_is_refused(tmp_path: Path) -> None:
    journal = RunJournal(tmp_path)
    with pytest.raises(ValueError, match="no place for the journal list 'recovered'"):
        written(journal, {kind: journal.placeholder(kind) for kind in ("new", "revised")})
