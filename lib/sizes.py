"""Byte counts as a visitor reads them, in decimal units: 1834221 -> "1.8 MB".

Used through :func:`catalogue.sizes.human_size`, which gives the visitor's language its decimal
mark (the search table, the landing pages, the ``human_size`` template filter).
"""

from __future__ import annotations

from typing import Any

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


def human_size(value: Any, decimal_mark: str = ".") -> str:
    """Bytes in decimal units, as a visitor reads them: 1834221 -> "1.8 MB" (``decimal_mark``
    "," gives the German "1,8 MB"); "" for no number."""
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
            text = f"{size:.1f}" if size < 100 else f"{size:.0f}"
            return f"{text.replace('.', decimal_mark)} {unit}"
        size /= 1000
    return ""  # pragma: no cover - the loop always returns
