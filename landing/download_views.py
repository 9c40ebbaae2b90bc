"""The "download all" lists of a landing page: ``/download/<format>/doi/<doi>`` and
``/download/<format>/datasets/<pid>`` (Metalink, an aria2 input file, a JSON manifest), streamed.

404 for an unknown format, record or identifier, a withdrawn record, or a portal that offers no
downloads (:mod:`landing.downloads` writes the lists).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from catalogue.models import Dataset
from landing import downloads
from landing.records import LandingRecord, record_for_doi, record_for_pid
from publishing.addresses import absolute_url


def _download_response(
    record: LandingRecord, datasets: list[Dataset], fmt: str, list_url: str
) -> StreamingHttpResponse:
    spec = downloads.FORMATS[fmt]
    source = downloads.download_source(record, datasets, list_url=list_url)
    generator = {
        "metalink": downloads.metalink,
        "aria2": downloads.aria2_input,
        "json": downloads.json_manifest,
    }[fmt]
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in generator(source)), content_type=spec.media_type
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{source.filename_stem}.{spec.extension}"'
    )
    return response


def _listable(fmt: str, record: LandingRecord | None) -> LandingRecord:
    """``record`` when it has a "download all" list in ``fmt``; else 404."""
    if fmt not in downloads.FORMATS or record is None or record.withdrawn:
        raise Http404("No such download list")
    if not downloads.downloads_enabled():
        raise Http404("Downloads are not offered by this portal")
    return record


@require_safe
def publication_download(request: HttpRequest, fmt: str, doi: str) -> StreamingHttpResponse:
    record = _listable(fmt, record_for_doi(doi))
    url = absolute_url(downloads.download_list_url(record, fmt))
    return _download_response(record, list(record.datasets), fmt, url)


@require_safe
def dataset_download(request: HttpRequest, fmt: str, pid: str) -> StreamingHttpResponse:
    record = _listable(fmt, record_for_pid(pid))
    url = absolute_url(downloads.download_list_url(record, fmt))
    return _download_response(record, list(record.datasets), fmt, url)
