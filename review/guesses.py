"""A limit on wrong review tokens per client, against guessing (Django's cache).

Written before the portal-wide rate limiting middleware (``operations.rate_limit``) landed, and
kept beside it: that one budgets every request of a class of traffic (and leaves ``/review/``
alone), this one counts only the wrong, expired or revoked tokens a client (an address, an IPv6
/64: :mod:`lib.client_address`) sends in a window of ``PORTAL_REVIEW_GUESS_WINDOW`` seconds; past
``PORTAL_REVIEW_GUESS_LIMIT`` every review URL answers that client 429 until the window ends, so
a reviewer's good link is never throttled by its own use. With 256-bit tokens guessing is
hopeless anyway; the limit keeps the attempts cheap. The counter lives in the default cache (per
process: a per-process limit, still a limit; moving it onto the middleware's Redis counters is
the natural next step).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from lib.client_address import client_key, remote_address


def _key(request: HttpRequest) -> str:
    window = int(time.time()) // settings.PORTAL_REVIEW_GUESS_WINDOW
    address = remote_address(
        request.META, behind_proxy=settings.BEHIND_PROXY, proxies=settings.PROXY_NETWORKS
    )
    visitor = hashlib.sha256(client_key(address).encode()).hexdigest()[:32]
    return f"review:guesses:{window}:{visitor}"


def blocked(request: HttpRequest) -> bool:
    return int(cache.get(_key(request), 0)) >= settings.PORTAL_REVIEW_GUESS_LIMIT


def failed(request: HttpRequest) -> None:
    key = _key(request)
    if not cache.add(key, 1, settings.PORTAL_REVIEW_GUESS_WINDOW * 2):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, settings.PORTAL_REVIEW_GUESS_WINDOW * 2)


def retry_after() -> int:
    window = settings.PORTAL_REVIEW_GUESS_WINDOW
    return window - int(time.time()) % window
