"""What every API view shares: JSON by orjson whatever the client accepts, errors as problem
details, CORS for GET from any origin, and conditional GET (``ETag`` of the body,
``Last-Modified`` where the record has a date; 304 on ``If-None-Match`` / ``If-Modified-Since``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import problems

ALLOW_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = "ETag, Last-Modified, Link, Retry-After"


class JsonRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return b"" if data is None else orjson.dumps(data)


class JsonOnly(BaseContentNegotiation):
    """Always JSON: a browser asking for HTML gets it too, never a 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def cors(response: HttpResponseBase) -> HttpResponseBase:
    """Let scripts on any site read the answer (public data, never with credentials)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


class ApiView(APIView):
    """A read-only endpoint. Views set ``self.last_modified`` when the answer has a date."""

    renderer_classes = [JsonRenderer]
    content_negotiation_class = JsonOnly
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    http_method_names = ["get", "head", "options"]
    last_modified: datetime | None = None

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return problems.exception_handler

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        """The CORS preflight: GET from any origin, with the conditional headers."""
        response = Response(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response["Access-Control-Max-Age"] = "86400"
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
            headers = {"ETag": etag}
            stamp = None
            if self.last_modified is not None:
                stamp = int(self.last_modified.timestamp())
                headers["Last-Modified"] = http_date(stamp)
            for name, value in headers.items():
                response[name] = value
            conditional = get_conditional_response(
                request._request, etag=etag, last_modified=stamp, response=response
            )
            # 304 Not Modified (or 412 Precondition Failed for If-Match).
            if conditional is not None and conditional is not response:
                response = super().finalize_response(
                    request, Response(status=conditional.status_code, headers=headers)
                )
        cors(response)
        return response
