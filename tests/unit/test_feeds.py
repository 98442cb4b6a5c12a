"""``feeds.JsonLinesExporter`` writes what Scrapy's ``JsonLinesItemExporter`` writes, byte for
byte, for every kind of item and option it may meet."""

from __future__ import annotations

import errno
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.test import get_crawler

from newsspider.feeds import JsonLinesExporter
from newsspider.items import EXPORT_FIELDS, ArticleItem
from newsspider.output_failures import failed_ids


@dataclass
class Serialized:
    id: str
    title: str = field(default="", metadata={"serializer": str.upper})


ITEMS: list[Any] = [
    ArticleItem(id="NW202203032295532740", url="https://finews.withounder.com/a/b.html"),
    ArticleItem(
        id="202112082206672930",
        url="https://finews.withounder.com/emnews/2021/12/08/202112082206672930.html",
        title='标题 "引号" \\ \u2028 \x00 😀',
        tags=["天津日报新闻", "<b>"],
        body_html="<p>正文</p>",
        share={"status": "ok", "article": {"title": "分享", "n": 1.5, "none": None}},
        warnings=["a", "b"],
        page={"not": "exported"},
    ),
    {"id": "a dict", "url": "u", "extra": [1, 2]},
    Serialized(id="x", title="upper me"),
]
OPTIONS: list[dict[str, Any]] = [
    {"encoding": "utf8", "fields_to_export": EXPORT_FIELDS},
    {"encoding": "utf8", "fields_to_export": ["id", "missing", "title"]},
    {"encoding": "utf8", "fields_to_export": ["id", "missing"], "export_empty_fields": True},
    {"encoding": "utf8", "fields_to_export": {"id": "ID", "title": "Title"}},
    {"encoding": "utf8"},
    {"fields_to_export": EXPORT_FIELDS},  # no encoding: ASCII escapes
]


def exported(exporter_class: type[JsonLinesItemExporter], options: dict[str, Any]) -> bytes:
    file = io.BytesIO()
    exporter = exporter_class(file, **options)
    exporter.start_exporting()
    for item in ITEMS:
        exporter.export_item(item)
    exporter.finish_exporting()
    return file.getvalue()


@pytest.mark.parametrize("options", OPTIONS, ids=range(len(OPTIONS)))
def test_lines_are_scrapys_byte_for_byte(options: dict[str, Any]) -> None:
    assert exported(JsonLinesExporter, dict(options)) == exported(
        JsonLinesItemExporter, dict(options)
    )


def test_each_item_is_one_write() -> None:
    """One ``write`` per line: the unbuffered feed holds only whole lines after a kill."""
    writes: list[bytes] = []

    class Recorder(io.BytesIO):
        def write(self, data: Any) -> int:
            writes.append(bytes(data))
            return len(data)

    exporter = JsonLinesExporter(Recorder(), encoding="utf8", fields_to_export=EXPORT_FIELDS)
    exporter.export_item(ITEMS[1])
    assert len(writes) == 1 and writes[0].endswith(b"}\n")


def test_the_project_exports_json_lines_with_it() -> None:
    from newsspider.settings import FEED_EXPORTERS, FEEDS

    assert FEED_EXPORTERS == {"jsonlines": "newsspider.feeds.JsonLinesExporter"}
    assert {feed["format"] for feed in FEEDS.values()} == {"jsonlines"}


class ShortWrites(io.BytesIO):
    """A file that takes at most ``limit`` bytes a write, then refuses once ``room`` is
    spent (a nearly full disk)."""

    def __init__(self, limit: int, room: int) -> None:
        super().__init__()
        self.limit = limit
        self.room = room

    def write(self, data: Any) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = bytes(data)[: min(self.limit, self.room)]
        self.room -= len(taken)
        return super().write(taken)


def test_a_line_the_file_takes_in_pieces_is_written_whole() -> None:
    file = ShortWrites(limit=7, room=10**6)
    exporter = JsonLinesExporter(file, encoding="utf8", fields_to_export=EXPORT_FIELDS)
    exporter.export_item(ITEMS[1])
    assert file.getvalue() == exported(JsonLinesItemExporter, {"encoding": "utf8",
        "fields_to_export": EXPORT_FIELDS}).split(b"\n")[1] + b"\n"  # fmt: skip


def test_a_line_the_disk_refuses_halfway_is_cut_back_and_reported() -> None:
    crawler = get_crawler(Spider)
    first = ITEMS[0]
    file = ShortWrites(limit=50, room=len(exported(JsonLinesItemExporter, {"encoding": "utf8",
        "fields_to_export": EXPORT_FIELDS}).split(b"\n")[0]) + 1 + 60)  # fmt: skip
    exporter = JsonLinesExporter.from_crawler(
        crawler, file, encoding="utf8", fields_to_export=EXPORT_FIELDS
    )
    exporter.export_item(first)
    whole = file.getvalue()
    exporter.export_item(ITEMS[1])  # 60 bytes taken, then ENOSPC
    assert file.getvalue() == whole, "only whole lines stay"
    assert failed_ids(crawler) == {ITEMS[1].id}
    assert crawler.stats is not None
    assert crawler.stats.get_value("newsspider/outputs/failed/feed") == 1
