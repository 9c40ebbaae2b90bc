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

Why one module of ~690 lines: it is one backend over one pair of SQL dialects. The compiler, the
facet counts and the ranking share the table aliases (``_D``, ``_FTS``), the PostgreSQL/SQLite
branches and the facet selections, and each is read against the others when a query changes; the
parts that stand alone already live apart (:mod:`.one_pass`, :mod:`.facet_cache`,
:mod:`.conditions`, :mod:`.query`). Split it (compiler / counts / backend) when it grows again.
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608, S611
from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import ExtractYear

from catalogue.models import Dataset, ScientificParameter
from catalogue.search import facet_cache, one_pass
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
from catalogue.search.conditions import Condition, check_units, parse_conditions
from catalogue.search.query import (
    And,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    looks_like_identifier,
    parse,
    positive_words,
)

_SORT_FIELDS = {"proposal": "proposal__proposal_id"}
# Only these can be empty; the rest sort plainly, so PostgreSQL can walk their indexes both ways.
_NULLABLE = {"start_time", "proposal"}
FACET_SIZE = 20
UNITS_TTL = 300.0
_D = "catalogue_dataset"
_FTS = "catalogue_dataset_fts"
_WEIGHT = {"title": "A", "keyword": "B"}
_FTS_COLUMN = {"title": "title", "keyword": "keywords"}


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


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _pg_lexeme(word: str, weight: str = "", prefix: bool = False) -> str:
    """One ``to_tsquery`` operand: the word quoted, with its weight and prefix marks."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    marks = ("*" if prefix else "") + weight
    return f"{quoted}:{marks}" if marks else quoted


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _Compiler:
    """SQL for a query-language tree on one database vendor: ``(sql, params)``."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def node(self, node: Node) -> tuple[str, list[Any]]:
        if isinstance(node, Term | Phrase):
            return self.leaf(node)
        if isinstance(node, Not):
            sql, params = self.node(node.child)
            return f"NOT ({sql})", params
        parts = [self.node(child) for child in node.children]
        joiner = " AND " if isinstance(node, And) else " OR "
        assert isinstance(node, And | Or)
        return (
            "(" + joiner.join(sql for sql, _ in parts) + ")",
            [p for _, params in parts for p in params],
        )

    def text(self, node: Term | Phrase, column: str = "") -> tuple[str, list[Any]]:
        """The full-text match of a word, prefix or phrase (in one column when given)."""
        words = node.text.split() if isinstance(node, Phrase) else [node.text]
        prefix = isinstance(node, Term) and node.prefix
        if self.postgres:
            weight = _WEIGHT.get(column, "")
            if isinstance(node, Phrase) and not weight:
                return f"{_D}.search_vector @@ phraseto_tsquery('english', %s)", [node.text]
            if not prefix and not weight:
                return f"{_D}.search_vector @@ plainto_tsquery('english', %s)", [node.text]
            # Keep only what the parser treats as a word: the rest cannot be quoted into a lexeme.
            tokens = [t for w in words for t in re.findall(r"\w+", w)]
            if not tokens:
                return "FALSE", []
            lexemes = [_pg_lexeme(t, weight) for t in tokens]
            if prefix:
                lexemes[-1] = _pg_lexeme(tokens[-1], weight, prefix=True)
            return (
                f"{_D}.search_vector @@ to_tsquery('english', %s)",
                [" <-> ".join(lexemes) if isinstance(node, Phrase) else " & ".join(lexemes)],
            )
        match = _fts_string(node.text) + ("*" if prefix else "")
        if column:
            match = f"{_FTS_COLUMN[column]} : {match}"
        return f"{_D}.id IN (SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s)", [match]

    def leaf(self, node: Term | Phrase) -> tuple[str, list[Any]]:
        value = node.text
        prefix = isinstance(node, Term) and node.prefix
        op, arg = ("LIKE", _like(value.upper())) if prefix else ("=", value.upper())
        escape = " ESCAPE '\\'" if prefix else ""
        if node.field in ("title", "keyword"):
            return self.text(node, node.field)
        if node.field == "pid":
            return f"upper({_D}.pid) {op} %s{escape}", [arg]
        if node.field == "instrument":
            return (
                f"{_D}.instrument_id IN (SELECT id FROM catalogue_instrument WHERE "
                f"upper(unique_name) {op} %s{escape} OR upper(name) {op} %s{escape})",
                [arg, arg],
            )
        if node.field == "proposal":
            return (
                f"{_D}.proposal_id IN (SELECT id FROM catalogue_proposal WHERE "
                f"upper(proposal_id) {op} %s{escape})",
                [arg],
            )
        if node.field == "technique":
            contains = "%" + _like(value.upper())
            return (
                f"{_D}.id IN (SELECT dt.dataset_id FROM catalogue_dataset_techniques dt "
                "JOIN catalogue_technique t ON t.id = dt.technique_id WHERE "
                f"upper(t.name) LIKE %s ESCAPE '\\' OR upper(t.pid) {op} %s{escape})",
                [contains, arg],
            )
        if node.field == "doi":
            return self.doi(op, arg.lower(), escape)
        # No field: the full text, and identifiers when the word looks like one.
        sql, params = self.text(node)
        if not looks_like_identifier(value):
            return sql, params
        ids = [
            (f"upper({_D}.pid) {op} %s{escape}", [arg]),
            (f"upper({_D}.run_number) {op} %s{escape}", [arg]),
            (
                f"{_D}.proposal_id IN (SELECT id FROM catalogue_proposal WHERE "
                f"upper(proposal_id) {op} %s{escape})",
                [arg],
            ),
            self.doi(op, arg.lower(), escape),
        ]
        if self.postgres:  # upper(run_number) has no index there; the plain column has
            ids[1] = (f"{_D}.run_number = %s", [value]) if not prefix else ids[1]
        return (
            "(" + " OR ".join([sql, *(s for s, _ in ids)]) + ")",
            params + [p for _, ps in ids for p in ps],
        )

    def doi(self, op: str, arg: str, escape: str) -> tuple[str, list[Any]]:
        return (
            f"{_D}.id IN (SELECT pd.dataset_id FROM publishing_publication_datasets pd "
            "JOIN publishing_publication p ON p.id = pd.publication_id "
            f"WHERE p.doi {op} %s{escape} AND p.visibility = 'public')",
            [arg],
        )

    def condition(self, condition: Condition) -> tuple[str, list[Any]]:
        # IN over the parameter table (index on key_path, si_value): the matching ids are found
        # once per query, not probed again for every dataset row.
        base = (
            f"{_D}.id IN (SELECT sp.dataset_id FROM catalogue_scientificparameter sp "
            "WHERE sp.key_path = %s"
        )
        params: list[Any] = [condition.key]
        if not condition.numeric:
            if condition.op == "contains":
                like = "ILIKE" if self.postgres else "LIKE"
                return (
                    f"{base} AND sp.text_value {like} %s ESCAPE '\\')",
                    [*params, "%" + _like(condition.text)],
                )
            return (f"{base} AND upper(sp.text_value) = upper(%s))", [*params, condition.text])
        low, high = condition.bounds()
        strict = condition.op in ("<", ">")
        ranges: list[str] = []
        values: list[Any] = []
        if high is not None:
            ranges.append(f"sp.si_value {'<' if strict else '<='} %s")
            values.append(high)
        if low is not None:
            ranges.append(f"sp.si_value_max {'>' if strict else '>='} %s")
            values.append(low)
        within = " AND ".join(ranges)
        if condition.op == "!=":
            within = f"NOT ({within})"
        return (
            f"{base} AND sp.si_unit = %s AND sp.si_value IS NOT NULL AND {within})",
            [*params, condition.si_unit, *values],
        )

    def rank(self, words: list[Term | Phrase]) -> tuple[str, list[Any]] | None:
        """An expression ranking the rows (higher first on PostgreSQL, lower first on SQLite)."""
        terms = [w for w in words if not w.field or w.field in _WEIGHT]
        if not terms:
            return None
        if self.postgres:
            parts = []
            params: list[Any] = []
            for word in terms:
                if isinstance(word, Phrase):
                    parts.append("phraseto_tsquery('english', %s)")
                else:
                    parts.append("plainto_tsquery('english', %s)")
                params.append(word.text.rstrip("*"))
            return (
                f"ts_rank('{{0.1, 0.2, 0.6, 1.0}}', {_D}.search_vector, ({' || '.join(parts)}))",
                params,
            )
        match = " OR ".join(
            _fts_string(w.text) + ("*" if isinstance(w, Term) and w.prefix else "") for w in terms
        )
        return match, []


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


def _facet_q(facet: str, values: tuple[str, ...], postgres: bool) -> Q:
    if facet == "type":
        return Q(type__in=values)
    if facet == "instrument":
        return Q(instrument__unique_name__in=values) | Q(
            instrument__unique_name="", instrument__name__in=values
        )
    if facet == "technique":
        through = Dataset.techniques.through.objects.filter(technique__name__in=values)
        return Q(id__in=through.values("dataset_id"))
    if facet == "year":
        q = Q()
        for value in values:
            if value.isdigit() and 1 <= int(value) <= 9998:
                year = int(value)
                q |= Q(
                    start_time__gte=datetime(year, 1, 1, tzinfo=UTC),
                    start_time__lt=datetime(year + 1, 1, 1, tzinfo=UTC),
                )
        return q if q else Q(pk__lt=0)  # no valid year: nothing (and still compilable SQL)
    if facet == "keyword":
        if postgres:
            q = Q()
            for value in values:
                q |= Q(keywords__contains=[value])
            return q
        placeholders = ", ".join(["%s"] * len(values))
        return Q(
            id__in=RawSQL(
                f"SELECT d.id FROM {_D} d, json_each(d.keywords) k "
                f"WHERE k.value IN ({placeholders})",
                list(values),
            )
        )
    if facet == "license":
        return Q(license__in=values)
    if facet == "proposal":
        return Q(proposal__proposal_id__in=values)
    if facet == "location":
        return Q(data_location__in=values)
    raise QueryError(f"Unknown facet {facet!r}; use one of: {', '.join(FACETS)}")


def _counts(queryset: QuerySet[Dataset], facet: str, postgres: bool) -> list[tuple[str, int]]:
    def grouped(qs: Any, field: str) -> list[tuple[str, int]]:
        rows = qs.values(field).annotate(n=Count("id")).order_by("-n", field)[:FACET_SIZE]
        return [(str(r[field]), r["n"]) for r in rows if r[field] not in (None, "")]

    if facet == "type":
        return grouped(queryset, "type")
    if facet == "instrument":
        rows = (
            queryset.filter(instrument__isnull=False)
            .values("instrument__unique_name", "instrument__name")
            .annotate(n=Count("id"))
            .order_by("-n")[:FACET_SIZE]
        )
        return _merged(
            (r["instrument__unique_name"] or r["instrument__name"], r["n"]) for r in rows
        )
    if facet == "technique":
        # Raw SQL around the queryset's own: as an ORM subquery its table would be re-aliased,
        # and the full-text conditions name it.
        inner, params = queryset.order_by().values("id").query.sql_with_params()
        sql = (
            "SELECT t.name, COUNT(*) AS n FROM catalogue_dataset_techniques dt "
            "JOIN catalogue_technique t ON t.id = dt.technique_id "
            f"WHERE dt.dataset_id IN ({inner}) GROUP BY t.name ORDER BY n DESC, t.name "
            f"LIMIT {FACET_SIZE}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(str(name), int(n)) for name, n in cursor.fetchall()]
    if facet == "year":
        if postgres:
            return grouped(queryset.annotate(year=ExtractYear("start_time")), "year")
        # SQLite keeps UTC times as ISO text: the year is the first four characters, no need
        # for Django's Python date function per row.
        year = RawSQL(f"substr({_D}.start_time, 1, 4)", [])
        return grouped(queryset.filter(start_time__isnull=False).annotate(year=year), "year")
    if facet == "keyword":
        inner, params = queryset.order_by().values("keywords").query.sql_with_params()
        each = (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof(s.keywords) = 'array' "
            "THEN s.keywords ELSE '[]'::jsonb END) AS k(value)"
            if postgres
            else "json_each(CASE WHEN json_type(s.keywords) = 'array' THEN s.keywords "
            "ELSE '[]' END) AS k"
        )
        sql = (
            f"SELECT k.value, COUNT(*) AS n FROM ({inner}) s, {each} "
            f"GROUP BY k.value ORDER BY n DESC, k.value LIMIT {FACET_SIZE}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(str(value), int(n)) for value, n in cursor.fetchall()]
    if facet == "license":
        return grouped(queryset, "license")
    if facet == "proposal":
        return grouped(queryset, "proposal__proposal_id")
    if facet == "location":
        return grouped(queryset, "data_location")
    raise AssertionError(facet)


# Facets that are a plain column (or a function of one) of the dataset row.
_GROUPED = {
    "type": "s.type",
    "instrument": "s.instrument_id",
    "year": "EXTRACT(YEAR FROM s.start_time AT TIME ZONE 'UTC')::int",
    "license": "s.license",
    "proposal": "s.proposal_id",
    "location": "s.data_location",
}


def _grouped_counts(
    queryset: QuerySet[Dataset], facets: list[str]
) -> dict[str, list[tuple[str, int]]]:
    """Counts of several row facets in one scan (PostgreSQL ``GROUPING SETS``)."""
    inner, params = (
        queryset.order_by()
        .values("type", "instrument_id", "start_time", "license", "proposal_id", "data_location")
        .query.sql_with_params()
    )
    columns = ", ".join(f"{_GROUPED[f]} AS {f}" for f in facets)
    sets = ", ".join(f"({f})" for f in facets)
    flags = ", ".join(f"GROUPING({f})" for f in facets)
    sql = (
        f"SELECT {', '.join(facets)}, {flags}, COUNT(*) FROM "
        f"(SELECT {columns} FROM ({inner}) s) g GROUP BY GROUPING SETS ({sets})"
    )
    found: dict[str, list[tuple[Any, int]]] = {f: [] for f in facets}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values, grouping, n = row[: len(facets)], row[len(facets) : -1], row[-1]
            for facet, value, flag in zip(facets, values, grouping, strict=True):
                if flag == 0 and value not in (None, ""):
                    found[facet].append((value, int(n)))
    for pairs in found.values():
        pairs.sort(key=lambda p: (-p[1], str(p[0])))
    return _named(found)


def _merged(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts of values shown alike added up, most frequent first: instruments are counted per
    row, but two of them can go by one name, which the facet (and its filter) then means both."""
    totals: dict[str, int] = {}
    for value, n in pairs:
        totals[value] = totals.get(value, 0) + n
    return sorted(totals.items(), key=lambda pair: -pair[1])


def _named(found: dict[str, list[tuple[Any, int]]]) -> dict[str, list[tuple[str, int]]]:
    """The top values of each facet as shown: instrument names and proposal ids for row ids."""
    from catalogue.models import Instrument, Proposal

    out = {facet: [(str(v), n) for v, n in pairs[:FACET_SIZE]] for facet, pairs in found.items()}
    if "instrument" in out:
        ids = [int(v) for v, _ in found["instrument"][:FACET_SIZE]]
        names = {
            pk: unique or name
            for pk, unique, name in Instrument.objects.filter(pk__in=ids).values_list(
                "pk", "unique_name", "name"
            )
        }
        out["instrument"] = _merged(
            (names[int(v)], n) for v, n in out["instrument"] if int(v) in names
        )
    if "proposal" in out:
        ids = [int(v) for v, _ in found["proposal"][:FACET_SIZE]]
        codes = dict(Proposal.objects.filter(pk__in=ids).values_list("pk", "proposal_id"))
        out["proposal"] = [(codes[int(v)], n) for v, n in out["proposal"] if int(v) in codes]
    return out


def _narrowed(base: QuerySet[Dataset], selections: dict[str, Q], facet: str) -> QuerySet[Dataset]:
    """``base`` with every facet's selection but ``facet``'s own."""
    for other, q in selections.items():
        if other != facet:
            base = base.filter(q)
    return base


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
    ) -> tuple[QuerySet[Dataset], dict[str, Q], Node | None, _Compiler]:
        """The public datasets matching text and conditions, and each facet's selection."""
        compiler = _Compiler(connection.vendor)
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
        if where:
            queryset = queryset.extra(where=where, params=params)  # noqa: S610 - params bound
        selections = {
            facet: _facet_q(facet, values, compiler.postgres)
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
        narrowing = node is not None or bool(query.conditions) or bool(selections)
        if counted is None and query.facets and narrowing:
            # The total and the facets without a selection of their own from one statement,
            # which evaluates the text, conditions and selections once (one_pass).
            shared = [f for f in FACETS if f not in selections]
            total, found = one_pass.counts(queryset, shared, FACET_SIZE)
            for facet in shared:
                if facet in one_pass.ROW_FACETS:
                    found[facet].sort(key=lambda p: (-p[1], str(p[0])))
            counted = self._facet_counts(base, queryset, selections, compiler, _named(found))
        if total is None:
            total = queryset.count()
        start, stop = query.offset, min(query.offset + query.per_page, total)
        words = positive_words(node)
        ranking = compiler.rank(words) if sort == "relevance" else None
        if start >= total:
            ids: list[int] = []
        elif ranking is not None:
            ids = self._ranked(queryset, ranking, compiler, start, stop)
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
        )

    def _facet_counts(
        self,
        base: QuerySet[Dataset],
        queryset: QuerySet[Dataset],
        selections: dict[str, Q],
        compiler: _Compiler,
        counted: dict[str, list[tuple[str, int]]] | None = None,
    ) -> dict[str, list[tuple[str, int]]]:
        """Every facet's top values with counts, each with the other facets' selections."""
        if counted is not None:
            for facet in FACETS:
                if facet not in counted:
                    counted[facet] = _counts(
                        _narrowed(base, selections, facet), facet, compiler.postgres
                    )
            return counted
        counted = {}
        # On PostgreSQL the facets with no selection of their own count over the same rows in
        # one scan (GROUPING SETS). On SQLite one GROUP BY each over the covering index
        # (0007) measured faster than reading the rows once and counting in Python.
        shared = [f for f in _GROUPED if f not in selections]
        if compiler.postgres and len(shared) > 1:
            counted = _grouped_counts(queryset, shared)
        for facet in FACETS:
            if facet not in counted:
                counted[facet] = _counts(
                    _narrowed(base, selections, facet), facet, compiler.postgres
                )
        return counted

    def _ranked(
        self,
        queryset: QuerySet[Dataset],
        ranking: tuple[str, list[Any]],
        compiler: _Compiler,
        start: int,
        stop: int,
    ) -> list[int]:
        inner, params = queryset.order_by().values("id").query.sql_with_params()
        expr, rank_params = ranking
        if compiler.postgres:
            sql = (
                f"SELECT s.id FROM ({inner}) s JOIN {_D} ON {_D}.id = s.id "
                f"ORDER BY {expr} DESC, s.id DESC LIMIT %s OFFSET %s"
            )
            all_params = [*params, *rank_params, stop - start, start]
        else:
            sql = (
                f"SELECT s.id FROM ({inner}) s LEFT JOIN (SELECT rowid AS id, "
                f"bm25({_FTS}, 10.0, 5.0, 1.0) AS score FROM {_FTS} WHERE {_FTS} MATCH %s) r "
                "ON r.id = s.id ORDER BY r.score IS NULL, r.score, s.id DESC LIMIT %s OFFSET %s"
            )
            all_params = [*params, expr, stop - start, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, all_params)
            return [int(row[0]) for row in cursor.fetchall()]

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
