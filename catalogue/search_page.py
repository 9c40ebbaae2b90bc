"""The search page's model: everything its template shows, built once from the query and the answer.

A search request goes one way through the code and never comes back:
``catalogue.views.dataset_list`` -> :meth:`SearchRequest.parse <catalogue.search_params.
SearchRequest.parse>` (the query string, read once into a :class:`DatasetQuery`) ->
:func:`catalogue.selectors.dataset_table_page` (the search, and the values of the page's rows) ->
:func:`page_model` here (rows, facets, chips, columns, sort choices, pagination and every URL of
them, written by :func:`catalogue.search_urls.search_url`) -> ``catalogue/dataset_list.html``,
which only prints. Nothing here parses a request or searches.

Over 400 lines: one model of one page, its parts side by side; the URLs live in
:mod:`catalogue.search_urls`, the matched values' reads in :mod:`catalogue.matched_values`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.files.storage import Storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from catalogue.access import LOCATION_LABELS
from catalogue.matched_values import MatchedValue
from catalogue.models import Thumbnail
from catalogue.search import FACETS, SORTS, DatasetQuery, FacetValue, SearchPage
from catalogue.search.base import DEFAULT_SORT, PER_PAGE_CHOICES
from catalogue.search_params import OPERATORS, SORT_LABELS, ConditionRow, SearchRequest
from catalogue.search_urls import (
    list_path,
    search_url,
    with_condition_key,
    without_condition,
    without_value,
)
from catalogue.selectors import KeySuggestion
from catalogue.sizes import human_size
from lib.line_breaks import breakable_html

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Table columns: (label, sort key or "" when the column does not sort, first click descending).
COLUMNS: tuple[tuple[StrOrPromise, str, bool], ...] = (
    (_("PID"), "pid", False),
    (_("Name"), "title", False),
    (_("Run no."), "run_number", False),
    (_("Source folder"), "", False),
    (_("Size"), "size", True),
    (_("Start time"), "start_time", True),
    (_("Type"), "type", False),
    (_("Image"), "", False),
    (_("Proposal ID"), "proposal", False),
)
_DIRECTION_WORDS = {
    "start_time": (_("oldest first"), _("newest first")),
    "size": (_("smallest first"), _("largest first")),
}
_ALPHABETICAL = (_("A to Z"), _("Z to A"))
# Facet values shown before "Show more"; selected values are always shown.
FACET_TOP = 6
# Highlighted fields shown under a result's name (the name itself shows its own highlight).
SNIPPET_FIELDS = {
    "description": _("Description"),
    "keywords": _("Keywords"),
    "proposal_title": _("Proposal"),
    "techniques": _("Technique"),
    "instrument": _("Instrument"),
}
MAX_SNIPPETS = 2
_NOT_MARK = re.compile(r"<(?!/?mark>)")
# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


# -- what the template shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row, prepared here so that the template only prints."""

    pid: str
    url: str
    title: str
    # The PID and source folder as HTML that breaks only after their separators.
    pid_html: SafeString
    folder_html: SafeString
    start_date: str
    start_clock: str
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
    # What the dataset holds for each active condition's key (catalogue/matched_values.py).
    matched: tuple[MatchedValue, ...] = ()


@dataclass(frozen=True)
class FacetOption:
    """One checkbox of the sidebar; ``id`` stays the same across updates (htmx keeps focus)."""

    value: str
    label: str
    count: int
    selected: bool
    id: str

    @property
    def count_text(self) -> str:
        return number_format(self.count, force_grouping=True)

    @property
    def plural(self) -> str:
        return "" if self.count == 1 else "s"


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


@dataclass(frozen=True)
class UnknownKey:
    """A condition on a key no public dataset has, and links trying the nearest known keys."""

    key: str
    condition: str
    suggestions: tuple[tuple[str, str], ...]  # (known key, URL of the search with it instead)


@dataclass(frozen=True)
class Column:
    """A table heading; a sortable one links to its sort, the sorted one has ``aria_sort``."""

    label: str
    key: str  # the sort field; "" when the column does not sort
    href: str = ""
    aria_sort: str = ""  # "ascending" / "descending" on the sorted column
    hint: str = ""  # what following the link does


@dataclass(frozen=True)
class Choice:
    """An ``<option>`` of a menu."""

    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class Pagination:
    """The pager's links; empty where there is no such page."""

    first: str
    previous: str
    next: str
    last: str


@dataclass(frozen=True)
class SearchPageModel:
    """Everything ``catalogue/dataset_list.html`` prints, by the names it uses."""

    query: DatasetQuery
    page: SearchPage | None
    rows: list[Row]
    notices: list[str]
    error: str
    text_error: str
    row_errors: bool
    condition_rows: list[ConditionRow]
    add_row: bool
    operators: dict[str, StrOrPromise]
    facets: list[FacetGroup]
    chips: list[Chip]
    clear_url: str
    columns: list[Column]
    list_url: str
    keys_url: str
    pagination: Pagination
    num_pages: int
    per_page_choices: list[Choice]
    sort_choices: list[Choice]
    current_sort_label: str
    canonical_url: str
    feed_url: str  # the Atom feed of this search (landing/feeds.py)
    key_suggestions: list[KeySuggestion] | None = None
    unknown_keys: list[UnknownKey] = dataclasses.field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def page_model(
    search: SearchRequest,
    query: DatasetQuery,
    *,
    rows: tuple[ConditionRow, ...],
    notices: list[str],
    error: str = "",
    text_error: str = "",
    page: SearchPage | None = None,
    datasets: list[dict[str, Any]] | None = None,
    key_suggestions: list[KeySuggestion] | None = None,
    unknown_keys: dict[int, list[str]] | None = None,
    matched: dict[int, tuple[MatchedValue, ...]] | None = None,
) -> SearchPageModel:
    """The page of ``query`` as searched (``page`` and its rows' values ``datasets``), or of a
    search that could not run (no ``page``; ``error`` / ``text_error`` / the rows' errors say
    why). ``rows`` are the condition builder's rows, ``search`` the request they came from;
    ``unknown_keys`` the conditions (by index) on keys no public dataset has, with the nearest
    known keys, and ``matched`` each dataset's values for the conditions' keys."""
    num_pages = page.num_pages if page is not None else 1
    condition_rows = list(rows)
    if search.add_row or not condition_rows:
        condition_rows.append(ConditionRow())
    highlights = page.highlights if page is not None else {}
    landing = _landing_prefix()
    current_sort = query.effective_sort
    default_sort = "relevance" if query.text else DEFAULT_SORT
    return SearchPageModel(
        query=query,
        page=page,
        rows=[
            table_row(
                d, highlights.get(d["id"]), landing=landing, matched=(matched or {}).get(d["id"])
            )
            for d in datasets or []
        ],
        notices=notices,
        error=error,
        text_error=text_error,
        row_errors=any(row.error for row in condition_rows),
        condition_rows=condition_rows,
        add_row=search.add_row,
        operators=OPERATORS,
        facets=facet_groups(query, page),
        chips=chips(query),
        clear_url=search_url(
            DatasetQuery(
                sort=query.sort if query.sort != "relevance" else "", per_page=query.per_page
            )
        ),
        columns=columns(query),
        list_url=list_path(),
        keys_url=reverse("catalogue:parameter_keys"),
        pagination=pagination(query, num_pages),
        num_pages=num_pages,
        per_page_choices=[Choice(str(n), str(n), n == query.per_page) for n in PER_PAGE_CHOICES],
        sort_choices=sort_choices(query, current_sort if current_sort != default_sort else ""),
        current_sort_label=sort_label(current_sort),
        canonical_url=search_url(query),
        feed_url=_feed_url(query),
        key_suggestions=key_suggestions,
        unknown_keys=[
            UnknownKey(
                key=ConditionRow.split(query.conditions[index]).key,
                condition=query.conditions[index],
                suggestions=tuple((k, with_condition_key(query, index, k)) for k in near),
            )
            for index, near in sorted((unknown_keys or {}).items())
        ],
    )


# -- the parts ----------------------------------------------------------------------------------


def _when(value: datetime | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.isoformat(), date_format(local, "SHORT_DATETIME_FORMAT")


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


def table_row(
    dataset: dict[str, Any],
    highlights: dict[str, list[str]] | None = None,
    *,
    landing: str = "",
    matched: tuple[MatchedValue, ...] | None = None,
) -> Row:
    """A table row from :func:`catalogue.selectors.dataset_table_rows`' values."""
    pid: str = dataset["pid"]
    image = dataset["thumbnail_image"]
    start_iso, start_text = _when(dataset["start_time"])
    start_date, _, start_clock = start_text.partition(" ")
    highlights = highlights or {}
    title_fragments = highlights.get("title") or []
    snippets = [
        (str(label), _fragment(" … ".join(highlights[name][:2])))
        for name, label in SNIPPET_FIELDS.items()
        if highlights.get(name)
    ]
    return Row(
        pid=pid,
        url=(landing or _landing_prefix()) + quote(pid, safe=_PATH_SAFE),
        title=dataset["title"],
        pid_html=mark_safe(breakable_html(pid)),  # noqa: S308 - escaped by breakable_html
        folder_html=mark_safe(  # noqa: S308 - escaped by breakable_html
            breakable_html(dataset["source_folder"], separators="/-_")
        ),
        start_date=start_date,
        start_clock=start_clock,
        run_number=dataset["run_number"],
        source_folder=dataset["source_folder"],
        size=human_size(dataset["size"]),
        start_iso=start_iso,
        start_text=start_text,
        type=dataset["type"],
        thumbnail_url=_thumbnail_storage().url(image) if image else "",
        thumbnail_alt=(dataset["thumbnail_caption"] or gettext("Thumbnail")) if image else "",
        proposal_id=dataset["proposal__proposal_id"] or "",
        title_html=_fragment(title_fragments[0]) if len(title_fragments) == 1 else None,
        snippets=tuple(snippets[:MAX_SNIPPETS]),
        matched=matched or (),
    )


def sort_label(sort: str) -> str:
    field, descending = SORTS[sort]
    if field == "_score":
        return gettext("Relevance, best match first")
    words = _DIRECTION_WORDS.get(field, _ALPHABETICAL)
    # Translators: a sort order, e.g. "Start time, newest first".
    return gettext("%(field)s, %(direction)s") % {
        "field": str(SORT_LABELS[field]).capitalize(),
        "direction": words[1] if descending else words[0],
    }


def sort_choices(query: DatasetQuery, current: str) -> list[Choice]:
    """The "Sort by" menu, ``current`` selected. The default order's value is empty, so that
    typing words switches an untouched menu to relevance."""
    default = "relevance" if query.text else DEFAULT_SORT
    values = [
        ("" if key == default else key, sort_label(key))
        for key in SORTS
        if key != "relevance" or query.text
    ]
    return [Choice(value, label, value == current) for value, label in values]


def columns(query: DatasetQuery) -> list[Column]:
    current_field, current_descending = SORTS[query.effective_sort]
    out = []
    for label, key, descending_first in COLUMNS:
        if not key:
            out.append(Column(str(label), key))
            continue
        aria_sort = ""
        if key == current_field:
            aria_sort = "descending" if current_descending else "ascending"
            target = key if current_descending else f"-{key}"
        else:
            target = f"-{key}" if descending_first else key
        out.append(
            Column(
                str(label),
                key,
                href=search_url(query, sort=target, page=1),
                aria_sort=aria_sort,
                hint=gettext("sort by %(order)s") % {"order": sort_label(target).lower()},
            )
        )
    return out


def pagination(query: DatasetQuery, num_pages: int) -> Pagination:
    page = query.page
    return Pagination(
        first=search_url(query, page=1) if page > 1 else "",
        previous=search_url(query, page=page - 1) if page > 1 else "",
        next=search_url(query, page=page + 1) if page < num_pages else "",
        last=search_url(query, page=num_pages) if page < num_pages else "",
    )


def facet_groups(query: DatasetQuery, page: SearchPage | None) -> list[FacetGroup]:
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
                label=v.label or _facet_label(name, v.value),
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
        groups.append(FacetGroup(name, str(label), top, more, len(selected)))
    return groups


def _feed_url(query: DatasetQuery) -> str:
    """The Atom feed of ``query``'s datasets: the same parameters, without paging and sort."""
    params = search_url(query, page=1, sort="", per_page=25).partition("?")[2]
    feed = reverse("landing:feed_search")
    return f"{feed}?{params}" if params else feed


def _facet_label(name: str, value: str) -> str:
    """A value as the sidebar names it: data locations in the landing pages' words."""
    if name == "location":
        return str(LOCATION_LABELS.get(value, value))
    return value


def chips(query: DatasetQuery) -> list[Chip]:
    out = []
    if query.text:
        out.append(Chip(gettext("Text"), f"“{query.text}”", search_url(query, text="", page=1)))
    for name, label in FACETS.items():
        for value in query.selected(name):
            out.append(
                Chip(str(label), _facet_label(name, value), without_value(query, name, value))
            )
    for index, condition in enumerate(query.conditions):
        out.append(Chip(gettext("Condition"), condition, without_condition(query, index)))
    if query.start_from:
        day = date_format(query.start_from, "SHORT_DATE_FORMAT")
        out.append(
            Chip(
                gettext("Start time"),
                pgettext("date range", "from %(day)s") % {"day": day},
                search_url(query, start_from=None, page=1),
            )
        )
    if query.start_to:
        day = date_format(query.start_to, "SHORT_DATE_FORMAT")
        out.append(
            Chip(
                gettext("Start time"),
                pgettext("date range", "to %(day)s") % {"day": day},
                search_url(query, start_to=None, page=1),
            )
        )
    return out


def _control_id(name: str, value: str) -> str:
    """A checkbox id that stays the same for a value across swaps (htmx keeps focus by id)."""
    digest = hashlib.blake2s(value.encode(), digest_size=5).hexdigest()
    return f"f-{name}-{digest}"
