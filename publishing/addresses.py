"""The portal's public addresses of its records, and the kind of a catalogue PID."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.conf import settings

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_HANDLE = re.compile(r"^\d+(?:\.\d+)*/\S+$")
# URL path characters that Django's reverse() leaves unquoted (RFC 3986 sub-delims, "/~:@").
_PATH_SAFE = "!$&'()*+,;=/~:@"


def pid_type(pid: str) -> str:
    """The DataCite identifier type of a catalogue PID: ``DOI``, ``Handle`` or ``URL``/``Other``."""
    if _DOI.match(pid):
        return "DOI"
    if _HANDLE.match(pid):
        return "Handle"
    if pid.startswith(("http://", "https://")):
        return "URL"
    return "Other"


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def dataset_url(pid: str) -> str:
    """The public address of the dataset page, as ``reverse()`` builds it (without a query)."""
    return absolute_url(f"/datasets/{quote(pid, safe=_PATH_SAFE)}")


def publication_url(doi: str) -> str:
    """The public address of the publication's landing page."""
    return absolute_url(f"/doi/{quote(doi, safe=_PATH_SAFE)}")
