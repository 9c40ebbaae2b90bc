"""The public catalogue's search page (the dataset table); the home page is ``home/views.py``.

A dataset's own page is the landing page (``landing/views.py``). Each page is one template; the
parts htmx swaps are named partials of it, rendered alone when the request comes from htmx
(``catalogue/dataset_list.html#search-area``).
Every htmx link also has a real ``href``, so the pages work without JavaScript.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.core.files.storage import Storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from catalogue.models import DataLocation, Thumbnail
from catalogue.search import (
    FACETS,
    SORTS,
    DatasetQuery,
    FacetValue,
    QueryError,
    SearchPage,
    SearchUnavailable,
    dataset_search,
)
from catalogue.search.base import DEFAULT_SORT, PER_PAGE_CHOICES
from catalogue.search_params import (
    OPERATORS,
    SORT_LABELS,
    ConditionRow,
    SearchRequest,
    clean_text,
    list_path,
    search_url,
    without_condition,
    without_value,
)
from catalogue.selectors import (
    dataset_table_page,
    parameter_key_suggestions,
)
from lib.sizes import human_size

logger = logging.getLogger(__name__)

DATA_LOCATION_WORDS: dict[str, str] = {
    DataLocation.DISK: (
        "Online: the files are on disk at the facility and can be made available without delay."
    ),
    DataLocation.TAPE: (
        "Archived on tape: the files have to be retrieved from the tape archive before they can "
        "be made available, which can take from hours to days."
    ),
    DataLocation.UNKNOWN: "The facility has not said where the files are stored.",
}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request for a part of the page (not a history restore, which wants it all)."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    if htmx is None or not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted


# -- the search page (the dataset table) --------------------------------------------------------

# Table columns: (label, sort key or "" when the column does not sort, first click descending).
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("PID", "pid", False),
    ("Name", "title", False),
    ("Run no.", "run_number", False),
    ("Source folder", "", False),
    ("Size", "size", True),
    ("Start time", "start_time", True),
    ("Type", "type", False),
    ("Thumbnail", "", False),
    ("Proposal ID", "proposal", False),
)
_DIRECTION_WORDS = {
    "start_time": ("oldest first", "newest first"),
    "size": ("smallest first", "largest first"),
}
# Facet values shown before "Show more"; selected values are always shown.
FACET_TOP = 6
# Highlighted fields shown under a result's name (the name itself shows its own highlight).
SNIPPET_FIELDS = {
    "description": "Description",
    "keywords": "Keywords",
    "proposal_title": "Proposal",
    "techniques": "Technique",
    "instrument": "Instrument",
}
MAX_SNIPPETS = 2
KEY_SUGGESTIONS = 20
_LIST_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_NOT_MARK = re.compile(r"<(?!/?mark>)")
# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


@dataclass(frozen=True)
class Row:
    """One table row, prepared in Python so that the template only prints."""

    pid: str
    url: str
    title: str
    run_number: str
    source_folder: str
    size: str
    start_iso: str
    start_text: str
    type: str
    thumbnail_url: str
    thumbnail_alt: str
    proposal_id: str
    # Highlighted fragments (HTML: escaped text, matches in <mark>).
    title_html: SafeString | None = None
    snippets: tuple[tuple[str, SafeString], ...] = ()


@dataclass(frozen=True)
class FacetOption:
    """One checkbox of the sidebar; ``id`` stays the same across updates (htmx keeps focus)."""

    value: str
    label: str
    count: int
    selected: bool
    id: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    top: list[FacetOption]  # the most frequent values, and every selected one
    more: list[FacetOption]  # behind "Show more"
    selected_count: int


@dataclass(frozen=True)
class Chip:
    kind: str  # what is removed: "Text", a facet's label, "Condition"
    label: str
    url: str


def _when(value: datetime | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.isoformat(), local.strftime("%Y-%m-%d %H:%M")


def _fragment(html: str) -> SafeString:
    """A backend's highlight fragment, trusting nothing but <mark> and </mark>."""
    return mark_safe(_NOT_MARK.sub("&lt;", html))  # noqa: S308 - only <mark> tags remain


@functools.cache
def _thumbnail_storage() -> Storage:
    return Thumbnail._meta.get_field("image").storage


def _landing_prefix() -> str:
    """The landing page's URL for an empty PID; rows append the PID quoted as ``reverse()`` does.

    Per request (the script prefix can change), once for all the rows instead of once each.
    """
    return reverse("landing:dataset", args=["-"])[:-1]


def _row(
    dataset: dict[str, Any],
    highlights: dict[str, list[str]] | None = None,
    *,
    landing: str = "",
) -> Row:
    """A table row from :func:`catalogue.selectors.dataset_table_rows`' values."""
    pid: str = dataset["pid"]
    image = dataset["thumbnail_image"]
    start_iso, start_text = _when(dataset["start_time"])
    highlights = highlights or {}
    title_fragments = highlights.get("title") or []
    snippets = [
        (label, _fragment(" … ".join(highlights[name][:2])))
        for name, label in SNIPPET_FIELDS.items()
        if highlights.get(name)
    ]
    return Row(
        pid=pid,
        url=(landing or _landing_prefix()) + quote(pid, safe=_PATH_SAFE),
        title=dataset["title"],
        run_number=dataset["run_number"],
        source_folder=dataset["source_folder"],
        size=human_size(dataset["size"]),
        start_iso=start_iso,
        start_text=start_text,
        type=dataset["type"],
        thumbnail_url=_thumbnail_storage().url(image) if image else "",
        thumbnail_alt=(dataset["thumbnail_caption"] or "Thumbnail") if image else "",
        proposal_id=dataset["proposal__proposal_id"] or "",
        title_html=_fragment(title_fragments[0]) if len(title_fragments) == 1 else None,
        snippets=tuple(snippets[:MAX_SNIPPETS]),
    )


def table_url(query: DatasetQuery, **changes: Any) -> str:
    """The search page's URL for ``query`` with ``changes``; default values are left out."""
    return search_url(query, **changes)


def sort_label(sort: str) -> str:
    field, descending = SORTS[sort]
    if field == "_score":
        return "Relevance, best match first"
    words = _DIRECTION_WORDS.get(field, ("A to Z", "Z to A"))
    return f"{SORT_LABELS[field].capitalize()}, {words[1] if descending else words[0]}"


def _sort_choices(query: DatasetQuery) -> tuple[list[tuple[str, str]], str]:
    """The "Sort by" menu: its (value, label) pairs and the selected value. The default order's
    value is empty, so that typing words switches an untouched menu to relevance."""
    default = "relevance" if query.text else DEFAULT_SORT
    choices = [
        ("" if key == default else key, sort_label(key))
        for key in SORTS
        if key != "relevance" or query.text
    ]
    current = query.effective_sort
    return choices, "" if current == default else current


def _columns(query: DatasetQuery) -> list[dict[str, str]]:
    current_field, current_descending = SORTS[query.effective_sort]
    columns = []
    for label, key, descending_first in COLUMNS:
        column = {"label": label, "key": key, "href": "", "aria_sort": "", "hint": ""}
        if key:
            if key == current_field:
                column["aria_sort"] = "descending" if current_descending else "ascending"
                target = key if current_descending else f"-{key}"
            else:
                target = f"-{key}" if descending_first else key
            column["href"] = table_url(query, sort=target, page=1)
            column["hint"] = f"sort by {sort_label(target).lower()}"
        columns.append(column)
    return columns


def _pagination(query: DatasetQuery, num_pages: int) -> dict[str, str]:
    page = query.page
    return {
        "first": table_url(query, page=1) if page > 1 else "",
        "previous": table_url(query, page=page - 1) if page > 1 else "",
        "next": table_url(query, page=page + 1) if page < num_pages else "",
        "last": table_url(query, page=num_pages) if page < num_pages else "",
    }


def _facet_groups(query: DatasetQuery, page: SearchPage | None) -> list[FacetGroup]:
    """The sidebar: every facet with values, selected values always among the ones shown."""
    groups = []
    found = page.facets if page is not None else {}
    for name, label in FACETS.items():
        selected = query.selected(name)
        values: list[FacetValue] = list(found.get(name, []))
        present = {v.value for v in values}
        # A selected value the search does not count (it matches nothing) stays visible, ticked,
        # so that it can be unticked.
        values += [FacetValue(value=v, count=0) for v in selected if v not in present]
        options = [
            FacetOption(
                value=v.value,
                label=v.label or v.value,
                count=v.count,
                selected=v.value in selected,
                id=_control_id(name, v.value),
            )
            for v in values
        ]
        if not options:
            continue
        top, more = options[:FACET_TOP], options[FACET_TOP:]
        top += [o for o in more if o.selected]
        more = [o for o in more if not o.selected]
        groups.append(FacetGroup(name, label, top, more, len(selected)))
    return groups


def _chips(query: DatasetQuery) -> list[Chip]:
    chips = []
    if query.text:
        chips.append(Chip("Text", f"“{query.text}”", search_url(query, text="", page=1)))
    for name, label in FACETS.items():
        for value in query.selected(name):
            chips.append(Chip(label, value, without_value(query, name, value)))
    for index, condition in enumerate(query.conditions):
        chips.append(Chip("Condition", condition, without_condition(query, index)))
    return chips


def _control_id(name: str, value: str) -> str:
    """A checkbox id that stays the same for a value across swaps (htmx keeps focus by id)."""
    digest = hashlib.blake2s(value.encode(), digest_size=5).hexdigest()
    return f"f-{name}-{digest}"


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
                    f"There is no page {query.page:,}; this is the last page, {page.num_pages:,}."
                )
                query = dataclasses.replace(query, page=page.num_pages)
                page, datasets = dataset_table_page(query)
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
            error="Search is not available at the moment. Please try again in a few minutes.",
            status=503,
        )
    highlights = page.highlights
    landing = _landing_prefix()
    return _search_response(
        request,
        search=search,
        query=query,
        rows=rows,
        page=page,
        table_rows=[_row(d, highlights.get(d["id"]), landing=landing) for d in datasets],
        notices=notices,
        error=search.sort_error,
        status=400 if search.sort_error else 200,
    )


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
    table_rows: list[Row] | None = None,
) -> HttpResponse:
    num_pages = page.num_pages if page is not None else 1
    condition_rows = list(rows)
    if search.add_row or not condition_rows:
        condition_rows.append(ConditionRow())
    chips = _chips(query)
    sort_choices, sort_value = _sort_choices(query)
    context: dict[str, Any] = {
        "query": query,
        "page": page,
        "rows": table_rows or [],
        "notices": notices,
        "error": error,
        "text_error": text_error,
        "row_errors": any(row.error for row in condition_rows),
        "condition_rows": condition_rows,
        "add_row": search.add_row,
        "operators": OPERATORS,
        "facets": _facet_groups(query, page),
        "chips": chips,
        "clear_url": search_url(
            DatasetQuery(
                sort=query.sort if query.sort != "relevance" else "", per_page=query.per_page
            )
        ),
        "columns": _columns(query),
        "list_url": list_path(),
        "keys_url": reverse("catalogue:parameter_keys"),
        "pagination": _pagination(query, num_pages),
        "num_pages": num_pages,
        "per_page_choices": [(n, n) for n in PER_PAGE_CHOICES],
        "sort_choices": sort_choices,
        "sort_value": sort_value,
        "current_sort_label": sort_label(query.effective_sort),
    }
    template = "catalogue/dataset_list.html"
    if wants_partial(request):
        template += "#search-area"
    else:
        context["key_suggestions"] = parameter_key_suggestions("", KEY_SUGGESTIONS)
    response = render(request, template, context, status=status)
    if wants_partial(request):
        # The address bar shows the canonical URL ("sm", no empty fields), not the form's.
        response["HX-Push-Url"] = search_url(query)
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
