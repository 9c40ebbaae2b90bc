"""The statistics page's charts: matplotlib figures written as SVG that a strict CSP accepts.

Why matplotlib's SVG backend and not Vega-Lite through vl-convert-python: matplotlib is a plain
Python wheel the portal can pin like any other dependency, draws the same bytes for the same
numbers (``svg.hashsalt``, no date) and needs no JavaScript engine in the web process, whereas
vl-convert embeds a Deno/V8 runtime (a 100 MB wheel) to run Vega's JavaScript on every drawing.
Either way drawing costs tens to hundreds of milliseconds, so a chart is drawn once per set of
numbers and kept in Django's cache (keyed by a digest of the numbers; ``charts_warm`` draws the
unfiltered page's and each facility's charts after each refresh). The page never waits for a
drawing: a chart not drawn yet is an ``<img>`` of ``/statistics/<key>.svg`` (drawn when the
browser asks for it), and the page shows it inline once it is in the cache (``is_drawn``).

matplotlib writes ``style="fill: #fff"`` attributes and a ``<style>`` element, which the portal's
Content-Security-Policy (``style-src 'self'``, no ``'unsafe-inline'``) refuses in a page; they are
rewritten here into SVG presentation attributes (``fill="#fff"``), which CSP does not govern. Ids
are prefixed per chart so that several charts can share a page.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, override

from stats.selectors import (
    Filters,
    Openness,
    Places,
    Ranked,
    Totals,
    choices,
    openness,
    per_beamline,
    per_place,
)
from stats.selectors import per_year as per_year_rows

VERSION = 2  # bump when the drawing changes: the cache keys change with it
CACHE_SECONDS = 7 * 24 * 3600
COLOURS = {"datasets": "#1f5f8b", "size": "#2e7d4f", "files": "#7a4e9c"}
PLACE_COLOURS = {"disk": "#1f5f8b", "tape": "#b0522d", "unknown": "#767676"}
TB = 1e12

# Presentation attributes matplotlib's styles may be rewritten into (SVG 1.1, section 6.4).
_PRESENTATION = {
    "clip-path",
    "fill",
    "fill-opacity",
    "fill-rule",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
}
_STYLE = re.compile(r' style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r"(url\(#|xlink:href=\"#|href=\"#)([^)\"]+)")


class UnsafeStyle(ValueError):
    """A style property with no presentation attribute: the chart would need inline CSS."""


def _attributes(match: re.Match[str]) -> str:
    out = []
    for declaration in match.group(1).split(";"):
        if not declaration.strip():
            continue
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name not in _PRESENTATION:
            raise UnsafeStyle(f"style property {name!r} has no SVG presentation attribute")
        out.append(f' {name}="{value}"')
    return "".join(out)


def csp_safe_svg(svg: str, *, prefix: str, label_id: str) -> str:
    """matplotlib's SVG document as an element for an HTML page: no style, unique ids, labelled."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<defs>\s*</defs>\s*", "", svg)
    svg = _STYLE.sub(_attributes, svg)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    root_end = svg.index(">")
    root = svg[:root_end]
    root = re.sub(r' (width|height|version)="[^"]*"', "", root)
    root = root.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    root += (
        f' class="chart" role="img" aria-labelledby="{label_id}"'
        ' stroke-linejoin="round" stroke-linecap="butt"'
    )
    svg = root + svg[root_end:]
    return svg.replace("xlink:href=", "href=").strip()


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "portal-statistics",
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    # Margins set by hand: matplotlib's constrained or tight layout doubles the drawing time.
    return Figure(figsize=(width, height))


def _margins(figure: Any, *, labels: Sequence[str] = (), legend: bool = False) -> None:
    """Room on the left for the longest label (about 0.075 in a character at 9 pt)."""
    width, height = figure.get_size_inches()
    longest = max((len(label) for label in labels), default=6)
    left = min(0.45, (0.075 * longest + 0.35) / width)
    figure.subplots_adjust(
        left=left,
        right=0.98,
        top=1 - (0.75 if legend else 0.4) / height,
        bottom=min(0.4, 0.75 / height),
        wspace=0.12,
        hspace=0.45,
    )


def _svg(figure: Any, *, prefix: str, label_id: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return csp_safe_svg(buffer.getvalue(), prefix=prefix, label_id=label_id)


def _key(kind: str, numbers: Any) -> str:
    """The cache key of a chart: its numbers and the language of its labels."""
    stamp = repr((VERSION, kind, numbers, get_language()))
    return "stats-chart:" + hashlib.sha256(stamp.encode()).hexdigest()


def is_drawn(kind: str, numbers: Sequence[Any]) -> bool:
    """Whether the chart of these numbers is in the cache (the page then shows it inline)."""
    return bool(cache.has_key(_key(kind, list(numbers))))


def _cached(kind: str, numbers: Any, draw: Callable[[], str]) -> SafeString:
    key = _key(kind, numbers)
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.set(key, svg, CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308  # drawn here from numbers and escaped labels


def _escape_label(text: str) -> str:
    # matplotlib escapes XML itself; "$" would start its math mode.
    return text.replace("$", r"\$")


def totals_chart(rows: Sequence[Totals], *, kind: str) -> SafeString:
    """Three panels (datasets, volume in TB, files), one bar per row: beamlines or years."""
    horizontal = kind == "beamlines"

    def draw() -> str:
        count = len(rows)
        labels = [_escape_label(r.label) for r in rows]
        if horizontal:
            figure = _figure(9, max(1.6, 0.28 * count + 0.9))
            axes = figure.subplots(1, 3, sharey=True)
        else:
            figure = _figure(9, 5.4)
            axes = figure.subplots(3, 1, sharex=True)
        panels = [
            ("datasets", gettext("Datasets"), [r.datasets for r in rows]),
            ("size", gettext("Volume (TB)"), [r.size / TB for r in rows]),
            ("files", gettext("Files"), [r.files for r in rows]),
        ]
        positions = list(range(count))
        for ax, (key, title, values) in zip(axes, panels, strict=True):
            if horizontal:
                ax.barh(positions, values, color=COLOURS[key])
                ax.set_yticks(positions, labels)
                ax.invert_yaxis()
            else:
                ax.bar(positions, values, color=COLOURS[key])
                ax.set_xticks(positions, labels, rotation=45 if count > 12 else 0, ha="right")
            ax.set_title(title)
            if key != "size":
                (ax.xaxis if horizontal else ax.yaxis).get_major_locator().set_params(integer=True)
        _margins(figure, labels=labels if horizontal else ())
        return _svg(figure, prefix=f"chart-{kind}", label_id=f"{kind}-heading")

    return _cached(kind, list(rows), draw)


def places_chart(rows: Sequence[Places]) -> SafeString:
    """Per beamline, its volume on disk, on tape and unknown, as stacked bars (TB)."""

    def draw() -> str:
        figure = _figure(9, max(1.6, 0.28 * len(rows) + 1.2))
        ax = figure.subplots()
        positions = list(range(len(rows)))
        left = [0.0] * len(rows)
        for place, title in (
            ("disk", gettext("On disk")),
            ("tape", gettext("On tape")),
            ("unknown", gettext("Unknown")),
        ):
            values = [getattr(r, f"{place}_size") / TB for r in rows]
            ax.barh(positions, values, left=left, color=PLACE_COLOURS[place], label=title)
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(positions, [_escape_label(r.label) for r in rows])
        ax.invert_yaxis()
        ax.set_xlabel(gettext("Volume (TB)"))
        figure.legend(loc="upper center", ncols=3, frameon=False)
        _margins(figure, labels=[r.label for r in rows], legend=True)
        return _svg(figure, prefix="chart-places", label_id="places-heading")

    return _cached("places", list(rows), draw)


def openness_chart(rows: Sequence[Openness]) -> SafeString:
    """Public datasets and DOIs, running totals by year (two scales: DOIs are far fewer)."""

    def draw() -> str:
        figure = _figure(9, 3.4)
        ax = figure.subplots()
        years = [r.year for r in rows]
        ax.plot(years, [r.datasets_total for r in rows], marker="o", color=COLOURS["datasets"])
        ax.set_ylabel(gettext("Public datasets"), color=COLOURS["datasets"])
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        right.plot(years, [r.dois_total for r in rows], marker="s", color=COLOURS["files"])
        right.set_ylabel(gettext("DOIs"), color=COLOURS["files"])
        ax.set_xlabel(gettext("Year"))
        ax.xaxis.get_major_locator().set_params(integer=True)
        _margins(figure)
        figure.subplots_adjust(left=0.08, right=0.92)
        return _svg(figure, prefix="chart-openness", label_id="openness-heading")

    return _cached("openness", list(rows), draw)


def ranking_chart(rows: Sequence[Ranked], *, kind: str, label: str) -> SafeString:
    """The most used datasets, unique counts as horizontal bars, labelled by pid's end."""

    def draw() -> str:
        names = [_escape_label(_short(r.title)) for r in rows]
        figure = _figure(9, max(1.6, 0.28 * len(rows) + 0.9))
        ax = figure.subplots()
        positions = list(range(len(rows)))
        ax.barh(positions, [r.unique for r in rows], color=COLOURS["datasets"])
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_xlabel(label)
        ax.xaxis.get_major_locator().set_params(integer=True)
        _margins(figure, labels=names)
        return _svg(figure, prefix=f"chart-{kind}", label_id=f"{kind}-heading")

    return _cached(kind, list(rows), draw)


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def charts_warm(filters: Filters | None = None) -> None:
    """Draw the charts of a page into the cache: the given filters', or else the unfiltered
    page's and each facility's (the pages most visited after a sync), in every language."""
    if filters is None:
        for language, _name in settings.LANGUAGES:
            with override(language):
                charts_warm(Filters())
                for facility in choices().facilities:
                    charts_warm(Filters(facility=facility))
        return
    for rows, kind in ((per_beamline(filters), "beamlines"), (per_year_rows(filters), "years")):
        if rows:
            totals_chart(rows, kind=kind)
    if places := per_place(filters):
        places_chart(places)
    if opened := openness(filters):
        openness_chart(opened)
