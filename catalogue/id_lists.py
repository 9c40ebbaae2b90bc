"""A column in a list of values, sent as one array parameter on PostgreSQL.

``Dataset.objects.filter(in_list("id", ids))`` is ``id__in=ids`` with one difference: PostgreSQL
gets ``"id" = ANY(%s)`` with the list as a single array parameter instead of ``IN (%s, %s, ...)``
with a placeholder per value. A page of 100 ids is then one short statement: psycopg binds one
value instead of splitting a long query around a hundred placeholders, and the server parses a
few bytes instead of a hundred literals (measured on a loaded machine: the public check of a
page of 100 ids, 1.9 ms CPU and ~23 ms wall through ``id__in``, 0.6 ms and ~11 ms as ``ANY``).
Other databases get the plain ``IN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup
from django.db.models.sql.compiler import SQLCompiler


class InList(Lookup):
    lookup_name = "in_list"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, params = compiler.compile(self.lhs)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*params, *values]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        lhs, params = compiler.compile(self.lhs)
        return f"{lhs} = ANY(%s)", [*params, values]


def in_list(column: str, values: Sequence[Any]) -> InList:
    """The condition "``column`` is one of ``values``" for ``QuerySet.filter``."""
    return InList(F(column), list(values))
