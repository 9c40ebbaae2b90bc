"""``/dumps/``: the bulk metadata dumps, listed for people (HTML) and scripts (JSON), and the
files themselves."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from operations.dumps import FILE_NAME, dumps_available

_TYPES = {".gz": "application/gzip", ".json": "application/json"}


@require_safe
def dumps_index(request: HttpRequest) -> HttpResponse:
    response = render(request, "operations/dumps.html", {"dumps": dumps_available()})
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def dumps_json(request: HttpRequest) -> JsonResponse:
    base = f"{settings.PORTAL_BASE_URL}/dumps/"
    body = {
        "dumps": [
            {
                "date": dump.date,
                "created": dump.created,
                "records": dump.records,
                "files": [{**f.__dict__, "url": base + f.name} for f in dump.files],
            }
            for dump in dumps_available()
        ]
    }
    response = JsonResponse(body)
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def dump_file(request: HttpRequest, name: str) -> FileResponse:
    if not FILE_NAME.fullmatch(name):
        raise Http404
    path = Path(settings.DUMPS_ROOT) / name
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"), content_type=_TYPES[path.suffix], as_attachment=path.suffix == ".gz"
    )
    patch_cache_control(response, public=True, max_age=86400)
    return response
