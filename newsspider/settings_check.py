"""The project's settings checked before a crawl starts: a bad value stops the run with one
line naming it (exit status 2), where the component reading it would fail mid-start-up
with a traceback (exit status 1)."""

from __future__ import annotations

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from newsspider.extensions.collector import thresholds_setting
from newsspider.extensions.posts import body_format_setting


class SettingsError(ValueError):
    """A setting has a value the crawl cannot use."""


# name -> the smallest value it may take
_AT_LEAST_INTS = {
    "NEWSSPIDER_MAX_FAILED": 0,
    "NEWSSPIDER_CHECKPOINT_ITEMS": 1,
    "NEWSSPIDER_LISTINGS_AT_ONCE": 0,
    "NEWSSPIDER_CLEANING_WORKER_BATCH": 1,
}
_NOT_NEGATIVE_FLOATS = (
    "NEWSSPIDER_CHECKPOINT_SECONDS",
    "NEWSSPIDER_PROGRESS_INTERVAL",
    "NEWSSPIDER_RETRY_BACKOFF",
    "NEWSSPIDER_RETRY_BACKOFF_MAX",
    "NEWSSPIDER_RETRY_AFTER_MAX",
)


def check_settings(settings: BaseSettings) -> None:
    """Raise :class:`SettingsError` for the first setting the crawl could not use."""
    # The components' own readings, where they have one.
    for reading in (body_format_setting, thresholds_setting):
        try:
            reading(settings)
        except ValueError as error:
            raise SettingsError(str(error)) from None
    backend = settings.get("NEWSSPIDER_STATE_BACKEND", "sqlite")
    if backend != "sqlite":
        try:
            load_object(backend)
        except (ImportError, AttributeError, NameError, ValueError) as error:
            raise SettingsError(
                f"NEWSSPIDER_STATE_BACKEND={backend!r} is neither 'sqlite' nor an importable"
                f" factory: {error}"
            ) from None
    for name, least in _AT_LEAST_INTS.items():
        value = _number(settings, name, int)
        if value < least:
            raise SettingsError(f"{name} must be {least} or more, not {value}")
    for name in _NOT_NEGATIVE_FLOATS:
        if _number(settings, name, float) < 0:
            raise SettingsError(f"{name} must not be negative")
    if _number(settings, "NEWSSPIDER_CLEANING_WORKER_TIMEOUT", float) <= 0:
        raise SettingsError("NEWSSPIDER_CLEANING_WORKER_TIMEOUT must be positive")


def _number(settings: BaseSettings, name: str, kind: type[int] | type[float]) -> float:
    value = settings.get(name)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
