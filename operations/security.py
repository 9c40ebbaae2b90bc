"""The admin's protections: who a failed login is counted against (django-axes throttles the
admin login per user name and address), and the optional network restriction of ``/admin/``."""

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
