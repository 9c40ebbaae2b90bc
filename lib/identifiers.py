"""Identifiers visitors put in a URL (DOIs, PIDs): whether one may be looked up at all.

No record has control characters in its identifier (PostgreSQL refuses NUL in a query) or one
longer than :data:`MAX_IDENTIFIER`: such a value is answered "not found" without asking.
"""

from __future__ import annotations

import re

MAX_IDENTIFIER = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def lookable(identifier: str) -> bool:
    """Whether ``identifier`` may be looked up: no control characters, no absurd length."""
    return len(identifier) <= MAX_IDENTIFIER and not _CONTROL.search(identifier)
