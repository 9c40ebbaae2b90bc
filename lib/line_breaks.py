"""Where long identifiers may break across lines: after their ``/`` and ``-``, never inside a part.

A PID such as ``20.500.12269/cb2f2cf8-3b59-4592-a383-706c2c91cf4e`` would otherwise break
anywhere (``overflow-wrap: anywhere``) or nowhere (browsers do not break after a hyphen that
precedes a digit). :func:`breakable_html` escapes the text and puts a ``<wbr>`` after each
separator, so a narrow column shows whole parts on each line.
"""

from __future__ import annotations

import html
import re

_SEPARATOR = re.compile(r"([/\-_.:])(?=.)")


def breakable_html(text: str, *, separators: str = "/-") -> str:
    """``text`` escaped for HTML with ``<wbr>`` after each of ``separators`` (not at the end)."""
    escaped = html.escape(text, quote=False)
    allowed = set(separators)
    return _SEPARATOR.sub(
        lambda m: m.group(1) + "<wbr>" if m.group(1) in allowed else m.group(1), escaped
    )
