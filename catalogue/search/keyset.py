"""Keyset paging in the database backend: the hits after (or before) a sort key, never an offset.

A key is ``(sort value, id)`` in JSON types (dates as ISO 8601 text, ``None`` for an empty value,
which sorts last in the forward order); relevance keys are ``(score, id)``. A page is the rows
strictly past the key in the sort's order, so a walk through any number of hits costs the same
per page and neither repeats nor skips a hit while other records are added, changed or withdrawn.
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import OrderBy

from catalogue.models import Dataset
from catalogue.search.base import SORTS, key_error
from catalogue.search.sql_compiler import DATASETS, FTS

Key = tuple[Any, ...]
_DATES = {"start_time"}
_NUMBERS = {"size"}


def _value(field: str, after: Key) -> tuple[Any, int]:
    """The key's sort value as the database compares it, and its id; a malformed key is a
    :class:`QueryError`."""
    if len(after) != 2 or not isinstance(after[1], int) or isinstance(after[1], bool):
        raise key_error(after)
    value, pk = after
    if value is None:
        return None, pk
    try:
        if field in _DATES:
            return datetime.fromisoformat(str(value)), pk
        if field in _NUMBERS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(value)
            return value, pk
    except ValueError as exc:
        raise key_error(after) from exc
    if not isinstance(value, str):
        raise key_error(after)
    return value, pk


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _past(column: str, value: Any, pk: int, *, descending: bool, backwards: bool) -> Q:
    """Rows strictly after ``(value, pk)`` in the order (``backwards``: strictly before it).

    Empty values (NULL) come last in the forward order, as :func:`database._order` sorts them.
    """
    ahead = "lt" if descending != backwards else "gt"
    null = Q(**{f"{column}__isnull": True})
    same_id = Q(**{f"id__{ahead}": pk})
    if value is None:
        return ~null | (null & same_id) if backwards else null & same_id
    found = Q(**{f"{column}__{ahead}": value}) | (Q(**{column: value}) & same_id)
    return found if backwards else found | null


def field_page(
    queryset: QuerySet[Dataset],
    sort: str,
    column: str,
    order: list[OrderBy],
    *,
    after: Key | None,
    backwards: bool,
    size: int,
) -> tuple[list[int], dict[int, Key], bool]:
    """The ids of the page by a field's key, their keys, and whether more follow."""
    field, descending = SORTS[sort]
    if after is not None:
        value, pk = _value(field, after)
        queryset = queryset.filter(
            _past(column, value, pk, descending=descending, backwards=backwards)
        )
    rows = list(queryset.order_by(*order).values_list("id", column)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return [pk for pk, _ in rows], {pk: (_json(v), pk) for pk, v in rows}, more


def _score(after: Key) -> tuple[float | None, int]:
    if len(after) != 2 or not isinstance(after[1], int) or isinstance(after[1], bool):
        raise key_error(after)
    score, pk = after
    if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
        raise key_error(after)
    return (None if score is None else float(score)), pk


def ranked_page(
    queryset: QuerySet[Dataset],
    ranking: tuple[str, list[Any]],
    *,
    postgres: bool,
    after: Key | None,
    backwards: bool,
    size: int,
) -> tuple[list[int], dict[int, Key], bool]:
    """The ids of the page by relevance (``ts_rank`` higher first on PostgreSQL; ``bm25`` lower
    first on SQLite, rows matched by identifier only last), their keys, and whether more follow."""
    inner, params = queryset.order_by().values("id").query.sql_with_params()
    expr, rank_params = ranking
    where, where_params = "", []
    if postgres:
        score = expr
        if after is not None:
            value, pk = _score(after)
            if value is None:
                raise key_error(after)
            op = ">" if backwards else "<"
            where = f"WHERE ({score} {op} %s OR ({score} = %s AND s.id {op} %s))"
            where_params = [*rank_params, value, *rank_params, value, pk]
        direction = "ASC" if backwards else "DESC"
        sql = (
            f"SELECT s.id, ({score})::float8 FROM ({inner}) s "
            f"JOIN {DATASETS} ON {DATASETS}.id = s.id "
            f"{where} ORDER BY {score} {direction}, s.id {direction} LIMIT %s"
        )
        all_params = [*rank_params, *params, *where_params, *rank_params, size + 1]
    else:
        if after is not None:
            value, pk = _score(after)
            if backwards and value is None:
                where, where_params = "WHERE (r.score IS NOT NULL OR s.id > %s)", [pk]
            elif backwards:
                where = (
                    "WHERE r.score IS NOT NULL AND (r.score < %s OR (r.score = %s AND s.id > %s))"
                )
                where_params = [value, value, pk]
            elif value is None:
                where, where_params = "WHERE r.score IS NULL AND s.id < %s", [pk]
            else:
                where = "WHERE r.score IS NULL OR r.score > %s OR (r.score = %s AND s.id < %s)"
                where_params = [value, value, pk]
        order = (
            "r.score IS NULL DESC, r.score DESC, s.id ASC"
            if backwards
            else "r.score IS NULL, r.score, s.id DESC"
        )
        sql = (
            f"SELECT s.id, r.score FROM ({inner}) s LEFT JOIN (SELECT rowid AS id, "
            f"bm25({FTS}, 10.0, 5.0, 1.0) AS score FROM {FTS} WHERE {FTS} MATCH %s) r "
            f"ON r.id = s.id {where} ORDER BY {order} LIMIT %s"
        )
        all_params = [*params, expr, *where_params, size + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = [(int(pk), None if sc is None else float(sc)) for pk, sc in cursor.fetchall()]
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return [pk for pk, _ in rows], {pk: (sc, pk) for pk, sc in rows}, more
