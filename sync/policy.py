"""The portal's one embargo policy: which catalogue records may be public.

A record is public when the catalogue has published it (``isPublished``), or, where the facility
publishes on the embargo end date (``PORTAL_PUBLISH_ON_EMBARGO_END=true``), once its
``dateOfPublishing`` has passed. Nothing else in the code decides this.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings


def is_public(
    *,
    is_published: bool,
    embargo_end: datetime | None,
    now: datetime,
    publish_on_embargo_end: bool | None = None,
) -> bool:
    if is_published:
        return True
    if publish_on_embargo_end is None:
        publish_on_embargo_end = settings.PORTAL_PUBLISH_ON_EMBARGO_END
    return bool(publish_on_embargo_end and embargo_end is not None and embargo_end <= now)
