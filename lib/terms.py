"""Controlled-vocabulary terms written in CamelCase (DataCite's) read as words.

Used by the landing pages and the ``words`` template filter.
"""

from __future__ import annotations

import re
from typing import Any

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(value: Any) -> str:
    """A DataCite-style CamelCase term in words: "IsSupplementTo" -> "is supplement to"."""
    if not isinstance(value, str):
        return ""
    return _CAMEL.sub(" ", value.strip()).lower()
