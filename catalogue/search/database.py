"""The database search backend: the embedded default, and the fallback when OpenSearch is down."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from catalogue.models import Dataset, Proposal
from catalogue.search.base import DEFAULT_SORT, SORTS, DatasetQuery, QueryError, SearchPage

_SORT_FIELDS = {"proposal": "proposal__proposal_id"}
# Only these can be empty; the rest sort plainly, so PostgreSQL can walk their indexes both ways.
_NULLABLE = {"start_time", "proposal"}


def _order(sort: str, *, backwards: bool = False) -> list[OrderBy]:
    """The ORDER BY of ``sort``; ``backwards`` gives the same order read from its far end."""
    if sort not in SORTS:
        raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    if sort == "relevance":  # no ranking here yet: newest first
        sort = DEFAULT_SORT
    field, descending = SORTS[sort]
    expr = F(_SORT_FIELDS.get(field, field))
    nullable = field in _NULLABLE
    if backwards:
        primary = (
            expr.asc(nulls_first=nullable or None)
            if descending
            else expr.desc(nulls_first=nullable or None)
        )
        descending = not descending
    else:
        primary = (
            expr.desc(nulls_last=nullable or None)
            if descending
            else expr.asc(nulls_last=nullable or None)
        )
    tiebreak = F("id").desc() if descending else F("id").asc()
    return [primary, tiebreak]


def _text_filter(queryset: QuerySet[Dataset], text: str) -> QuerySet[Dataset]:
    for term in text.split():
        # Proposal ids first: matching through the join would keep any index from being used.
        proposals = Proposal.objects.filter(proposal_id__iexact=term).values_list("id", flat=True)
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(pid__iexact=term)
            | Q(run_number__iexact=term)
            | Q(proposal_id__in=list(proposals))
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
        start, stop = query.offset, min(query.offset + query.per_page, total)
        if total // 2 < start < total:
            # Deep pages are read from the other end of the index, not skipped through.
            rows = queryset.order_by(*_order(query.effective_sort, backwards=True)).values_list(
                "id", flat=True
            )
            ids = list(rows[total - stop : total - start])[::-1]
        else:
            rows = queryset.order_by(*_order(query.effective_sort)).values_list("id", flat=True)
            ids = list(rows[start:stop])
        return SearchPage(ids=ids, total=total, query=query, backend=self.name)

    def index(self, dataset_ids: list[int]) -> None:
        """Nothing to do: the database is its own index."""
