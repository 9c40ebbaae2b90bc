"""Template filters for showing catalogue values to visitors: sizes, people, links, free text."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import template

register = template.Library()

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
# Anything shaped like an e-mail address; free text must never show one.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[e-mail address removed]"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")


def human_size(value: Any) -> str:
    """Bytes in decimal units, as a visitor reads them: 1834221 -> "1.8 MB"."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    if size < 0:
        return ""
    for unit in _UNITS:
        if size < 1000 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(size)} B"
            return f"{size:.1f} {unit}" if size < 100 else f"{size:.0f} {unit}"
        size /= 1000
    return ""  # pragma: no cover - the loop always returns


def mask_emails(value: Any) -> str:
    """``value`` as text with anything that looks like an e-mail address replaced."""
    if value is None:
        return ""
    return _EMAIL.sub(EMAIL_MASK, str(value))


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


def words(value: Any) -> str:
    """A DataCite-style CamelCase term in words: "IsSupplementTo" -> "is supplement to"."""
    if not isinstance(value, str):
        return ""
    return _CAMEL.sub(" ", value.strip()).lower()


register.filter("human_size", human_size)
register.filter("mask_emails", mask_emails)
register.filter("safe_url", safe_url)
register.filter("orcid_url", orcid_url)
register.filter("words", words)
