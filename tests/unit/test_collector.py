"""The crawl's garbage-collector tuning is applied while the spider runs, and undone after."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsspider.extensions.collector import GarbageCollectorTuning


def tuning(value: object) -> GarbageCollectorTuning:
    return GarbageCollectorTuning.from_crawler(
        get_crawler(settings_dict={"NEWSSPIDER_GC_THRESHOLD": value})
    )


def test_thresholds_hold_while_the_spider_runs_and_are_restored() -> None:
    before = gc.get_threshold()
    extension = tuning([12345, 11, 12])
    extension.spider_opened()
    try:
        assert gc.get_threshold() == (12345, 11, 12)
        assert gc.get_freeze_count() > 0
        gc.collect()
    finally:
        extension.spider_closed()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert extension.stats.get_value("newsspider/gc/collections") >= 1
    assert extension.stats.get_value("newsspider/gc/cpu_ms") > 0
    assert extension._timed not in gc.callbacks


def test_an_empty_setting_leaves_python_s_thresholds() -> None:
    with pytest.raises(NotConfigured):
        tuning([])


@pytest.mark.parametrize("value", [[10000, 10], [10000, 0, 10], ["many", 10, 10]])
def test_a_bad_setting_is_named(value: object) -> None:
    with pytest.raises(ValueError, match="NEWSSPIDER_GC_THRESHOLD must be three positive"):
        tuning(value)
