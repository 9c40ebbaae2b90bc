"""``/healthz`` and ``/readyz``: is the process alive, can this instance serve visitors.

``/healthz`` answers 200 ``ok`` whenever the process can answer at all; it touches nothing else
(a liveness probe that restarts a web process because the database is down only makes things
worse).

``/readyz`` answers ``{"status": "ok" | "degraded" | "unavailable", "checks": {...}}``. Checks:

- ``database``: one ``SELECT 1``; the portal cannot serve without it: always required.
- ``redis``: a ``PING`` to ``REDIS_URL`` (locks, usage buffer, rate limits), when set.
- ``broker``: a ``PING`` to the Celery broker, when it is Redis.
- ``search``: the search backend; down means searches answer from the database (with a notice)
  and index updates wait in the backlog. With the number and the age of the oldest entry.
- ``sync``: seconds since the last successful catalogue sync (when ``SCICAT_URL`` is set); stale
  past ``READYZ_MAX_SYNC_AGE``.
- ``doi``: the DOI backlog (publications waiting for a call to DataCite) and the age of its
  oldest entry; stale past ``READYZ_MAX_BACKLOG_AGE``, as is a search backlog that old.

A check that fails is ``down`` or ``stale``: the answer is 503 ``unavailable`` when it is one of
``READYZ_REQUIRED`` (``database`` always), else 200 ``degraded``: a load balancer keeps an
instance whose OpenSearch is down, since the others would have the same trouble.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

Check = dict[str, Any]


def _timed(check: Callable[[], Check]) -> Check:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__, "ms": _ms(started)}
    return {**result, "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _age(since: datetime | None) -> float | None:
    if since is None:
        return None
    return round((timezone.now() - since).total_seconds(), 1)


def _database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def _ping(url: str) -> Callable[[], Check]:
    def check() -> Check:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return {"status": "ok"}

    return check


def _stale(age: float | None, limit: int) -> bool:
    return limit > 0 and age is not None and age > limit


def _search() -> Check:
    from catalogue.models import SearchBacklog
    from catalogue.search.backends import backend

    chosen = backend()
    if not chosen.separate_index:
        return {"status": "ok", "backend": chosen.name}
    oldest = SearchBacklog.objects.aggregate(oldest=Min("queued_at"))["oldest"]
    found: Check = {
        "status": "ok",
        "backend": chosen.name,
        "backlog": SearchBacklog.objects.count(),
        "backlog_age_seconds": _age(oldest),
    }
    if not chosen.ping():
        return {**found, "status": "down", "fallback": "database"}
    if _stale(found["backlog_age_seconds"], settings.READYZ_MAX_BACKLOG_AGE):
        found["status"] = "stale"
    return found


def _sync() -> Check:
    from sync.models import SyncRun, SyncStatus

    last = SyncRun.objects.filter(
        status__in=[SyncStatus.SUCCEEDED, SyncStatus.PARTIAL], finished_at__isnull=False
    ).aggregate(last=Max("finished_at"))["last"]
    age = _age(last)
    stale = age is None or _stale(age, settings.READYZ_MAX_SYNC_AGE)
    return {"status": "stale" if stale else "ok", "last_success_age_seconds": age}


def _doi() -> Check:
    from publishing.models import PENDING_STATES, Publication

    pending = Publication.objects.filter(doi_state__in=PENDING_STATES)
    oldest = pending.aggregate(oldest=Min("doi_state_changed_at"))["oldest"]
    age = _age(oldest)
    return {
        "status": "stale" if _stale(age, settings.READYZ_MAX_BACKLOG_AGE) else "ok",
        "backlog": pending.count(),
        "backlog_age_seconds": age,
    }


def checks() -> dict[str, Check]:
    """Every check that applies to this configuration, run now."""
    found = {"database": _timed(_database)}
    if found["database"]["status"] != "ok":
        return found
    found["search"] = _timed(_search)
    if settings.SCICAT_URL:
        found["sync"] = _timed(_sync)
    if settings.DATACITE_URL:
        found["doi"] = _timed(_doi)
    if settings.REDIS_URL:
        found["redis"] = _timed(_ping(settings.REDIS_URL))
    if settings.CELERY_BROKER_URL.startswith("redis"):
        found["broker"] = _timed(_ping(settings.CELERY_BROKER_URL))
    return found


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    found = checks()
    required = {"database", *settings.READYZ_REQUIRED}
    failing = {name for name, check in found.items() if check["status"] != "ok"}
    if failing & required:
        status, code = "unavailable", 503
    elif failing:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "checks": found}, status=code)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
