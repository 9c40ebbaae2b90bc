"""The request type of the views htmx calls, and whether a request asks for part of a page.

``HtmxHttpRequest`` (django-htmx's example app) exists for the type checker only: it names the
``htmx`` attribute django-htmx's middleware sets. Views import it under ``TYPE_CHECKING``, so this
module loads neither Django nor django-htmx when the portal runs, and stays on the ground floor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_htmx.middleware import HtmxDetails

    class HtmxHttpRequest(HttpRequest):
        htmx: HtmxDetails


def wants_partial(request: object) -> bool:
    """An htmx request for a part of the page.

    Not a history restore or a boosted link: those want the whole page. A request the middleware
    did not mark (no ``htmx`` attribute) is a plain request.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted
