"""The public catalogue's pages: home, the dataset table and a dataset's page.

Each page is one template; the parts htmx swaps are named partials of it, rendered alone when the
request comes from htmx (``catalogue/dataset_list.html#results``,
``catalogue/dataset_detail.html#files``).
Every htmx link also has a real ``href``, so the pages work without JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from catalogue.models import DataLocation, Dataset
from catalogue.search import SORTS, DatasetQuery, QueryError
from catalogue.search.base import (
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    MAX_QUERY_LENGTH,
    PER_PAGE_CHOICES,
)
from catalogue.selectors import (
    catalogue_counts,
    dataset_by_pid,
    dataset_files_page,
    dataset_table_page,
    dataset_techniques,
    dataset_thumbnails,
    latest_datasets,
)
from catalogue.templatetags.portal_format import human_size, orcid_url
from catalogue.visibility import Tombstoned, WithdrawnBy
from publishing.selectors import latest_publications, publication_count, publications_containing

# Page numbers past this are never looked up (the offset would overflow a database integer).
MAX_PAGE = 1_000_000
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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
SORT_LABELS = {
    "_score": "relevance",
    "pid": "PID",
    "title": "name",
    "run_number": "run number",
    "size": "size",
    "start_time": "start time",
    "type": "type",
    "proposal": "proposal ID",
}
_DIRECTION_WORDS = {
    "start_time": ("oldest first", "newest first"),
    "size": ("smallest first", "largest first"),
}

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


def render_not_found(request: HttpRequest, message: str) -> HttpResponse:
    """The 404 page, rendered here so that visitors see it whatever DEBUG says."""
    return render(request, "404.html", {"message": message}, status=404)


def render_tombstone(
    request: HttpRequest, *, record: Tombstoned, kind: str, title: str, identifier: str
) -> HttpResponse:
    """The 410 page of a withdrawn record: what it was, when and why it was withdrawn."""
    context = {
        "kind": kind,
        "title": title,
        "identifier": identifier,
        "reason": record.withdrawn_reason,
        "withdrawn_at": record.withdrawn_at,
        "withdrawn_by": WithdrawnBy(record.withdrawn_by).label if record.withdrawn_by else "",
    }
    return render(request, "tombstone.html", context, status=410)


def _int(value: str | None, default: int) -> int:
    if value is None:
        return default
    value = value.strip()
    if not value.isdigit() or len(value) > 18:
        return default
    return int(value)


def clean_text(value: str) -> str:
    """Search text with control characters (NUL included) removed and spaces collapsed."""
    return " ".join(_CONTROL_CHARS.sub(" ", value).split())


# -- home ---------------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    counts = catalogue_counts()
    context = {
        "dataset_count": counts.datasets,
        "instrument_count": counts.instruments,
        "publication_count": publication_count(),
        "latest_datasets": [_row(d) for d in latest_datasets(5)],
        "latest_publications": latest_publications(5),
    }
    return render(request, "catalogue/home.html", context)


# -- the dataset table --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRequest:
    """The table's query string, read leniently: what could not be used is said in ``notices``."""

    query: DatasetQuery
    notices: list[str]
    sort_error: str = ""

    @classmethod
    def parse(cls, params: QueryDict) -> TableRequest:
        notices: list[str] = []
        text = clean_text(params.get("q", ""))
        if len(text) > MAX_QUERY_LENGTH:
            text = text[:MAX_QUERY_LENGTH].rstrip()
            notices.append(f"The search text was cut to its first {MAX_QUERY_LENGTH} characters.")
        sort = params.get("sort") or DEFAULT_SORT
        sort_error = ""
        if sort not in SORTS:
            sort_error = (
                f"“{clean_text(sort)[:60]}” is not a way to sort this table. Sort by one of: "
                + ", ".join(SORT_LABELS.values())
                + " (choose a column heading)."
            )
            sort = DEFAULT_SORT
        per_page = _int(params.get("per_page"), DEFAULT_PER_PAGE)
        if per_page not in PER_PAGE_CHOICES:
            notices.append(
                f"Showing {DEFAULT_PER_PAGE} datasets per page: choose "
                + ", ".join(str(n) for n in PER_PAGE_CHOICES[:-1])
                + f" or {PER_PAGE_CHOICES[-1]}."
            )
            per_page = DEFAULT_PER_PAGE
        page = min(max(_int(params.get("page"), 1), 1), MAX_PAGE)
        query = DatasetQuery(text=text, sort=sort, page=page, per_page=per_page)
        return cls(query=query, notices=notices, sort_error=sort_error)


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


def _when(value: datetime | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.isoformat(), local.strftime("%Y-%m-%d %H:%M")


def _row(dataset: Dataset) -> Row:
    thumbnails = list(dataset.thumbnails.all())  # prefetched by for_table()
    thumbnail = thumbnails[0] if thumbnails else None
    start_iso, start_text = _when(dataset.start_time)
    return Row(
        pid=dataset.pid,
        url=reverse("catalogue:dataset_detail", args=[dataset.pid]),
        title=dataset.title,
        run_number=dataset.run_number,
        source_folder=dataset.source_folder,
        size=human_size(dataset.size),
        start_iso=start_iso,
        start_text=start_text,
        type=dataset.type,
        thumbnail_url=thumbnail.image.url if thumbnail and thumbnail.image else "",
        thumbnail_alt=(thumbnail.caption or "Thumbnail") if thumbnail else "",
        proposal_id=dataset.proposal.proposal_id if dataset.proposal else "",
    )


def table_url(query: DatasetQuery, **changes: Any) -> str:
    """The table's URL for ``query`` with ``changes``; default values are left out."""
    values = {"q": query.text, "sort": query.sort, "per_page": query.per_page, "page": query.page}
    values.update(changes)
    params: dict[str, Any] = {}
    if values["q"]:
        params["q"] = values["q"]
    if values["sort"] != DEFAULT_SORT:
        params["sort"] = values["sort"]
    if values["per_page"] != DEFAULT_PER_PAGE:
        params["per_page"] = values["per_page"]
    if values["page"] != 1:
        params["page"] = values["page"]
    base = reverse("catalogue:dataset_list")
    return f"{base}?{urlencode(params)}" if params else base


def sort_label(sort: str) -> str:
    field, descending = SORTS[sort]
    words = _DIRECTION_WORDS.get(field, ("A to Z", "Z to A"))
    return f"{SORT_LABELS[field].capitalize()}, {words[1] if descending else words[0]}"


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


@require_safe
@vary_on_headers("HX-Request")
def dataset_list(request: HtmxHttpRequest) -> HttpResponse:
    table = TableRequest.parse(request.GET)
    query, notices = table.query, list(table.notices)
    try:
        page, datasets = dataset_table_page(query)
        if query.page > page.num_pages:
            notices.append(
                f"There is no page {query.page:,}; this is the last page, {page.num_pages:,}."
            )
            query = DatasetQuery(
                text=query.text, sort=query.sort, page=page.num_pages, per_page=query.per_page
            )
            page, datasets = dataset_table_page(query)
    except QueryError as exc:
        return _table_response(request, query=query, error=str(exc), status=400, notices=notices)
    return _table_response(
        request,
        query=query,
        page=page,
        rows=[_row(d) for d in datasets],
        notices=notices,
        error=table.sort_error,
        status=400 if table.sort_error else 200,
    )


def _table_response(
    request: HtmxHttpRequest,
    *,
    query: DatasetQuery,
    notices: list[str],
    error: str = "",
    status: int = 200,
    page: Any = None,
    rows: list[Row] | None = None,
) -> HttpResponse:
    num_pages = page.num_pages if page is not None else 1
    context = {
        "query": query,
        "page": page,
        "rows": rows or [],
        "notices": notices,
        "error": error,
        "columns": _columns(query),
        "pagination": _pagination(query, num_pages),
        "num_pages": num_pages,
        "per_page_choices": PER_PAGE_CHOICES,
        "sort_choices": [(key, sort_label(key)) for key in SORTS],
        "current_sort_label": sort_label(query.effective_sort),
    }
    template = "catalogue/dataset_list.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context, status=status)


# -- a dataset's page ---------------------------------------------------------------------------


def _creators(dataset: Dataset) -> list[dict[str, str]]:
    people = []
    for creator in dataset.creators or []:
        if isinstance(creator, dict) and creator.get("name"):
            people.append({"name": str(creator["name"]), "orcid": orcid_url(creator.get("orcid"))})
        elif isinstance(creator, str) and creator.strip():
            people.append({"name": creator.strip(), "orcid": ""})
    return people


def _files_cursor(request: HttpRequest) -> dict[str, Any]:
    after = _int(request.GET.get("files_after"), 0) or None
    before = _int(request.GET.get("files_before"), 0) or None
    return {
        "after": after,
        "before": None if after else before,
        "last": request.GET.get("files") == "last" and not (after or before),
    }


@require_safe
@vary_on_headers("HX-Request")
def dataset_detail(request: HtmxHttpRequest, pid: str) -> HttpResponse:
    dataset = dataset_by_pid(pid)
    if dataset is None and pid.rstrip("/") and pid != pid.rstrip("/"):
        # A link copied with a trailing slash.
        return redirect("catalogue:dataset_detail", pid.rstrip("/"))
    if dataset is None:
        return render_not_found(request, f"There is no public dataset with the PID “{pid[:300]}”.")
    if dataset.is_withdrawn:
        return render_tombstone(
            request, record=dataset, kind="dataset", title=dataset.title, identifier=dataset.pid
        )
    files = dataset_files_page(dataset, **_files_cursor(request))
    url = reverse("catalogue:dataset_detail", args=[dataset.pid])
    files_links = {
        "first": f"{url}#files" if files.has_previous else "",
        "previous": f"{url}?files_before={files.first_id}#files" if files.has_previous else "",
        "next": f"{url}?files_after={files.last_id}#files" if files.has_next else "",
        "last": f"{url}?files=last#files" if files.has_next else "",
    }
    context: dict[str, Any] = {"dataset": dataset, "files": files, "files_links": files_links}
    if wants_partial(request):
        return render(request, "catalogue/dataset_detail.html#files", context)
    context.update(
        {
            "techniques": dataset_techniques(dataset),
            "thumbnails": dataset_thumbnails(dataset),
            "creators": _creators(dataset),
            "principal_investigators": [
                str(p) for p in dataset.principal_investigators or [] if str(p).strip()
            ],
            "keywords": [str(k) for k in dataset.keywords or [] if str(k).strip()],
            "data_location_words": DATA_LOCATION_WORDS.get(
                dataset.data_location, DATA_LOCATION_WORDS[DataLocation.UNKNOWN]
            ),
            "publications": publications_containing(dataset),
            "embargo_ended": bool(dataset.embargo_end and dataset.embargo_end <= timezone.now()),
        }
    )
    return render(request, "catalogue/dataset_detail.html", context)
