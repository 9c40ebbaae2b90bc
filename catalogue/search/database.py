"""The database search backend: the embedded default, and the fallback when OpenSearch is down.

The query language's tree is compiled to one SQL condition. Words and phrases use the database's
full text: on PostgreSQL the stored ``search_vector`` column (GIN index; title weight A, keywords
B, description C) with ``plainto_tsquery`` / ``phraseto_tsquery`` / ``word:*`` prefixes, on SQLite
the FTS5 table ``catalogue_dataset_fts`` (migration 0005). Words that look like identifiers also
match a PID, run number, proposal id or publication DOI exactly (case-insensitive).

Facets are ``GROUP BY`` counts, each with every other facet's selection applied; when text,
conditions or selections narrow the rows, the total and the facets without a selection of their
own come from one statement that evaluates the predicate once (:mod:`.one_pass`). Totals and
counts depend on the filter state only and are cached per catalogue generation
(:mod:`.facet_cache`): a repeated search, or another page or sort of it, counts nothing again.
Conditions are ``IN`` over :class:`~catalogue.models.ScientificParameter` in SI units. Relevance is
``ts_rank`` on PostgreSQL and ``bm25`` on SQLite. Highlights mark the query's words in titles
(computed in Python for the page's rows only).

Split by concern: the SQL compiler of the query language and the conditions is
:mod:`.sql_compiler`, the facets' ``GROUP BY`` counts :mod:`.facet_counts`; this module is the
backend itself (filtering, ordering, ranking, paging, highlights).
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from catalogue.models import Dataset, ScientificParameter
from catalogue.search import facet_cache, keyset, one_pass
from catalogue.search.base import (
    DEFAULT_SORT,
    FACETS,
    SORTS,
    DatasetQuery,
    FacetValue,
    IndexState,
    QueryError,
    SearchPage,
    SearchUnavailable,
)
from catalogue.search.clauses import ParameterTest, check_size, leaves
from catalogue.search.conditions import check_units, parse_conditions
from catalogue.search.facet_counts import (
    FACET_SIZE,
    GROUPED,
    counts,
    facet_q,
    grouped_counts,
    named,
    narrowed,
)
from catalogue.search.query import (
    Node,
    Phrase,
    Term,
    parse,
    positive_words,
)
from catalogue.search.sql_clauses import ClauseCompiler
from catalogue.search.sql_compiler import DATASETS, FTS, Compiler

_SORT_FIELDS = {"proposal": "proposal__proposal_id"}
# Only these can be empty; the rest sort plainly, so PostgreSQL can walk their indexes both ways.
_NULLABLE = {"start_time", "proposal"}
UNITS_TTL = 300.0


def _order(sort: str, *, backwards: bool = False) -> list[OrderBy]:
    """The ORDER BY of ``sort``; ``backwards`` gives the same order read from its far end."""
    if sort not in SORTS:
        raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    if sort == "relevance":
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


_units_cache: dict[str, tuple[float, set[str]]] = {}


def stored_units(key: str) -> set[str]:
    """The SI units ``key`` is stored in, among public datasets (cached for a few minutes)."""
    now = time.monotonic()
    cached = _units_cache.get(key)
    if cached and now - cached[0] < UNITS_TTL:
        return cached[1]
    units = set(
        ScientificParameter.objects.filter(key_path=key, si_value__isnull=False)
        .order_by()
        .values_list("si_unit", flat=True)
        .distinct()[:10]
    )
    if len(_units_cache) > 1000:
        _units_cache.clear()
    _units_cache[key] = (now, units)
    return units


def _highlight(text: str, words: list[Term | Phrase]) -> str | None:
    patterns = []
    for word in words:
        if word.field and word.field != "title":
            continue
        escaped = r"\s+".join(re.escape(w) for w in word.text.split())
        patterns.append(rf"\b{escaped}\w*" if not isinstance(word, Phrase) else rf"\b{escaped}\b")
    if not patterns:
        return None
    regex = re.compile("|".join(patterns), re.IGNORECASE)
    out, last, found = [], 0, False
    for match in regex.finditer(text):
        if match.end() == match.start():
            continue
        found = True
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    if not found:
        return None
    out.append(html.escape(text[last:]))
    return "".join(out)


class DatabaseBackend:
    """The database is its own index: the index methods of :class:`SearchBackend` do nothing."""

    name = "database"
    separate_index = False

    def _filtered(
        self, query: DatasetQuery
    ) -> tuple[QuerySet[Dataset], dict[str, Q], Node | None, Compiler]:
        """The public datasets matching text and conditions, and each facet's selection."""
        compiler = Compiler(connection.vendor)
        node = parse(query.text)
        conditions = parse_conditions(query.conditions)
        for condition in conditions:
            if condition.numeric:
                check_units(condition, stored_units(condition.key))
        queryset: QuerySet[Dataset] = Dataset.objects.public()
        where: list[str] = []
        params: list[Any] = []
        if node is not None:
            sql, ps = compiler.node(node)
            where.append(sql)
            params += ps
        for condition in conditions:
            sql, ps = compiler.condition(condition)
            where.append(sql)
            params += ps
        if query.where is not None:
            check_size(query.where)
            for leaf in leaves(query.where):
                if isinstance(leaf, ParameterTest) and leaf.numeric:
                    check_units(leaf.conditions()[0], stored_units(leaf.key))
            sql, ps = ClauseCompiler(compiler).clause(query.where)
            where.append(sql)
            params += ps
        if where:
            queryset = queryset.extra(where=where, params=params)  # noqa: S610 - params bound
        selections = {
            facet: facet_q(facet, values, compiler.postgres)
            for facet, values in query.filters
            if values
        }
        return queryset, selections, node, compiler

    def search(self, query: DatasetQuery) -> SearchPage:
        sort = query.effective_sort
        if sort not in SORTS:
            raise QueryError(f"Unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        base, selections, node, compiler = self._filtered(query)
        queryset = base
        for q in selections.values():
            queryset = queryset.filter(q)
        # Total and facet counts depend on the filter state only: cached per catalogue generation.
        cache_key = facet_cache.key(query, facet_cache.generation())
        cached = facet_cache.get(cache_key)
        counted: dict[str, list[tuple[str, int]]] | None = cached[1] if cached else None
        total: int | None = cached[0] if cached else None
        narrowing = (
            node is not None
            or bool(query.conditions)
            or bool(selections)
            or query.where is not None
        )
        if counted is None and query.facets and narrowing:
            # The total and the facets without a selection of their own from one statement,
            # which evaluates the text, conditions and selections once (one_pass).
            shared = [f for f in FACETS if f not in selections]
            total, found = one_pass.counts(queryset, shared, FACET_SIZE)
            for facet in shared:
                if facet in one_pass.ROW_FACETS:
                    found[facet].sort(key=lambda p: (-p[1], str(p[0])))
            counted = self._facet_counts(base, queryset, selections, compiler, named(found))
        if total is None:
            total = queryset.count()
        start, stop = query.offset, min(query.offset + query.per_page, total)
        words = positive_words(node)
        ranking = compiler.rank(words) if sort == "relevance" else None
        keys: dict[int, tuple[Any, ...]] = {}
        scores: dict[int, float] = {}
        more = False
        if query.keyset and ranking is not None:
            ids, keys, more = keyset.ranked_page(
                queryset,
                ranking,
                postgres=compiler.postgres,
                after=query.after,
                backwards=query.backwards,
                size=query.per_page,
            )
            sign = 1.0 if compiler.postgres else -1.0  # bm25: lower is better
            scores = {pk: max(sign * float(key[0] or 0.0), 0.0) for pk, key in keys.items()}
        elif query.keyset:
            field = SORTS[DEFAULT_SORT if sort == "relevance" else sort][0]
            ids, keys, more = keyset.field_page(
                queryset,
                DEFAULT_SORT if sort == "relevance" else sort,
                _SORT_FIELDS.get(field, field),
                _order(sort, backwards=query.backwards),
                after=query.after,
                backwards=query.backwards,
                size=query.per_page,
            )
        elif start >= total:
            ids = []
        elif ranking is not None:
            scores = self._ranked(queryset, ranking, compiler, start, stop)
            ids = list(scores)
        elif total // 2 < start < total:
            # Deep pages are read from the other end of the index, not skipped through.
            rows = queryset.order_by(*_order(sort, backwards=True)).values_list("id", flat=True)
            ids = list(rows[total - stop : total - start])[::-1]
        else:
            rows = queryset.order_by(*_order(sort)).values_list("id", flat=True)
            ids = list(rows[start:stop])
        facets: dict[str, list[FacetValue]] = {}
        if query.facets and counted is None:
            counted = self._facet_counts(base, queryset, selections, compiler)
        if not cached or (counted is not None and cached[1] is None):
            facet_cache.put(cache_key, total, counted)
        if query.facets:
            assert counted is not None
            for facet in FACETS:
                chosen = set(query.selected(facet))
                counts = counted[facet]
                values = [FacetValue(value=v, count=n, selected=v in chosen) for v, n in counts]
                seen = {v for v, _ in counts}
                values += [FacetValue(value=v, count=0, selected=True) for v in chosen - seen]
                facets[facet] = values
        highlights: dict[int, dict[str, list[str]]] = {}
        if words and ids:
            for pk, title in Dataset.objects.filter(pk__in=ids).values_list("pk", "title"):
                marked = _highlight(title, words)
                if marked:
                    highlights[pk] = {"title": [marked]}
        return SearchPage(
            ids=ids,
            total=total,
            query=query,
            backend=self.name,
            facets=facets,
            highlights=highlights,
            keys=keys,
            more=more,
            scores=scores,
        )

    def _facet_counts(
        self,
        base: QuerySet[Dataset],
        queryset: QuerySet[Dataset],
        selections: dict[str, Q],
        compiler: Compiler,
        counted: dict[str, list[tuple[str, int]]] | None = None,
    ) -> dict[str, list[tuple[str, int]]]:
        """Every facet's top values with counts, each with the other facets' selections."""
        if counted is not None:
            for facet in FACETS:
                if facet not in counted:
                    counted[facet] = counts(
                        narrowed(base, selections, facet), facet, compiler.postgres
                    )
            return counted
        counted = {}
        # On PostgreSQL the facets with no selection of their own count over the same rows in
        # one scan (GROUPING SETS). On SQLite one GROUP BY each over the covering index
        # (0007) measured faster than reading the rows once and counting in Python.
        shared = [f for f in GROUPED if f not in selections]
        if compiler.postgres and len(shared) > 1:
            counted = grouped_counts(queryset, shared)
        for facet in FACETS:
            if facet not in counted:
                counted[facet] = counts(narrowed(base, selections, facet), facet, compiler.postgres)
        return counted

    def _ranked(
        self,
        queryset: QuerySet[Dataset],
        ranking: tuple[str, list[Any]],
        compiler: Compiler,
        start: int,
        stop: int,
    ) -> dict[int, float]:
        """The page's ids in rank order, with their scores (higher is better)."""
        inner, params = queryset.order_by().values("id").query.sql_with_params()
        expr, rank_params = ranking
        if compiler.postgres:
            sql = (
                f"SELECT s.id, {expr} AS score FROM ({inner}) s JOIN {DATASETS} "
                f"ON {DATASETS}.id = s.id ORDER BY score DESC, s.id DESC LIMIT %s OFFSET %s"
            )
            all_params = [*rank_params, *params, stop - start, start]
        else:
            # bm25 is lower for better matches (negative): its negation ranks like ts_rank.
            sql = (
                f"SELECT s.id, -r.score FROM ({inner}) s LEFT JOIN (SELECT rowid AS id, "
                f"bm25({FTS}, 10.0, 5.0, 1.0) AS score FROM {FTS} WHERE {FTS} MATCH %s) r "
                "ON r.id = s.id ORDER BY r.score IS NULL, r.score, s.id DESC LIMIT %s OFFSET %s"
            )
            all_params = [*params, expr, stop - start, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, all_params)
            return {int(row[0]): max(float(row[1] or 0.0), 0.0) for row in cursor.fetchall()}

    def index(self, dataset_ids: list[int]) -> None:
        """Nothing to do: the database is its own index."""

    def rebuild(
        self, ids: Iterable[list[int]], *, progress: Callable[[int], None] | None = None
    ) -> str:
        raise SearchUnavailable("OPENSEARCH_URL is not set: the database backend has no index")

    def index_state(self) -> IndexState | None:
        return None

    def bulk_load_start(self) -> None:
        return None

    def bulk_load_finish(self) -> bool:
        return False

    def refresh(self) -> None:
        return None

    def ping(self) -> bool:
        return True

    def raw_search(self, query: DatasetQuery) -> Callable[[], object] | None:
        return None
