"""The database backend's facet counts: ``GROUP BY`` counts, each with every other facet's
selection applied, several facets of one kind in one statement where the database allows it."""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608, S611
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from catalogue.models import Dataset
from catalogue.search.base import (
    FACETS,
    QueryError,
)
from catalogue.search.sql_compiler import DATASETS

FACET_SIZE = 20


def facet_q(facet: str, values: tuple[str, ...], postgres: bool) -> Q:
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
                f"SELECT d.id FROM {DATASETS} d, json_each(d.keywords) k "
                f"WHERE k.value IN ({placeholders})",
                list(values),
            )
        )
    if facet == "creator":
        if postgres:
            q = Q()
            for value in values:
                q |= Q(creators__contains=[{"name": value}])
            return q
        placeholders = ", ".join(["%s"] * len(values))
        return Q(
            id__in=RawSQL(
                f"SELECT d.id FROM {DATASETS} d, json_each(CASE WHEN json_type(d.creators) = "
                f"'array' THEN d.creators ELSE '[]' END) AS c WHERE {CREATOR_NAME['sqlite']} "
                f"IN ({placeholders})",
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


def counts(queryset: QuerySet[Dataset], facet: str, postgres: bool) -> list[tuple[str, int]]:
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
        year = RawSQL(f"substr({DATASETS}.start_time, 1, 4)", [])
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
    if facet == "creator":
        inner, params = queryset.order_by().values("id", "creators").query.sql_with_params()
        name = CREATOR_NAME[connection.vendor]
        sql = (
            f"SELECT {name} AS name, COUNT(DISTINCT s.id) AS n FROM ({inner}) s, "
            f"{CREATORS[connection.vendor]} WHERE {name} <> '' "
            f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {FACET_SIZE}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(str(name), int(n)) for name, n in cursor.fetchall()]
    if facet == "license":
        return grouped(queryset, "license")
    if facet == "proposal":
        return grouped(queryset, "proposal__proposal_id")
    if facet == "location":
        return grouped(queryset, "data_location")
    raise AssertionError(facet)


# Each creator of a row ``s`` as ``c(value)`` (a JSON object; other kinds of value give no name),
# and its name.
CREATORS = {
    "postgresql": "jsonb_array_elements(CASE WHEN jsonb_typeof(s.creators) = 'array' "
    "THEN s.creators ELSE '[]'::jsonb END) AS c(value)",
    "sqlite": "json_each(CASE WHEN json_type(s.creators) = 'array' THEN s.creators "
    "ELSE '[]' END) AS c",
}
CREATOR_NAME = {
    "postgresql": "coalesce(CASE WHEN jsonb_typeof(c.value) = 'object' THEN c.value ->> 'name' "
    "END, '')",
    "sqlite": "coalesce(CASE WHEN c.type = 'object' THEN json_extract(c.value, '$.name') END, '')",
}
# Facets that are a plain column (or a function of one) of the dataset row.
GROUPED = {
    "type": "s.type",
    "instrument": "s.instrument_id",
    "year": "EXTRACT(YEAR FROM s.start_time AT TIME ZONE 'UTC')::int",
    "license": "s.license",
    "proposal": "s.proposal_id",
    "location": "s.data_location",
}


def grouped_counts(
    queryset: QuerySet[Dataset], facets: list[str]
) -> dict[str, list[tuple[str, int]]]:
    """Counts of several row facets in one scan (PostgreSQL ``GROUPING SETS``)."""
    inner, params = (
        queryset.order_by()
        .values("type", "instrument_id", "start_time", "license", "proposal_id", "data_location")
        .query.sql_with_params()
    )
    columns = ", ".join(f"{GROUPED[f]} AS {f}" for f in facets)
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
    return named(found)


def _merged(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts of values shown alike added up, most frequent first: instruments are counted per
    row, but two of them can go by one name, which the facet (and its filter) then means both."""
    totals: dict[str, int] = {}
    for value, n in pairs:
        totals[value] = totals.get(value, 0) + n
    return sorted(totals.items(), key=lambda pair: -pair[1])


def named(found: dict[str, list[tuple[Any, int]]]) -> dict[str, list[tuple[str, int]]]:
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


def narrowed(base: QuerySet[Dataset], selections: dict[str, Q], facet: str) -> QuerySet[Dataset]:
    """``base`` with every facet's selection but ``facet``'s own."""
    for other, q in selections.items():
        if other != facet:
            base = base.filter(q)
    return base
