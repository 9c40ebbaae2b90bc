"""The public catalogue's search page (the dataset table); the home page is ``home/views.py``.

A dataset's own page is the landing page (``landing/views.py``). Each page is one template; the
parts htmx swaps are named partials of it, rendered alone when the request comes from htmx
(``catalogue/dataset_list.html#search-area``).
Every htmx link also has a real ``href``, so the pages work without JavaScript.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from catalogue.matched_values import MatchedValue, matched_values
from catalogue.search import (
    DatasetQuery,
    QueryError,
    SearchPage,
    SearchUnavailable,
    dataset_search,
)
from catalogue.search_page import page_model
from catalogue.search_params import ConditionRow, SearchRequest, clean_text
from catalogue.search_urls import search_url
from catalogue.selectors import (
    dataset_table_page,
    parameter_key_suggestions,
    unknown_parameter_key,
)
from lib.htmx_request import wants_partial

if TYPE_CHECKING:
    from lib.htmx_request import HtmxHttpRequest

logger = logging.getLogger(__name__)

# -- the search page (the dataset table) --------------------------------------------------------

KEY_SUGGESTIONS = 20
_LIST_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def _locate_errors(
    query: DatasetQuery, rows: tuple[ConditionRow, ...], exc: QueryError
) -> tuple[str, tuple[ConditionRow, ...], str]:
    """Which part of a refused query is at fault: (text error, rows with errors, other error).

    Each part is tried alone (only on this error path), so the message can stand next to the
    field the visitor has to change.
    """
    text_error = ""
    if query.text:
        try:
            dataset_search(DatasetQuery(text=query.text, per_page=1, facets=False))
        except QueryError as text_exc:
            text_error = str(text_exc)
        except SearchUnavailable:
            pass
    marked = []
    found_row_error = False
    for row in rows:
        if row.is_complete and row.condition in query.conditions:
            try:
                dataset_search(DatasetQuery(conditions=(row.condition,), per_page=1, facets=False))
            except QueryError as row_exc:
                row = dataclasses.replace(row, error=str(row_exc))
                found_row_error = True
            except SearchUnavailable:
                pass
        marked.append(row)
    other = "" if text_error or found_row_error else str(exc)
    return text_error, tuple(marked), other


@require_safe
@vary_on_headers("HX-Request")
def dataset_list(request: HtmxHttpRequest) -> HttpResponse:
    search = SearchRequest.parse(request.GET)
    query, notices = search.query, list(search.notices)
    canonical = search_url(query)
    if (
        search.from_builder
        and not wants_partial(request)
        and not (search.add_row or search.has_incomplete_rows or notices or search.sort_error)
    ):
        # A form sent without JavaScript: the address to bookmark holds "sm", not the fields.
        return redirect(canonical, permanent=False)
    rows = search.rows
    try:
        try:
            page, datasets = dataset_table_page(query)
            if query.page > page.num_pages:
                notices.append(
                    gettext("There is no page %(page)s; this is the last page, %(last)s.")
                    % {
                        "page": number_format(query.page, force_grouping=True),
                        "last": number_format(page.num_pages, force_grouping=True),
                    }
                )
                query = dataclasses.replace(query, page=page.num_pages)
                page, datasets = dataset_table_page(query)
            unknown_keys = _unknown_keys(query)
            condition_rows = [ConditionRow.split(c) for c in query.conditions]
            matched = matched_values(
                page.ids,
                (row.key for row in condition_rows),
                {row.key: row.unit for row in condition_rows if row.unit},
            )
        except QueryError as exc:
            text_error, rows, other = _locate_errors(query, rows, exc)
            return _search_response(
                request,
                search=search,
                query=query,
                rows=rows,
                notices=notices,
                text_error=text_error,
                error=other,
                status=400,
            )
    except SearchUnavailable:
        logger.exception("dataset search failed")
        return _search_response(
            request,
            search=search,
            query=query,
            rows=rows,
            notices=notices,
            error=gettext(
                "Search is not available at the moment. Please try again in a few minutes."
            ),
            status=503,
        )
    return _search_response(
        request,
        search=search,
        query=query,
        rows=rows,
        page=page,
        datasets=datasets,
        notices=notices,
        unknown_keys=unknown_keys,
        matched=matched,
        error=search.sort_error,
        status=400 if search.sort_error else 200,
    )


def _unknown_keys(query: DatasetQuery) -> dict[int, list[str]]:
    """The conditions (by index) on a key no public dataset has, each with the nearest keys."""
    out = {}
    for index, condition in enumerate(query.conditions):
        key = ConditionRow.split(condition).key
        near = unknown_parameter_key(key) if key else None
        if near is not None:
            out[index] = near
    return out


def _search_response(
    request: HtmxHttpRequest,
    *,
    search: SearchRequest,
    query: DatasetQuery,
    rows: tuple[ConditionRow, ...],
    notices: list[str],
    error: str = "",
    text_error: str = "",
    status: int = 200,
    page: SearchPage | None = None,
    datasets: list[dict[str, Any]] | None = None,
    unknown_keys: dict[int, list[str]] | None = None,
    matched: dict[int, tuple[MatchedValue, ...]] | None = None,
) -> HttpResponse:

    partial = wants_partial(request)
    model = page_model(
        search,
        query,
        rows=rows,
        notices=notices,
        error=error,
        text_error=text_error,
        page=page,
        datasets=datasets,
        unknown_keys=unknown_keys,
        matched=matched,
        key_suggestions=None if partial else parameter_key_suggestions("", KEY_SUGGESTIONS),
    )
    template = "catalogue/dataset_list.html"
    if partial:
        template += "#search-area"
    response = render(request, template, model.context(), status=status)
    if partial:
        # The address bar shows the canonical URL ("sm", no empty fields), not the form's.
        response["HX-Push-Url"] = model.canonical_url
    return response


@require_safe
def parameter_keys(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the condition builder: a <datalist> of keys matching what was typed."""
    typed = clean_text(request.GET.get("key") or request.GET.get("sm_key") or "")[:100]
    list_id = request.GET.get("list", "")
    context = {
        "list_id": list_id if _LIST_ID.match(list_id) else "sm-keys",
        "key_suggestions": parameter_key_suggestions(typed, KEY_SUGGESTIONS),
    }
    return render(request, "catalogue/_parameter_keys.html", context)
