"""The public download URL pattern (``PORTAL_DOWNLOAD_URL``): checked once, filled per file.

On the ground floor (no Django state): ``portal/settings.py`` validates the pattern with
:func:`parse_pattern` at start-up, and :mod:`landing.downloads` fills it with :func:`fill`.

A pattern is an http(s) URL with placeholders in braces, for example a dCache WebDAV door::

    https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}

Placeholders (every value is percent-encoded; ``/`` is kept between path segments):

``{path}``           the file's path inside the dataset (required)
``{source_folder}``  the dataset's *public* source folder (after ``PORTAL_SOURCE_FOLDER_REWRITE``),
                     without its leading ``/``; a dataset whose folder is hidden has no links
``{pid}``            the dataset's PID, ``/`` kept (``20.500.12269/7e56...``)
``{pid_encoded}``    the dataset's PID as one segment (``20.500.12269%2F7e56...``)

A path or folder with a ``.`` or ``..`` segment, a backslash or a control character gets no link:
a download link must never point outside the public tree.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urlsplit

PLACEHOLDERS = frozenset({"path", "source_folder", "pid", "pid_encoded"})
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


class PatternError(ValueError):
    """The pattern is not usable; the message says why."""


def parse_pattern(value: str) -> str:
    """``value`` when it is a usable pattern ("" switches download links off), else PatternError."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = [
            (name, spec, conv)
            for _, name, spec, conv in string.Formatter().parse(value)
            if name is not None
        ]
    except ValueError as exc:
        raise PatternError(f"unbalanced braces in {value!r} ({exc})") from None
    fields = {name for name, _, _ in parsed}
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        raise PatternError(
            f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
            f"use {', '.join('{' + n + '}' for n in sorted(PLACEHOLDERS))}"
        )
    if any(spec or conv for _, spec, conv in parsed):
        raise PatternError("placeholders take no format spec or conversion (write {path})")
    if "path" not in fields:
        raise PatternError("the pattern must contain {path}")
    # Everything up to the first placeholder: the scheme, the host and the start of the path.
    prefix = urlsplit(value.split("{", 1)[0])
    if prefix.scheme not in {"http", "https"} or not prefix.hostname or not prefix.path:
        raise PatternError(
            f"expected an http:// or https:// URL with the placeholders in its path, got {value!r}"
        )
    return value


def _segments(value: str) -> str | None:
    """``value`` as percent-encoded path segments, or None when it could leave its directory."""
    if _UNSAFE.search(value):
        return None
    segments = [s for s in value.strip("/").split("/") if s]
    if not segments or any(s in {".", ".."} for s in segments):
        return None
    return "/".join(quote(s, safe="") for s in segments)


def fill(pattern: str, *, path: str, source_folder: str, pid: str) -> str:
    """The URL of one file, or "" when the pattern is off or the values cannot be used safely."""
    if not pattern:
        return ""
    values: dict[str, str] = {}
    file_part = _segments(path)
    if file_part is None:
        return ""
    values["path"] = file_part
    if "{source_folder}" in pattern:
        folder = _segments(source_folder)
        if folder is None:
            return ""
        values["source_folder"] = folder
    else:
        values["source_folder"] = ""
    values["pid"] = quote(pid, safe="/")
    values["pid_encoded"] = quote(pid, safe="")
    return pattern.format(**values)
