"""Content negotiation on the landing URL, as DOI content negotiation (crosscite) does it.

:func:`negotiate` reads ``Accept`` (with q-values and wildcards) and answers the record in the
best of the media types below, or returns None when the page itself (``text/html``) is wanted:
the page view then renders it and adds ``Vary: Accept`` (``patch_vary_headers``).
``text/x-bibliography`` takes ``style`` and ``locale`` as media-type parameters
(``text/x-bibliography; style=ieee; locale=de-DE``) or query parameters. Generic
``application/xml`` (or ``text/xml``) is the DataCite XML. No acceptable type: 406 with the list
of what there is. Every answer varies on ``Accept``.

A withdrawn record answers 410 in every format but HTML (its tombstone page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from landing.citation import CitationError, cite
from landing.exports import EXPORTS, ExportFormat, export_response, open_to_any_origin
from landing.records import LandingRecord

HTML = "text/html"
BIBLIOGRAPHY = "text/x-bibliography"
# The media types offered, in the server's order of preference (HTML first).
OFFERED: tuple[str, ...] = (
    HTML,
    "application/xhtml+xml",
    "application/vnd.datacite.datacite+xml",
    "application/vnd.datacite.datacite+json",
    "application/vnd.schemaorg.ld+json",
    "application/ld+json",
    "application/vnd.citationstyles.csl+json",
    "application/x-bibtex",
    "application/x-research-info-systems",
    BIBLIOGRAPHY,
    # Generic XML: the DataCite XML (last, so it never outranks a type asked for by name).
    "application/xml",
    "text/xml",
)
# Aliases win over a format's own type: generic XML is the DataCite XML, not the Dublin Core
# export whose file happens to be plain application/xml.
_BY_MEDIA_TYPE: dict[str, ExportFormat] = {
    **{f.media_type: f for f in EXPORTS.values() if f.media_type in OFFERED},
    **{a: f for f in EXPORTS.values() for a in f.aliases if a in OFFERED},
}
_HTML_TYPES = frozenset({HTML, "application/xhtml+xml"})
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
MAX_ACCEPT = 4096
MAX_RANGES = 64


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str  # "text", "*"
    subtype: str  # "html", "*"
    q: float
    params: dict[str, str] = field(default_factory=dict)
    order: int = 0

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact, 2 type/*, 1 */*, 0 not."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed ranges are skipped."""
    out = []
    for order, part in enumerate(header[:MAX_ACCEPT].split(",")[:MAX_RANGES]):
        pieces = [p.strip() for p in part.split(";")]
        kind, _, sub = pieces[0].lower().partition("/")
        if not _TOKEN.match(kind or "-") or not _TOKEN.match(sub or "-") or not kind or not sub:
            continue
        if kind == "*" and sub != "*":
            continue
        q = 1.0
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name:
                params[name] = value
        out.append(MediaRange(kind, sub, q, params, order))
    return out


def choose(ranges: list[MediaRange], offered: tuple[str, ...] = OFFERED) -> tuple[str, MediaRange]:
    """The best offered media type for ``ranges`` and the range that chose it; ("", ...) if none.

    Each offered type takes the q of the most specific range that matches it (RFC 9110 12.5.1);
    the highest q wins, then the more specific match, then the earlier range in the header, then
    the server's order.
    """
    best: tuple[float, int, int, int] | None = None
    chosen = ("", MediaRange("*", "*", 0.0))
    for rank, media_type in enumerate(offered):
        matching = [(r.matches(media_type), r) for r in ranges]
        matching = [(s, r) for s, r in matching if s]
        if not matching:
            continue
        specificity, media_range = max(matching, key=lambda m: (m[0], -m[1].order))
        if media_range.q <= 0:
            continue
        key = (media_range.q, specificity, -media_range.order, -rank)
        if best is None or key > best:
            best, chosen = key, (media_type, media_range)
    return chosen


def not_acceptable() -> HttpResponse:
    lines = ["406 Not Acceptable. This landing page is available as:", *OFFERED]
    response = HttpResponse(
        "\n".join(lines) + "\n", status=406, content_type="text/plain; charset=utf-8"
    )
    patch_vary_headers(response, ["Accept"])
    return response


def gone(record: LandingRecord) -> HttpResponse:
    return HttpResponse(
        f"410 Gone. {record.identifier} was withdrawn; its landing page says why: {record.url}\n",
        status=410,
        content_type="text/plain; charset=utf-8",
    )


def bibliography(record: LandingRecord, style: str | None, locale: str | None) -> HttpResponse:
    try:
        citation = cite(record, style, locale)
    except CitationError as exc:
        return HttpResponse(
            f"400 Bad Request: {exc}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(citation.text + "\n", content_type=f"{BIBLIOGRAPHY}; charset=utf-8")


def wants_html(request: HttpRequest) -> bool:
    """Whether :func:`negotiate` would leave ``request`` to the HTML page (no record needed)."""
    header = request.headers.get("Accept", "").strip()
    return not header or choose(parse_accept(header))[0] in _HTML_TYPES


def negotiate(request: HttpRequest, record: LandingRecord) -> HttpResponse | None:
    """The answer for a non-HTML ``Accept``, or None when the HTML page is wanted."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return None
    media_type, media_range = choose(parse_accept(header))
    if media_type in _HTML_TYPES:
        return None
    if not media_type:
        return not_acceptable()
    if record.withdrawn:
        response = gone(record)
    elif media_type == BIBLIOGRAPHY:
        response = bibliography(
            record,
            media_range.params.get("style") or request.GET.get("style"),
            media_range.params.get("locale") or request.GET.get("locale"),
        )
    else:
        response = export_response(record, _BY_MEDIA_TYPE[media_type], attachment=False)
        response["Content-Type"] = f"{media_type}; charset=utf-8"
    patch_vary_headers(response, ["Accept"])
    return open_to_any_origin(response)
