"""Feeds: ``%(data_dir)s`` and ``%(run_id)s`` in ``FEEDS`` URIs, unbuffered file storage, and a
JSON Lines exporter that reads dataclass items directly.

Each JSON Lines record reaches the operating system when it is exported (one ``write`` per
line), so a run killed at any moment leaves only whole lines, and the crawl state, written
after, never counts an article the feed does not hold.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.python import to_bytes

from newsspider.files import write_all
from newsspider.output_failures import output_failed
from newsspider.runs import run_id_for


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    params["data_dir"] = str(spider.settings.get("NEWSSPIDER_DATA_DIR")).rstrip("/")
    params["run_id"] = run_id_for(spider.crawler)
    return params


class UnbufferedFileFeedStorage(FileFeedStorage):
    def open(self, spider: Spider) -> IO[Any]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)


class JsonLinesExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter, byte for byte, but a dataclass item's fields are read
    with ``getattr``: ``ItemAdapter`` and ``serialize_field`` took half of each line's cost.

    Only for a list of ``fields_to_export`` and fields without a ``serializer``; any other item
    goes through Scrapy's code. Enabled with ``FEED_EXPORTERS = {"jsonlines": …}``.
    """

    def __init__(self, file: Any, *, crawler: Crawler | None = None, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.crawler = crawler
        self._names: dict[type, tuple[str, ...] | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> Self:
        return cls(file, crawler=crawler, **kwargs)

    def export_item(self, item: Any) -> None:
        """Write the item's line; one the file refuses is cut off again and reported (see
        :mod:`newsspider.output_failures`), so the feed holds whole lines only."""
        if self.crawler is None:
            self._write(item)
            return
        start = self.file.tell()
        try:
            self._write(item)
        except OSError as error:
            with contextlib.suppress(OSError):
                self.file.truncate(start)
            output_failed(self.crawler, item, "feed", error)

    def _write(self, item: Any) -> None:
        kind = type(item)
        if kind not in self._names:
            self._names[kind] = self._plain_fields(kind)
        names = self._names[kind]
        fields_ = (
            dict(self.get_serialized_fields(item))
            if names is None
            else {name: getattr(item, name) for name in names}
        )
        write_all(self.file.write, to_bytes(self.encoder.encode(fields_) + "\n", self.encoding))

    def _plain_fields(self, kind: type) -> tuple[str, ...] | None:
        """The fields to export of a dataclass, when Scrapy would export them unchanged."""
        wanted = self.fields_to_export
        if not is_dataclass(kind) or wanted is None or isinstance(wanted, Mapping):
            return None
        declared = {field.name: field for field in fields(kind)}
        if any("serializer" in field.metadata for field in declared.values()):
            return None
        if self.export_empty_fields and any(name not in declared for name in wanted):
            return None  # Scrapy writes those as null
        return tuple(name for name in wanted if name in declared)
