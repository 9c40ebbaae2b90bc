"""Links taken from catalogue text that are safe to put in an ``href``.

Used by the landing pages, the publication views and the ``safe_url``/``orcid_url`` filters.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")


def safe_url(value: Any) -> str:
    """``value`` when it is an http(s) URL, else "" (never a javascript: or data: link)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in {"http", "https"} and parts.netloc else ""


def orcid_url(value: Any) -> str:
    """The https://orcid.org/ URL of an ORCID iD given bare or as a URL; "" when it is none."""
    if not isinstance(value, str):
        return ""
    match = _ORCID.search(value)
    return f"https://orcid.org/{match.group(0)}" if match else ""


PANET_URL = "http://purl.org/pan-science/PaNET/"


def panet_url(pid: str) -> str:
    """A PaNET technique's entry (``panet01188`` or ``PaNET01188``); other ids as safe URLs."""
    if pid.lower().startswith("panet") and pid[5:].isdigit():
        return f"{PANET_URL}PaNET{pid[5:]}"
    return safe_url(pid)
