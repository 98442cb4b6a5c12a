"""Feed URI parameters: ``%(data_dir)s`` in ``FEEDS`` follows ``NEWSSPIDER_DATA_DIR``."""

from __future__ import annotations

from typing import Any

from scrapy import Spider


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    params["data_dir"] = str(spider.settings.get("NEWSSPIDER_DATA_DIR")).rstrip("/")
    return params
