"""The search contract both backends fulfil."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from catalogue.search.clauses import Clause

# URL value -> (field, descending). "relevance" ranks by score (the default when there is text);
# DEFAULT_SORT is the order without text.
SORTS: dict[str, tuple[str, bool]] = {
    "relevance": ("_score", True),
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

# Facets: URL parameter (repeatable) -> label. Values within one facet combine with OR, facets
# with AND. The order here is the sidebar's order.
# The sidebar's facets and their labels (translated when shown: lazy strings).
FACETS: dict[str, StrOrPromise] = {
    "type": _("Type"),
    "instrument": _("Instrument"),
    "technique": _("Technique"),
    "creator": _("Creator"),
    "year": _("Year"),
    "keyword": _("Keyword"),
    "license": _("License"),
    "proposal": _("Proposal"),
    "location": _("Data location"),
}


class QueryError(ValueError):
    """A query the visitor can fix; the message says how."""


def key_error(after: tuple[Any, ...] | None) -> QueryError:
    """The error for a keyset cursor a backend cannot read (made by another sort or version)."""
    return QueryError(
        f"The cursor {str(after)[:80]!r} does not fit this search; start again without it."
    )


class SearchUnavailable(RuntimeError):
    """The backend could not be reached."""


@dataclass(frozen=True)
class DatasetQuery:
    """One search: text in the query language, facet filters, scientific-metadata conditions.

    ``filters`` holds ``(facet, values)`` pairs for the facets of :data:`FACETS` (values OR'ed,
    facets AND'ed); ``conditions`` holds raw ``sm`` strings such as ``"sample_temperature > 20
    degC"``, parsed by the backends (a bad one raises :class:`QueryError`). ``sort=""`` means
    relevance when there is text, :data:`DEFAULT_SORT` otherwise.

    ``where`` is a structured condition tree built by the APIs (:mod:`catalogue.search.clauses`),
    AND'ed with the rest. ``start``, when given, is the offset of the first result instead of
    ``page`` (clients that skip any number of results, such as LoopBack's ``skip``).
    """

    text: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    conditions: tuple[str, ...] = ()
    sort: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    # Facet counts cost time; callers that only need ids (feeds, exports) switch them off.
    facets: bool = True
    # Keyset paging (the API's cursors) instead of ``page``: the hits right after the hit whose
    # sort key is ``after`` (from the start when None), or with ``backwards`` the hits right
    # before it; either way returned in the sort's order, with their keys in ``SearchPage.keys``.
    # A key is ``(sort value, id)`` (relevance: ``(score, id)``), in JSON types: a walk by key
    # never repeats or skips a hit while other records are added, changed or withdrawn.
    keyset: bool = False
    after: tuple[Any, ...] | None = None
    backwards: bool = False
    where: Clause | None = None
    start: int | None = None
    # The search page's date range on the start time (inclusive, whole days in UTC):
    # ISO dates, checked by the page; AND'ed with the rest as ``where`` clauses.
    start_from: date | None = None
    start_to: date | None = None
    # Document fields the answer reads from the hits besides the table row's
    # (``SearchPage.sources``; backends without documents ignore it).
    source: tuple[str, ...] = ()

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        return "relevance" if self.text.strip() else DEFAULT_SORT

    def selected(self, facet: str) -> tuple[str, ...]:
        for name, values in self.filters:
            if name == facet:
                return values
        return ()

    @property
    def offset(self) -> int:
        if self.keyset:
            return 0
        if self.start is not None:
            return self.start
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class FacetValue:
    value: str  # what goes into the URL
    count: int  # public datasets matching the search with this value (others facets applied)
    label: str = ""  # what the sidebar shows; the value when empty
    selected: bool = False


@dataclass(frozen=True)
class SearchPage:
    ids: list[int]
    total: int
    query: DatasetQuery
    backend: str = ""
    # True when the configured backend failed and another one answered instead.
    degraded: bool = False
    # Facet name (a key of FACETS) -> values with counts, most frequent first.
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # Dataset id -> field name -> HTML fragments (escaped text, matches wrapped in <mark>).
    highlights: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    # Dataset id -> the fields of its table row as the index stores them (OpenSearch only;
    # the database backend leaves this empty and the rows are read from the database).
    sources: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Keyset paging only: each hit's sort key (what ``DatasetQuery.after`` takes back), and
    # whether more hits follow in the direction read (past the last, or before the first hit
    # when reading ``backwards``).
    keys: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    more: bool = False
    # Dataset id -> the backend's relevance score (> 0, higher is better) when sorted by relevance.
    scores: dict[int, float] = field(default_factory=dict)

    @property
    def first(self) -> int:
        return self.query.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.query.offset + len(self.ids), self.total)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class IndexState:
    """What a backend's own index holds: the name searches use, the index behind it, documents."""

    alias: str
    index: str | None  # None: no index yet
    documents: int


class SearchBackend(Protocol):
    """What every backend does, so that no caller asks which one it has.

    ``separate_index`` tells the two kinds apart by what they do, not by name: a backend with an
    index apart from the database (OpenSearch) can be down, its updates can fail (and wait in the
    backlog), it can be rebuilt, bulk-loaded with its refresh paused, and searches fall back to
    the database when it fails. The database backend reads the catalogue itself: the index
    methods do nothing there, ``rebuild`` refuses, ``ping`` is always True.
    """

    name: str
    separate_index: bool

    def search(self, query: DatasetQuery) -> SearchPage: ...

    def index(self, dataset_ids: list[int]) -> None:
        """Bring these datasets' entries up to date (adds, updates, removes withdrawn)."""
        ...

    def rebuild(
        self, ids: Iterable[list[int]], *, progress: Callable[[int], None] | None = None
    ) -> str:
        """Fill a new index from batches of dataset ids and switch searches to it; its name."""
        ...

    def index_state(self) -> IndexState | None:
        """The index searches read now (None without a separate index)."""
        ...

    def bulk_load_start(self) -> None:
        """Many updates follow (a full sync): stop making each searchable at once."""
        ...

    def bulk_load_finish(self) -> bool:
        """Make everything sent searchable again if a bulk load left it paused; True if it was."""
        ...

    def refresh(self) -> None:
        """Make every update sent so far searchable now."""
        ...

    def ping(self) -> bool:
        """Whether the backend answers now (health checks)."""
        ...

    def raw_search(self, query: DatasetQuery) -> Callable[[], object] | None:
        """The backend's own request(s) for this page, sent by its client alone (the search
        benchmark compares the search layer with it); None when there is no such thing."""
        ...
