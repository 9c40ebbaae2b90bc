"""Downloads through the portal, each counted as a COUNTER request (:mod:`usage.recording`):

* ``/download/file/datasets/<pid>?path=<path>``: one file; counted, then a 302 to the URL the
  portal itself makes for it from ``PORTAL_DOWNLOAD_URL`` (never an open redirect: the target is
  never read from the request, and the file must be one of the dataset's);
* ``/download/<format>/doi/<doi>`` and ``/download/<format>/datasets/<pid>``: the "download all"
  lists (Metalink, an aria2 input file, a JSON manifest), streamed; fetching one counts one request
  of the record. The URLs inside point at the storage directly, so download tools check sizes and
  checksums against it and a list of 10,000 files is not 10,000 round trips through the portal.

404 for an unknown format, record, file or identifier, a withdrawn record, or a portal that offers
no downloads (:mod:`landing.downloads` writes the lists).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.views.decorators.http import require_safe

from catalogue.models import DataFile, Dataset
from catalogue.selectors import dataset_by_pid
from landing import downloads
from landing.records import LandingRecord, record_for_doi, record_for_pid
from lib.identifiers import lookable
from publishing.addresses import absolute_url
from usage.recording import record_request


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
    assert record.publication is not None
    record_request(request, publication_id=record.publication.pk, part=f"list:{fmt}")
    return _download_response(record, list(record.datasets), fmt, url)


@require_safe
def dataset_download(request: HttpRequest, fmt: str, pid: str) -> StreamingHttpResponse:
    record = _listable(fmt, record_for_pid(pid))
    url = absolute_url(downloads.download_list_url(record, fmt))
    assert record.dataset is not None
    record_request(request, dataset_id=record.dataset.pk, part=f"list:{fmt}")
    return _download_response(record, list(record.datasets), fmt, url)


@require_safe
def file_download(request: HttpRequest, pid: str) -> HttpResponseRedirect:
    """One file of a public dataset: counted, then redirected to its storage URL."""
    path = request.GET.get("path", "")
    found = dataset_by_pid(pid) if lookable(pid) else None
    if found is None or found.is_withdrawn or not path or not lookable(path):
        raise Http404("No such file")
    if not downloads.downloads_enabled():
        raise Http404("Downloads are not offered by this portal")
    url = downloads.file_url(found, path)
    if not url or not DataFile.objects.filter(dataset=found, path=path).exists():
        raise Http404("No such file")
    record_request(request, dataset_id=found.pk, part=path)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # every download comes back here to be counted
    response["X-Robots-Tag"] = "noindex"
    return response
