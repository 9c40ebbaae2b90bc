"""Plain text as XML wants it: no forbidden characters, and escaped for elements and attributes.

Django-free, so every layer can write XML with it (the DataCite and Dublin Core formats in
:mod:`publishing.formats`, the OAI-PMH envelope, the sitemaps, the metalink file lists).
"""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = re.compile(r"[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text without the characters XML 1.0 forbids (control characters etc.)."""
    text = "" if value is None else str(value)
    return XML_FORBIDDEN.sub("", text)


def escape(value: object) -> str:
    """``value`` as XML character data or attribute value (in double quotes).

    The characters XML forbids are dropped; ``&``, ``<``, ``>`` and ``"`` become references.
    ``None`` is the empty string.
    """
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not _ESCAPE.search(text):
        return text
    text = xml_text(text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
