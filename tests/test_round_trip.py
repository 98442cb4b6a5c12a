"""Round trip over the real corpus: build the site with Jekyll, crawl it, compare each record
and Markdown post with its source post."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.site.build import published_corpus_posts
from tests.support.corpus import read_post, source_visible_text, squash
from tests.support.crawl import CrawlResult

SCHEMA_PATH = Path(__file__).parents[1] / "newsspider" / "schemas" / "article.schema.json"

# Published posts the crawl cannot archive, each with its reason.
NAMED_EXCEPTIONS = {
    "2021-12-08-202112082206703990.md": (
        "a blank line before its front matter: Jekyll publishes it without front matter or"
        " layout (no title, category or tags), so no listing links to it and its page is not"
        " a post page"
    ),
}

FIELDS = ("title", "category", "tags", "published_at", "body_text")


def _expected(post_path: Path) -> dict[str, object] | None:
    post = read_post(post_path)
    if post is None:
        return None
    return {
        "title": post.title,
        "category": post.categories,
        "tags": post.tags,
        "published_at": post.shown_time.isoformat() if post.shown_time else None,
        "body_text": squash(source_visible_text(post)),
    }


def _actual(record: dict[str, object]) -> dict[str, object]:
    return {**{key: record[key] for key in FIELDS}, "body_text": squash(str(record["body_text"]))}


@pytest.mark.slow
def test_every_published_post_round_trips(corpus_dir: Path, corpus_crawl: CrawlResult) -> None:
    records = {str(record["id"]): record for record in corpus_crawl.records()}
    matches = dict.fromkeys(FIELDS, 0)
    mismatches: list[str] = []
    compared = 0
    for post_path in published_corpus_posts(corpus_dir):
        if post_path.name in NAMED_EXCEPTIONS:
            continue
        expected = _expected(post_path)
        assert expected is not None, f"{post_path.name}: unreadable front matter, not named"
        article_id = post_path.stem[len("YYYY-MM-DD-") :]
        record = records.get(article_id)
        if record is None:
            mismatches.append(f"{post_path.name}: not archived")
            continue
        compared += 1
        actual = _actual(record)
        for field in FIELDS:
            if actual[field] == expected[field]:
                matches[field] += 1
            else:
                mismatches.append(
                    f"{post_path.name} {field}: {actual[field]!r:.200} != {expected[field]!r:.200}"
                )
    total = len(published_corpus_posts(corpus_dir)) - len(NAMED_EXCEPTIONS)
    print(f"\nround trip: {compared}/{total} posts archived; named exceptions:")
    for name, reason in NAMED_EXCEPTIONS.items():
        print(f"  {name}: {reason}")
    for field, count in matches.items():
        print(f"  {field}: {count}/{total} match ({100 * count / total:.1f}%)")
    assert not mismatches, "\n".join(mismatches)
    assert len(records) == total, "the crawl archived posts that are not in the corpus"


@pytest.mark.slow
def test_every_record_validates_against_the_shipped_schema(corpus_crawl: CrawlResult) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    records = corpus_crawl.records()
    assert records
    errors = [
        f"{record.get('id')}: {error.message}"
        for record in records
        for error in validator.iter_errors(record)
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.slow
def test_jsonl_is_readable_utf8_named_by_spider_and_start_time(corpus_crawl: CrawlResult) -> None:
    (feed,) = corpus_crawl.feeds
    assert feed.name.startswith("finews-")
    text = feed.read_text(encoding="utf-8")
    assert "\\u" not in text, "Chinese text must be written as UTF-8, not \\u escapes"
    assert "东财滚动新闻" in text
