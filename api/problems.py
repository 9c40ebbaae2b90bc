"""Errors as JSON problem details (RFC 9457, ``application/problem+json``).

Every error the API answers has ``type``, ``title``, ``status``, ``detail`` and ``instance``; a
withdrawn record (410) adds ``reason`` and ``withdrawn_at``, a refused search (400) the parameter
at fault in ``parameter`` when one is.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

PROBLEM_TYPE = "application/problem+json"
# Problem type URIs: "about:blank" means the status code says it all (RFC 9457 section 4.2.1).
TYPES = {
    410: "https://www.rfc-editor.org/rfc/rfc9110#status.410",
}


class Problem(exceptions.APIException):
    """An error answered as problem details; ``extra`` members are added to the body."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status_code = status
        self.title = title
        self.extra = extra


def not_found(what: str) -> Problem:
    return Problem(
        404, _("Not found"), _("No public %(what)s has this identifier.") % {"what": what}
    )


def bad_request(detail: str, parameter: str = "") -> Problem:
    extra = {"parameter": parameter} if parameter else {}
    return Problem(400, _("Bad request"), detail, **extra)


def body(status: int, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": TYPES.get(status, "about:blank"),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's errors (and :class:`Problem`) as problem details; anything else stays a 500."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, Problem):
        data = body(exc.status_code, exc.title, str(exc.detail), instance, **exc.extra)
        return Response(data, status=exc.status_code, content_type=PROBLEM_TYPE)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait))
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    title = str(exc.default_detail).rstrip(".")
    return Response(
        body(exc.status_code, title, detail, instance),
        status=exc.status_code,
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


def unknown_route(request: HttpRequest, route: str = "") -> JsonResponse:
    """Any address under /api/ that is not an endpoint: 404 as problem details."""
    data = body(
        404,
        _("Not found"),
        _("There is no API endpoint at this address; see /api/docs/."),
        request.get_full_path(),
    )
    response = JsonResponse(data, status=404, content_type=PROBLEM_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response
