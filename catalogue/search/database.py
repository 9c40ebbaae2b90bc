"""The database search backend: the embedded default, and the fallback when OpenSearch is down."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from catalogue.models import Dataset
from catalogue.search.base import SORTS, DatasetQuery, QueryError, SearchPage

_SORT_FIELDS = {"proposal": "proposal__proposal_id"}
# Only these can be empty; the rest sort plainly, so PostgreSQL can walk their indexes both ways.
_NULLABLE = {"start_time", "proposal"}


def _order(sort: str) -> list[OrderBy]:
    if sort not in SORTS:
        raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    field, descending = SORTS[sort]
    expr = F(_SORT_FIELDS.get(field, field))
    nulls_last = True if field in _NULLABLE else None
    primary = expr.desc(nulls_last=nulls_last) if descending else expr.asc(nulls_last=nulls_last)
    tiebreak = F("id").desc() if descending else F("id").asc()
    return [primary, tiebreak]


def _text_filter(queryset: QuerySet[Dataset], text: str) -> QuerySet[Dataset]:
    for term in text.split():
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(pid__iexact=term)
            | Q(run_number__iexact=term)
            | Q(proposal__proposal_id__iexact=term)
            | Q(description__icontains=term)
            | Q(keywords__icontains=term)
        )
    return queryset


class DatabaseBackend:
    name = "database"

    def search(self, query: DatasetQuery) -> SearchPage:
        queryset: QuerySet[Dataset] = Dataset.objects.public()
        if query.text.strip():
            queryset = _text_filter(queryset, query.text)
        total = queryset.count()
        ids = list(
            queryset.order_by(*_order(query.sort)).values_list("id", flat=True)[
                query.offset : query.offset + query.per_page
            ]
        )
        return SearchPage(ids=ids, total=total, query=query, backend=self.name)

    def index(self, dataset_ids: list[int]) -> None:
        """Nothing to do: the database is its own index."""
