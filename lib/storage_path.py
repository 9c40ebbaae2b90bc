"""A file's path in the storage system (``PORTAL_TAPE_PATH``): checked once, filled per file.

On the ground floor (no Django state): ``portal/settings.py`` validates the pattern with
:func:`parse_storage_path` and the tape app fills it with :func:`storage_path`. The pattern is an
absolute path with the placeholders of the download URL pattern (``lib/download_url.py``), not
percent-encoded (the Tape REST API takes paths as they are)::

    /pnfs/site/public/{source_folder}/{path}

``{path}`` (required) is the file's path inside its dataset, ``{source_folder}`` the dataset's
public source folder without its leading ``/``, ``{pid}`` its PID. A value with a ``.`` or ``..``
segment, a backslash or a control character gives no path: nothing outside the public tree is
ever asked about.
"""

from __future__ import annotations

import re
import string

PLACEHOLDERS = frozenset({"path", "source_folder", "pid"})
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


class StoragePathError(ValueError):
    """The pattern is not usable; the message says why."""


def parse_storage_path(value: str) -> str:
    """``value`` when it is a usable pattern ("" when unset), else StoragePathError."""
    value = value.strip()
    if not value:
        return ""
    try:
        fields = [
            (name, spec, conv)
            for _, name, spec, conv in string.Formatter().parse(value)
            if name is not None
        ]
    except ValueError as exc:
        raise StoragePathError(f"unbalanced braces in {value!r} ({exc})") from None
    names = {name for name, _, _ in fields}
    if unknown := sorted(names - PLACEHOLDERS):
        raise StoragePathError(
            f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
            f"use {', '.join('{' + n + '}' for n in sorted(PLACEHOLDERS))}"
        )
    if any(spec or conv for _, spec, conv in fields):
        raise StoragePathError("placeholders take no format spec or conversion (write {path})")
    if "path" not in names:
        raise StoragePathError("the pattern must contain {path}")
    if not value.startswith("/"):
        raise StoragePathError(
            f"expected an absolute path such as /pnfs/site/{{path}}, got {value!r}"
        )
    return value


def _clean(value: str) -> str | None:
    if _UNSAFE.search(value):
        return None
    segments = [s for s in value.strip("/").split("/") if s]
    if not segments or any(s in {".", ".."} for s in segments):
        return None
    return "/".join(segments)


def storage_path(pattern: str, *, path: str, source_folder: str, pid: str) -> str:
    """The file's path in the storage, or "" when the pattern is off or a value is unsafe."""
    if not pattern:
        return ""
    file_part = _clean(path)
    if file_part is None:
        return ""
    folder = ""
    if "{source_folder}" in pattern:
        cleaned = _clean(source_folder)
        if cleaned is None:
            return ""
        folder = cleaned
    if "{pid}" in pattern and _clean(pid) is None:
        return ""
    return pattern.format(path=file_part, source_folder=folder, pid=pid)
