from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        "data_contact": settings.PORTAL_DATA_CONTACT,
    }
