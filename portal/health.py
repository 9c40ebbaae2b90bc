"""``/readyz``: can this instance serve visitors, and what is degraded.

200 with ``{"status": "ok" | "degraded", "checks": {...}}`` while the database answers; 503 with
``"status": "unavailable"`` when it does not. OpenSearch or the broker being down makes the portal
*degraded*, not unready: searches answer from the database (with a notice) and index updates wait
in the backlog, so taking the instance out of rotation would only make things worse.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__, "ms": _ms(started)}
    return {**result, "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def _search() -> dict[str, Any]:
    from catalogue.search.backends import backend
    from catalogue.search.maintenance import search_backlog_size

    chosen = backend()
    if not chosen.separate_index:
        return {"status": "ok", "backend": chosen.name}
    backlog = search_backlog_size()
    if not chosen.ping():
        return {
            "status": "down",
            "backend": chosen.name,
            "fallback": "database",
            "backlog": backlog,
        }
    return {"status": "ok", "backend": chosen.name, "backlog": backlog}


def _broker() -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"status": "ok"}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database)}
    if checks["database"]["status"] == "ok":
        checks["search"] = _timed(_search)
    if settings.CELERY_BROKER_URL.startswith("redis"):
        checks["broker"] = _timed(_broker)
    if checks["database"]["status"] != "ok":
        status, code = "unavailable", 503
    elif any(c["status"] != "ok" for c in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
