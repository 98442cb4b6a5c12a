"""Export only what changed: revisions, unchanged articles and duplicates within one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newsspider.incremental.pipeline import ChangedOnlyPipeline, UnchangedArticle
from newsspider.state import ArchivedRecord
from tests.unit.test_pipelines import make_item

SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture
def pipeline(tmp_path: Path) -> ChangedOnlyPipeline:
    crawler = get_crawler(
        settings_dict={"NEWSSPIDER_INCREMENTAL": True, "NEWSSPIDER_DATA_DIR": str(tmp_path)}
    )
    return ChangedOnlyPipeline.from_crawler(crawler)


def _stat(pipeline: ChangedOnlyPipeline, name: str) -> int:
    return int(pipeline.stats.get_value(f"newsspider/incremental/{name}", 0))


def test_a_new_article_is_revision_1_and_its_duplicate_in_the_run_is_dropped(
    pipeline: ChangedOnlyPipeline,
) -> None:
    assert pipeline.process_item(make_item(content_sha256=SHA_A)).revision == 1
    with pytest.raises(UnchangedArticle, match="already exported in this run"):
        pipeline.process_item(make_item(content_sha256=SHA_A))
    assert _stat(pipeline, "duplicates_in_run") == 1


def test_the_same_id_with_another_text_in_the_run_is_exported(
    pipeline: ChangedOnlyPipeline,
) -> None:
    pipeline.process_item(make_item(content_sha256=SHA_A))
    assert pipeline.process_item(make_item(content_sha256=SHA_B)).revision == 1
    assert _stat(pipeline, "duplicates_in_run") == 0


def test_a_known_article_is_dropped_unchanged_or_exported_as_its_next_revision(
    pipeline: ChangedOnlyPipeline,
) -> None:
    item = make_item(content_sha256=SHA_A)
    pipeline.state.record(
        ArchivedRecord(item.id, item.url, SHA_A, None, "tianjinribao", "2026-11-27T00:00:00Z")
    )
    with pytest.raises(UnchangedArticle, match="unchanged since revision 1"):
        pipeline.process_item(item)
    assert _stat(pipeline, "unchanged") == 1
    assert pipeline.process_item(make_item(content_sha256=SHA_B)).revision == 2
