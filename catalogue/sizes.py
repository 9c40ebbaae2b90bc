"""Byte counts in the visitor's language: :func:`lib.sizes.human_size` with the active
language's decimal mark ("1.8 MB" in English, "1,8 MB" in German)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import get_format

from lib.sizes import human_size as _human_size


def human_size(value: Any) -> str:
    """``value`` bytes in decimal units, written as the active language writes numbers."""
    return _human_size(value, decimal_mark=str(get_format("DECIMAL_SEPARATOR")))
