"""The search page's URLs: the canonical URL of a query, and of the query with one part changed.

Defaults are left out (``sort`` when it is the default order, ``per_page`` 25, ``page`` 1), so that
one search has one address; only ``sm`` carries conditions (never the builder's ``sm_*`` fields).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from catalogue.search import FACETS, DatasetQuery
from catalogue.search.base import DEFAULT_PER_PAGE, DEFAULT_SORT
from catalogue.search_params import ConditionRow


def list_path() -> str:
    """The search page's path (``reverse("catalogue:dataset_list")``), computed once."""
    return _list_path(get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=16)
def _list_path(script_prefix: str, urlconf: object) -> str:
    return reverse("catalogue:dataset_list")


def search_url(query: DatasetQuery, **changes: Any) -> str:
    """The canonical URL of ``query`` with ``changes`` (DatasetQuery fields); defaults left out."""
    if changes:
        query = dataclasses.replace(query, **changes)
    params: list[tuple[str, Any]] = []
    if query.text:
        params.append(("q", query.text))
    for facet in FACETS:
        params.extend((facet, value) for value in query.selected(facet))
    params.extend(("sm", condition) for condition in query.conditions)
    if query.start_from:
        params.append(("start_from", query.start_from.isoformat()))
    if query.start_to:
        params.append(("start_to", query.start_to.isoformat()))
    sort = query.sort
    if sort and sort != ("relevance" if query.text else DEFAULT_SORT):
        params.append(("sort", sort))
    if query.per_page != DEFAULT_PER_PAGE:
        params.append(("per_page", query.per_page))
    if query.page != 1:
        params.append(("page", query.page))
    base = list_path()
    return f"{base}?{urlencode(params)}" if params else base


def without_value(query: DatasetQuery, facet: str, value: str) -> str:
    """The URL of ``query`` without one value of one facet (page 1)."""
    filters = tuple(
        (name, tuple(v for v in values if not (name == facet and v == value)))
        for name, values in query.filters
    )
    return search_url(query, filters=tuple((n, v) for n, v in filters if v), page=1)


def without_condition(query: DatasetQuery, index: int) -> str:
    conditions = query.conditions[:index] + query.conditions[index + 1 :]
    return search_url(query, conditions=conditions, page=1)


def with_condition_key(query: DatasetQuery, index: int, key: str) -> str:
    """The URL of ``query`` with the key of its condition ``index`` replaced by ``key`` (page 1);
    the condition's operator, value and unit stay as they were."""
    row = dataclasses.replace(ConditionRow.split(query.conditions[index]), key=key)
    conditions = (*query.conditions[:index], row.condition, *query.conditions[index + 1 :])
    return search_url(query, conditions=conditions, page=1)
