"""Whole numbers typed by visitors (query parameters such as ``page`` or ``files_after``).

One rule for every page: at most 18 decimal digits (an int64 never overflows), nothing else, no
sign, no spaces; anything else is "no number" and the caller says what that means (``default``).
"""

from __future__ import annotations

import re
from typing import overload

_WHOLE_NUMBER = re.compile(r"\d{1,18}")


@overload
def parse_whole_number(value: str | None) -> int | None: ...
@overload
def parse_whole_number(value: str | None, default: int) -> int: ...
def parse_whole_number(value: str | None, default: int | None = None) -> int | None:
    """``value`` as a non-negative int when it is one (``"042"`` -> 42), else ``default``."""
    if value is None or not _WHOLE_NUMBER.fullmatch(value):
        return default
    return int(value)
