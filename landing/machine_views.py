"""The machine-readable views: exports, signposting linksets, the sitemap and robots.txt.

Exports and linksets of a record are at ``/export/<key>/doi/<doi>`` and
``/export/<key>/datasets/<pid>``, ``/linkset/<json|text>/doi/<doi>`` and
``/linkset/<json|text>/datasets/<pid>``: the DOI or PID comes last, so its ``/`` never makes a
route ambiguous. A withdrawn record answers 410; an unknown one or an unknown key 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from landing import signposting, sitemaps
from landing.exports import EXPORTS, export_response, open_to_any_origin
from landing.negotiation import gone
from landing.records import LandingRecord, record_for_doi, record_for_pid
from usage.recording import record_investigation

_XML = "application/xml; charset=utf-8"


def _record(kind: str, identifier: str) -> LandingRecord:
    record = record_for_doi(identifier) if kind == "doi" else record_for_pid(identifier)
    if record is None:
        raise Http404("No such record")
    return record


@require_safe
def export(request: HttpRequest, key: str, kind: str, identifier: str) -> HttpResponse:
    fmt = EXPORTS.get(key)
    if fmt is None:
        raise Http404("No such export format")
    record = _record(kind, identifier)
    if record.withdrawn:
        return gone(record)
    response = export_response(record, fmt, attachment=True)
    response["Link"] = f'<{record.url}>; rel="describes"'
    if record.kind == "publication" and record.publication is not None:
        record_investigation(request, publication_id=record.publication.pk)
    elif record.kind == "dataset" and record.dataset is not None:
        record_investigation(request, dataset_id=record.dataset.pk)
    return response


@require_safe
def linkset(request: HttpRequest, fmt: str, kind: str, identifier: str) -> HttpResponse:
    media_type = signposting.LINKSET_TYPES.get(fmt)
    if media_type is None:
        raise Http404("No such linkset format")
    record = _record(kind, identifier)
    if record.withdrawn:
        return gone(record)
    body = signposting.linkset_json(record) if fmt == "json" else signposting.linkset_text(record)
    return open_to_any_origin(HttpResponse(body, content_type=f"{media_type}; charset=utf-8"))


def _xml_stream(chunks: Iterable[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=_XML)
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def sitemap(request: HttpRequest) -> StreamingHttpResponse:
    return _xml_stream(sitemaps.sitemap(sitemaps.counts()))


@require_safe
def sitemap_page(request: HttpRequest, section: str, number: int) -> StreamingHttpResponse:
    chunks = sitemaps.sitemap_page(section, number)
    if chunks is None:
        raise Http404("No such sitemap page")
    return _xml_stream(chunks)


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(sitemaps.robots_txt(), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
