"""Start-up checks (``manage.py check``) for settings that are valid alone but wrong together."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.compatibility)
def sync_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.SCICAT_URL:
        return []
    found: list[CheckMessage] = []
    if settings.SCICAT_API_VERSION == "v4" and settings.PORTAL_PUBLISH_ON_EMBARGO_END:
        found.append(
            Warning(
                "PORTAL_PUBLISH_ON_EMBARGO_END has no effect on the live sync with "
                "SCICAT_API_VERSION=v4: the public API shows published records only, and "
                "SciCat's v4 lists cannot be filtered by date.",
                hint="Use SCICAT_API_VERSION=v3 with a functional account, or have the "
                "catalogue set isPublished when embargoes end.",
                id="sync.W001",
            )
        )
    if settings.CELERY_BROKER_URL and not settings.REDIS_URL:
        found.append(
            Warning(
                "The sync lock is a file lock in PORTAL_VAR_DIR: it keeps syncs apart on one "
                "host only.",
                hint="Set REDIS_URL (or use a Redis broker) when workers run on several hosts.",
                id="sync.W002",
            )
        )
    return found
