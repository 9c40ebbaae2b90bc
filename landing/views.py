"""The landing pages: ``/doi/<doi>`` (a publication) and ``/datasets/<pid>`` (one dataset).

One URL serves people and machines. The view asks :func:`negotiate` first (DataCite XML/JSON,
schema.org, CSL-JSON, BibTeX, RIS, formatted citations by ``Accept``; 406 for the unknown); when
the visitor wants HTML, it renders the page with the JSON-LD, meta tags and signposting ``Link``
header of the same :class:`~landing.records.LandingRecord`.

htmx swaps three parts, each with a plain link behind it for visitors without JavaScript:
the citation (``?style=``), a page of files (``/files/<pid>``) and a page of a publication's
datasets (``?datasets=``). The "download all" lists are served by :mod:`landing.download_views`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from catalogue import page_cache
from catalogue.access import data_access
from catalogue.models import Dataset
from catalogue.selectors import (
    FILES_PER_PAGE,
    dataset_by_pid,
    dataset_files_page,
    dataset_thumbnails,
)
from catalogue.sizes import human_size
from catalogue.visibility import WithdrawnBy
from landing import downloads, pages
from landing.citation import DEFAULT_STYLE, STYLES, CitationError, cite
from landing.exports import EXPORTS, export_url
from landing.meta import head_html
from landing.negotiation import negotiate, wants_html
from landing.records import (
    LandingRecord,
    dataset_record,
    publication_record,
)
from landing.reserved import reserved_page
from landing.schemaorg import jsonld_script
from landing.selectors import Totals, datasets_page
from landing.signposting import link_header
from lib.htmx_request import wants_partial
from lib.identifiers import lookable
from lib.whole_numbers import parse_whole_number
from publishing.models import Publication
from publishing.selectors import (
    publication_by_doi,
    publications_containing,
    reservation_by_doi,
)
from tape.selectors import restage_enabled, restage_offered
from usage.recording import record_investigation
from usage.selectors import dataset_usage, publication_usage

if TYPE_CHECKING:
    from lib.htmx_request import HtmxHttpRequest


# -- the machine-readable side (negotiation, signposting, meta tags, JSON-LD, citations, exports)


def _head(record: LandingRecord) -> SafeString:
    """The JSON-LD ``<script>`` and the Highwire/OpenGraph ``<meta>`` tags of the page."""
    return format_html("{}\n{}", head_html(record), jsonld_script(record))


CITATION_STYLES: list[tuple[str, str]] = [(s.key, s.label) for s in STYLES.values()]


def _citation(record: LandingRecord, style: str) -> SafeString:
    """The formatted citation (inline HTML, escaped by citeproc) of ``record`` in ``style``."""
    try:
        citation = cite(record, style)
    except CitationError:
        citation = cite(record, DEFAULT_STYLE)
    return mark_safe(citation.html)  # noqa: S308 - citeproc's HTML formatter escapes the text


def _exports(record: LandingRecord) -> list[dict[str, str]]:
    """The export menu: label, URL, media type."""
    return [
        {"label": fmt.label, "url": export_url(record, key), "media_type": fmt.media_type}
        for key, fmt in EXPORTS.items()
    ]


# -- shared -----------------------------------------------------------------------------------


def _style(request: HttpRequest) -> str:
    style = request.GET.get("style", DEFAULT_STYLE)
    return style if style in dict(CITATION_STYLES) else DEFAULT_STYLE


def _citation_context(request: HttpRequest, record: LandingRecord, page_url: str) -> dict[str, Any]:
    style = _style(request)
    return {
        "citation": _citation(record, style),
        "citation_style": style,
        "citation_styles": [
            {
                "key": key,
                "label": label,
                "href": f"{page_url}?style={key}#cite"
                if key != DEFAULT_STYLE
                else f"{page_url}#cite",
                "hx": f"{page_url}?style={key}",
                "current": key == style,
            }
            for key, label in CITATION_STYLES
        ],
    }


def _render_citation(request: HttpRequest, record: LandingRecord, page_url: str) -> HttpResponse:
    return render(request, "landing/_citation.html", _citation_context(request, record, page_url))


def _with_links(response: HttpResponse, record: LandingRecord) -> HttpResponse:
    if header := link_header(record):
        response["Link"] = header
    return response


def _downloads(record: LandingRecord) -> list[dict[str, str]]:
    if not downloads.downloads_enabled():
        return []
    return [
        {
            "key": key,
            "label": fmt.label,
            "url": downloads.download_list_url(record, key),
            "media_type": fmt.media_type.split(";")[0],
        }
        for key, fmt in downloads.FORMATS.items()
    ]


def _tombstone(request: HttpRequest, record: LandingRecord, *, kind: str) -> HttpResponse:
    owner = record.publication if record.publication is not None else record.dataset
    assert owner is not None
    context = {
        "kind": kind,
        "title": record.title,
        "identifier": record.identifier,
        "reason": owner.withdrawn_reason,
        "withdrawn_at": owner.withdrawn_at,
        "withdrawn_by": WithdrawnBy(owner.withdrawn_by).label if owner.withdrawn_by else "",
        "citation": _citation(record, DEFAULT_STYLE),
        "doi_url": f"https://doi.org/{record.doi}" if record.doi else "",
    }
    response = render(request, "tombstone.html", context, status=410)
    # Only the identifier: the exports, files and linksets of a withdrawn record are gone.
    response["Link"] = f'<{record.pid_url}>; rel="cite-as"'
    return response


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


# -- a publication ----------------------------------------------------------------------------


@require_safe
@vary_on_headers("Accept", "HX-Request")
def publication(request: HtmxHttpRequest, doi: str) -> HttpResponse:
    found = publication_by_doi(doi) if lookable(doi) else None
    if found is None:
        if lookable(doi) and (reserved := reservation_by_doi(doi)) is not None:
            return reserved_page(request, reserved)
        return _not_found(
            request,
            gettext("There is no publication with the DOI “%(doi)s”.") % {"doi": doi[:300]},
        )
    cache_key = ""
    if not found.is_withdrawn and page_cache.cacheable(request) and wants_html(request):
        cache_key = page_cache.publication_key(found.pk, found.modified)
        if (stored := page_cache.get(cache_key)) is not None:
            record_investigation(request, publication_id=found.pk)
            return page_cache.respond(request, stored)
    record = publication_record(found)
    if (negotiated := negotiate(request, record)) is not None:
        if not record.withdrawn and negotiated.status_code == 200:
            record_investigation(request, publication_id=found.pk, machine=True)
        return negotiated
    page_url = reverse("landing:publication", args=[record.doi])
    if record.withdrawn:
        return _tombstone(request, record, kind="publication")
    if wants_partial(request) and "style" in request.GET:
        return _render_citation(request, record, page_url)
    if wants_partial(request) and "datasets" in request.GET:
        return render(
            request,
            "landing/publication.html#datasets",
            _datasets_context(request, found, page_url),
        )
    context = publication_context(request, found, record, page_url=page_url)
    context["usage"] = publication_usage(found.pk)
    record_investigation(request, publication_id=found.pk)
    response = _with_links(render(request, "landing/publication.html", context), record)
    return _stored(request, cache_key, response)


def _stored(request: HttpRequest, cache_key: str, response: HttpResponse) -> HttpResponse:
    """Keep the rendered page under ``cache_key`` (if any) and answer with the stored copy."""
    if cache_key and (stored := page_cache.store(cache_key, response)) is not None:
        return page_cache.respond(request, stored)
    return page_cache.public(response)


def _datasets_context(request: HttpRequest, found: Publication, page_url: str) -> dict[str, Any]:
    page = datasets_page(found, request.GET.get("datasets"))
    return {
        "page": page,
        "cards": [pages.dataset_card(d) for d in page.object_list],
        "restage_on": restage_enabled(),
        "datasets_links": {
            "previous": f"{page_url}?datasets={page.number - 1}#datasets"
            if page.has_previous()
            else "",
            "next": f"{page_url}?datasets={page.number + 1}#datasets" if page.has_next() else "",
        },
    }


def publication_context(
    request: HttpRequest, found: Publication, record: LandingRecord, *, page_url: str
) -> dict[str, Any]:
    """Everything ``landing/publication.html`` shows (also the staff preview of a draft)."""
    return {
        **_datasets_context(request, found, page_url),
        **publication_page(found, record, request=request, page_url=page_url),
    }


def publication_page(
    found: Publication,
    record: LandingRecord,
    *,
    request: HttpRequest,
    page_url: str,
) -> dict[str, Any]:
    """The context of a publication's page, except its page of datasets."""
    totals = Totals.of(record.datasets)
    return {
        "record": record,
        "publication": found,
        "common": pages.common(record),
        "page_url": page_url,
        "canonical_url": record.url,
        "totals": totals,
        "locations": _location_counts(record.datasets),
        "total_size": human_size(totals.size),
        "exports": _exports(record),
        "download_lists": _downloads(record) if totals.files else [],
        "downloads_enabled": downloads.downloads_enabled(),
        "landing_head": _head(record),
        **_citation_context(request, record, page_url),
    }


def _location_counts(datasets: tuple[Dataset, ...]) -> list[dict[str, Any]]:
    """Each data location of a publication's datasets (disk first), how it is reached and how
    many datasets are there."""
    seen: dict[str, list[Dataset]] = {}
    for item in datasets:
        seen.setdefault(item.data_location, []).append(item)
    order = ["disk", "partial", "tape", "unavailable", "unknown"]
    keys = sorted(seen, key=lambda k: order.index(k) if k in order else len(order))
    return [
        {
            "location": data_access(
                data_location=key,
                file_count=sum(d.number_of_files for d in seen[key]),
                downloads_enabled=downloads.downloads_enabled(),
            ),
            "count": len(seen[key]),
        }
        for key in keys
    ]


# -- a dataset --------------------------------------------------------------------------------


# Files per page in a publication's dataset card (its own page shows FILES_PER_PAGE).
CARD_FILES_PER_PAGE = 25


def _files_context(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    # In a publication's dataset card, the list has an id of its own (its htmx target's).
    target = str(getattr(getattr(request, "htmx", None), "target", None) or "")
    on_own_page = not target.startswith("files-")
    after = parse_whole_number(request.GET.get("files_after")) or None
    before = parse_whole_number(request.GET.get("files_before")) or None
    files = dataset_files_page(
        dataset,
        after=after,
        before=None if after else before,
        last=request.GET.get("files") == "last" and not (after or before),
        per_page=FILES_PER_PAGE if on_own_page else CARD_FILES_PER_PAGE,
    )
    page_url = reverse("landing:dataset", args=[dataset.pid])
    files_url = reverse("landing:dataset_files", args=[dataset.pid])

    def link(query: str) -> dict[str, str]:
        return {"href": f"{page_url}{query}#files", "hx": f"{files_url}{query}"}

    links = {
        "first": link("") if files.has_previous else None,
        "previous": link(f"?files_before={files.first_id}") if files.has_previous else None,
        "next": link(f"?files_after={files.last_id}") if files.has_next else None,
        "last": link("?files=last") if files.has_next else None,
    }
    rows = [
        {
            "path": f.path,
            "size": human_size(f.size),
            "bytes": f.size,
            "checksum": f.checksum,
            "algorithm": f.checksum_algorithm,
            "url": downloads.counted_file_url(dataset, f.path),
        }
        for f in files.files
    ]
    return {
        "dataset": dataset,
        "files": files,
        "file_rows": rows,
        "files_links": links,
        "files_id": "files" if on_own_page else f"files-{dataset.pk}",
        "files_h": "h2" if on_own_page else "h4",
    }


@require_safe
@vary_on_headers("Accept", "HX-Request")
def dataset(request: HtmxHttpRequest, pid: str) -> HttpResponse:
    found = dataset_by_pid(pid) if lookable(pid) else None
    if found is None and pid.rstrip("/") and pid != pid.rstrip("/"):
        return redirect("landing:dataset", pid.rstrip("/"))  # a link copied with a slash
    if found is None:
        return _not_found(
            request,
            gettext("There is no public dataset with the PID “%(pid)s”.") % {"pid": pid[:300]},
        )
    if found.is_withdrawn:
        record = dataset_record(found)
        if (negotiated := negotiate(request, record)) is not None:
            return negotiated
        return _tombstone(request, record, kind="dataset")
    if wants_partial(request) and "style" not in request.GET:
        return render(request, "landing/dataset.html#files", _files_context(request, found))
    cache_key = ""
    if page_cache.cacheable(request) and wants_html(request):
        cache_key = page_cache.dataset_key(found.pk, found.modified)
        if (stored := page_cache.get(cache_key)) is not None:
            record_investigation(request, dataset_id=found.pk)
            return page_cache.respond(request, stored)
    prefetch_related_objects([found], "techniques")  # read by the record and the page
    record = dataset_record(found)
    if (negotiated := negotiate(request, record)) is not None:
        if negotiated.status_code == 200:
            record_investigation(request, dataset_id=found.pk, machine=True)
        return negotiated
    page_url = reverse("landing:dataset", args=[found.pid])
    if wants_partial(request):
        return _render_citation(request, record, page_url)
    techniques = sorted(found.techniques.all(), key=lambda t: (t.name, t.pid))
    context: dict[str, Any] = {
        "record": record,
        "dataset": found,
        "common": pages.common(record),
        "page_url": page_url,
        "canonical_url": record.url,
        "locations": [{"location": pages.location(found), "count": 0}],
        "techniques": [pages.technique_link(t.pid, t.name) for t in techniques],
        "thumbnails": dataset_thumbnails(found),
        "publications": publications_containing(found),
        "principal_investigators": [
            str(p) for p in found.principal_investigators or [] if str(p).strip()
        ],
        "total_size": human_size(found.size),
        "exports": _exports(record),
        "download_lists": _downloads(record),
        "downloads_enabled": downloads.downloads_enabled(),
        "landing_head": _head(record),
        "usage": dataset_usage(found.pk),
        "restage": restage_offered(found),
        **_files_context(request, found),
        **_citation_context(request, record, page_url),
    }
    record_investigation(request, dataset_id=found.pk)
    response = _with_links(render(request, "landing/dataset.html", context), record)
    return _stored(request, cache_key, response)


@require_safe
@vary_on_headers("HX-Request")
def dataset_files(request: HtmxHttpRequest, pid: str) -> HttpResponse:
    """A page of a dataset's files (htmx); without htmx, the dataset's page at that page."""
    found = dataset_by_pid(pid) if lookable(pid) else None
    if found is None or found.is_withdrawn:
        raise Http404("No such public dataset")
    if not wants_partial(request):
        query = request.GET.urlencode()
        url = reverse("landing:dataset", args=[found.pid])
        return redirect(f"{url}?{query}#files" if query else f"{url}#files")
    return render(request, "landing/dataset.html#files", _files_context(request, found))
