"""The admin's protections: who a failed login is counted against (django-axes throttles the
admin login per user name and address), and the optional network restriction of ``/admin/``;
and ``X-Forwarded-Proto`` believed from the proxies alone."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from lib.client_address import in_networks, remote_address


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the same client address the rate limits use."""
    return remote_address(
        request.META, behind_proxy=settings.BEHIND_PROXY, proxies=settings.PROXY_NETWORKS
    )


def admin_networks(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: with ``ADMIN_NETWORKS`` set, ``/admin/`` answers 404 to every other address
    (the admin is not even shown to exist outside the facility's networks)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        networks = settings.ADMIN_NETWORKS
        admin = networks and request.path.startswith("/admin/")
        if admin and not in_networks(client_ip(request), networks):
            raise Http404
        return get_response(request)

    return middleware


def forwarded_proto_from_proxies(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware, before Django's SecurityMiddleware: with ``BEHIND_PROXY``, Django believes
    ``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``) from whoever sends it; a client reaching
    gunicorn directly could claim HTTPS and be spared the redirect to it. The header is dropped
    unless the request comes from ``PROXY_NETWORKS``, as ``X-Forwarded-For`` is ignored then."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if settings.BEHIND_PROXY and "HTTP_X_FORWARDED_PROTO" in request.META:
            peer = str(request.META.get("REMOTE_ADDR", "") or "")
            if not in_networks(peer, settings.PROXY_NETWORKS):
                del request.META["HTTP_X_FORWARDED_PROTO"]
        return get_response(request)

    return middleware
