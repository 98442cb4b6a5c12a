"""The crawl state interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What recording an archived article meant."""

    NEW = "new"  # first revision
    REVISED = "revised"  # its cleaned text changed: a new revision
    UNCHANGED = "unchanged"  # same text as the last revision: nothing to export


@dataclass(frozen=True, slots=True)
class ArticleState:
    id: str
    url: str
    content_sha256: str
    revision: int
    first_seen: str  # ISO 8601 UTC
    last_seen: str
    published_at: str | None = None
    category: str | None = None
    gone_at: str | None = None  # when the site stopped serving it


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    """What the state keeps of an exported article."""

    id: str
    url: str
    content_sha256: str
    published_at: str | None
    category: str | None
    seen_at: str


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP validators of a URL (listing pages and re-checked posts)."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


class CrawlState(ABC):
    """Storage of the incremental crawl's memory. Methods are small and atomic each."""

    @abstractmethod
    def article(self, article_id: str) -> ArticleState | None: ...

    def record(self, record: ArchivedRecord) -> tuple[Outcome, int]:
        """Record an exported article; return what it was and its revision."""
        return self.record_many([record])[0]

    @abstractmethod
    def record_many(self, records: list[ArchivedRecord]) -> list[tuple[Outcome, int]]:
        """Record several articles in one transaction (a checkpoint)."""

    @abstractmethod
    def begin_run(self, run_id: str, feed: str | None) -> None:
        """A run starts writing ``feed`` (its journal: the JSON Lines file)."""

    @abstractmethod
    def finish_run(self, run_id: str) -> None:
        """Every article of the run's feed is recorded."""

    @abstractmethod
    def unfinished_runs(self) -> list[tuple[str, str | None]]:
        """Runs that ended without :meth:`finish_run` (killed): ``(run_id, feed)``."""

    @abstractmethod
    def mark_seen(self, article_id: str, seen_at: str) -> None:
        """The site still serves the article (re-check answered 304)."""

    @abstractmethod
    def mark_gone(self, article_id: str, gone_at: str) -> bool:
        """The site stopped serving the article; return whether that is news."""

    @abstractmethod
    def served_in_category(self, category: str) -> list[ArticleState]:
        """Archived articles of ``category`` the site is believed to still serve."""

    @abstractmethod
    def categories(self) -> list[str]:
        """Every category of an archived article."""

    @abstractmethod
    def published_since(self, since_iso: str) -> list[ArticleState]:
        """Archived articles published at or after ``since_iso`` and still served."""

    @abstractmethod
    def validators(self, url: str) -> Validators: ...

    @abstractmethod
    def save_validators(self, url: str, validators: Validators) -> None: ...

    # Validators of a run are staged, and saved only if the run ends cleanly. This default
    # keeps them in memory; the SQLite store stages them in a table, off the heap.
    def stage_validators(self, validators: Iterable[tuple[str, Validators]]) -> None:
        self.__dict__.setdefault("_staged_validators", {}).update(validators)

    def save_staged_validators(self) -> int:
        """Save the staged validators; returns how many."""
        staged: dict[str, Validators] = self.__dict__.pop("_staged_validators", {})
        for url, validators in staged.items():
            self.save_validators(url, validators)
        return len(staged)

    def discard_staged_validators(self) -> int:
        """Forget the staged validators (a run that did not end cleanly); returns how many."""
        return len(self.__dict__.pop("_staged_validators", {}))

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Release the store's resources."""
