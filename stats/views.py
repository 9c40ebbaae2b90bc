"""``/statistics/``: the facility's data in charts and tables, and each chart's numbers as CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from stats.forms import FiltersForm
from stats.page import SECTIONS, section
from stats.selectors import Filters, choices, last_refresh

CHART_MAX_AGE = 600


def _form(request: HttpRequest) -> FiltersForm:
    return FiltersForm(request.GET or None, available=choices())


def _query(filters: Filters) -> str:
    values = {
        "facility": filters.facility,
        "beamline": filters.beamline,
        "year_from": filters.year_from,
        "year_to": filters.year_to,
    }
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else Filters()
    context = {
        "form": form,
        "filtered": filters.any,
        "query": _query(filters),
        "sections": [section(key, filters) for key in SECTIONS] if valid else [],
        "refresh": last_refresh(),
    }
    return render(request, "stats/statistics.html", context, status=200 if valid else 400)


def _section_filters(request: HttpRequest, key: str) -> Filters | HttpResponse:
    """The filters of a chart's CSV or SVG, or the 400 that says what is wrong with them."""
    if key not in SECTIONS:
        raise Http404("no such chart")
    form = _form(request)
    if form.is_bound and not form.is_valid():
        problems = [
            f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()
        ]
        return HttpResponse(
            "Bad filters.\n" + "\n".join(problems) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return form.filters() if form.is_bound else Filters()


@require_safe
def statistics_chart(request: HttpRequest, key: str) -> HttpResponse:
    """One chart as an SVG image: what the page links while the chart is not drawn yet."""
    filters = _section_filters(request, key)
    if isinstance(filters, HttpResponse):
        return filters
    chart = section(key, filters)
    if not chart.rows:
        raise Http404("nothing to draw for these filters")
    response = HttpResponse(chart.chart(), content_type="image/svg+xml; charset=utf-8")
    # The figures change after a sync; a browser may keep the drawing for a while.
    patch_cache_control(response, public=True, max_age=CHART_MAX_AGE)
    return response


@require_safe
def statistics_csv(request: HttpRequest, key: str) -> HttpResponse:
    filters = _section_filters(request, key)
    if isinstance(filters, HttpResponse):
        return filters
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{key}.csv"'
    csv.writer(response).writerows(section(key, filters).csv_rows)
    return response
