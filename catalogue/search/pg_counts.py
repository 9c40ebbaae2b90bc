"""PostgreSQL: the total and the facet counts of a search in one statement, over one evaluation.

The matching rows (text, conditions, facet selections applied) are read once into a
``MATERIALIZED`` CTE holding only the columns the facets need; the total, the row facets, the
techniques and the keywords are all counted from it. Before, each of four statements evaluated the
full-text or condition predicate again (a condition matching half the catalogue: ~120 ms each).
Measured at 100,000 datasets: 35-45 % less time for text, conditions and facet selections. With
no predicate at all the separate statements stay faster (their index-only scans beat copying
every row into the CTE), so :mod:`catalogue.search.database` uses this only when there is one.
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from catalogue.models import Dataset

# Facets that are a plain column (or a function of one) of the dataset row.
ROW_FACETS = {
    "type": "m.type",
    "instrument": "m.instrument_id",
    "year": "EXTRACT(YEAR FROM m.start_time AT TIME ZONE 'UTC')::int",
    "license": "m.license",
    "proposal": "m.proposal_id",
    "location": "m.data_location",
}
_COLUMNS = ("id", "type", "instrument_id", "start_time", "license", "proposal_id", "data_location")


def counts(
    queryset: QuerySet[Dataset], facets: list[str], size: int
) -> tuple[int, dict[str, list[tuple[Any, int]]]]:
    """The total of ``queryset`` and, for each of ``facets``, its values with counts.

    Row facets come back whole (the caller sorts and names them); techniques and keywords as
    their top ``size``, most frequent first.
    """
    columns = [*_COLUMNS, "keywords"] if "keyword" in facets else list(_COLUMNS)
    inner, params = queryset.order_by().values(*columns).query.sql_with_params()
    parts = ["SELECT 0 AS f, NULL::text AS v, COUNT(*) AS n FROM m"]
    for number, facet in enumerate(facets, start=1):
        if facet in ROW_FACETS:
            expr = ROW_FACETS[facet]
            parts.append(f"SELECT {number}, ({expr})::text, COUNT(*) FROM m GROUP BY 2")
        elif facet == "technique":
            parts.append(
                f"(SELECT {number}, t.name, COUNT(*) FROM m "
                "JOIN catalogue_dataset_techniques dt ON dt.dataset_id = m.id "
                "JOIN catalogue_technique t ON t.id = dt.technique_id "
                f"GROUP BY t.name ORDER BY 3 DESC, t.name LIMIT {size})"
            )
        elif facet == "keyword":
            parts.append(
                f"(SELECT {number}, k.value, COUNT(*) FROM m, jsonb_array_elements_text("
                "CASE WHEN jsonb_typeof(m.keywords) = 'array' THEN m.keywords ELSE '[]'::jsonb "
                f"END) AS k(value) GROUP BY k.value ORDER BY 3 DESC, k.value LIMIT {size})"
            )
        else:
            raise AssertionError(facet)
    sql = f"WITH m AS MATERIALIZED ({inner}) " + " UNION ALL ".join(parts)
    total = 0
    found: dict[str, list[tuple[Any, int]]] = {facet: [] for facet in facets}
    # One statement of many cheap parts: JIT compiling it costs more than it saves.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        for number, value, n in cursor.fetchall():
            if number == 0:
                total = int(n)
            elif value not in (None, ""):
                found[facets[number - 1]].append((value, int(n)))
    return total, found
