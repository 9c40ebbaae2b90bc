"""The search contract both backends fulfil."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# URL value -> (field, descending). The first is the default.
SORTS: dict[str, tuple[str, bool]] = {
    "-start_time": ("start_time", True),
    "start_time": ("start_time", False),
    "pid": ("pid", False),
    "-pid": ("pid", True),
    "title": ("title", False),
    "-title": ("title", True),
    "run_number": ("run_number", False),
    "-run_number": ("run_number", True),
    "size": ("size", False),
    "-size": ("size", True),
    "type": ("type", False),
    "-type": ("type", True),
    "proposal": ("proposal", False),
    "-proposal": ("proposal", True),
}
DEFAULT_SORT = "-start_time"
PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
MAX_QUERY_LENGTH = 500


class QueryError(ValueError):
    """A query the visitor can fix; the message says how."""


class SearchUnavailable(RuntimeError):
    """The backend could not be reached."""


@dataclass(frozen=True)
class DatasetQuery:
    text: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class SearchPage:
    ids: list[int]
    total: int
    query: DatasetQuery
    backend: str = ""
    # True when the configured backend failed and another one answered instead.
    degraded: bool = False

    @property
    def first(self) -> int:
        return self.query.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.query.offset + len(self.ids), self.total)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


class SearchBackend(Protocol):
    name: str

    def search(self, query: DatasetQuery) -> SearchPage: ...

    def index(self, dataset_ids: list[int]) -> None:
        """Bring these datasets' entries up to date (adds, updates, removes withdrawn)."""
        ...
