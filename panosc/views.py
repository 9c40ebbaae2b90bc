"""The PaNOSC search API's views: LoopBack-style JSON answers, errors as LoopBack writes them.

A client's mistake (bad filter JSON, unknown property, relation, operator or unit) answers 400
with a message naming the part at fault; an unknown pid 404 with LoopBack's ``MODEL_NOT_FOUND``
code (which the federated search service reads as "not at this provider"); a search backend that
cannot answer 503. Never a 500 for anything a client sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalogue.search import QueryError, SearchUnavailable
from panosc import datasets, documents
from panosc.filters import parse_filter, parse_where_param


def _error(status: int, name: str, message: str, code: str = "") -> HttpResponse:
    error: dict[str, Any] = {"statusCode": status, "name": name, "message": message}
    if code:
        error["code"] = code
    response = JsonResponse({"error": error}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _answer(build: Callable[[], Any], model: str = "", pid: str = "") -> HttpResponse:
    try:
        body = build()
    except QueryError as exc:
        return _error(400, "BadRequestError", str(exc))
    except SearchUnavailable:
        return _error(503, "ServiceUnavailableError", _("Search is unavailable; try again soon."))
    if body is None:
        message = _("Unknown “%(model)s” id “%(pid)s”.") % {"model": model, "pid": pid}
        return _error(404, "Error", message, "MODEL_NOT_FOUND")
    # orjson: a page of 100 datasets with their parameters in a tenth of the json module's time
    # (UTF-8 as it is, like ensure_ascii=False; anything else, such as a lazy string, as str).
    response = HttpResponse(orjson.dumps(body, default=str), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _filter(request: HttpRequest, model: str) -> Any:
    return parse_filter(request.GET.get("filter"), model, query=request.GET.get("query", ""))


def _count(value: int) -> dict[str, int]:
    return {"count": value}


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    return _answer(lambda: datasets.find_datasets(_filter(request, "Dataset"))[0])


@require_GET
def dataset_count(request: HttpRequest) -> HttpResponse:
    where = request.GET.get("where")
    return _answer(lambda: _count(datasets.count_datasets(parse_where_param(where, "Dataset"))))


@require_GET
def dataset_detail(request: HttpRequest, pid: str) -> HttpResponse:
    return _answer(lambda: datasets.get_dataset(pid, _filter(request, "Dataset")), "Dataset", pid)


@require_GET
def dataset_files(request: HttpRequest, pid: str) -> HttpResponse:
    return _answer(lambda: datasets.dataset_files(pid, _filter(request, "File")), "Dataset", pid)


@require_GET
def dataset_files_count(request: HttpRequest, pid: str) -> HttpResponse:
    where = request.GET.get("where")

    def build() -> dict[str, int] | None:
        found = datasets.dataset_files_count(pid, parse_where_param(where, "File"))
        return None if found is None else _count(found)

    return _answer(build, "Dataset", pid)


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    return _answer(lambda: documents.find_documents(_filter(request, "Document")))


@require_GET
def document_count(request: HttpRequest) -> HttpResponse:
    where = request.GET.get("where")
    return _answer(lambda: _count(documents.count_documents(parse_where_param(where, "Document"))))


@require_GET
def document_detail(request: HttpRequest, pid: str) -> HttpResponse:
    return _answer(
        lambda: documents.get_document(pid, _filter(request, "Document")), "Document", pid
    )


@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    return _answer(lambda: documents.find_instruments(_filter(request, "Instrument")))


@require_GET
def instrument_count(request: HttpRequest) -> HttpResponse:
    where = request.GET.get("where")
    return _answer(
        lambda: _count(documents.count_instruments(parse_where_param(where, "Instrument")))
    )


@require_GET
def instrument_detail(request: HttpRequest, pid: str) -> HttpResponse:
    return _answer(
        lambda: documents.get_instrument(pid, _filter(request, "Instrument")),
        "Instrument",
        pid,
    )
