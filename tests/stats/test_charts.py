"""stats.charts: SVG a strict Content-Security-Policy accepts, with ids unique per chart."""

from __future__ import annotations

import re

import pytest

from stats.charts import UnsafeStyle, csp_safe_svg, totals_chart
from stats.selectors import Totals

MATPLOTLIB_LIKE = (
    '<?xml version="1.0"?>\n<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" '
    'height="5pt" viewBox="0 0 10 5" xmlns="http://www.w3.org/2000/svg" version="1.1">'
    "<metadata>x</metadata><defs><style>*{stroke-linecap: butt}</style></defs>"
    '<g id="a"><path clip-path="url(#c1)" style="fill: #fff; stroke-width: 0.8"/></g>'
    '<use xlink:href="#a"/></svg>'
)


def test_styles_become_presentation_attributes_and_ids_get_a_prefix() -> None:
    svg = csp_safe_svg(MATPLOTLIB_LIKE, prefix="chart-x", label_id="x-heading")
    assert "style" not in svg
    assert "<metadata" not in svg
    assert 'fill="#fff" stroke-width="0.8"' in svg
    assert 'id="chart-x-a"' in svg
    assert 'clip-path="url(#chart-x-c1)"' in svg
    assert 'href="#chart-x-a"' in svg
    assert 'role="img" aria-labelledby="x-heading"' in svg
    assert svg.startswith("<svg ")


def test_a_style_with_no_presentation_attribute_is_refused() -> None:
    with pytest.raises(UnsafeStyle):
        csp_safe_svg(
            MATPLOTLIB_LIKE.replace("fill: #fff", "mix-blend-mode: screen"),
            prefix="p",
            label_id="l",
        )


def test_a_drawn_chart_has_no_style_and_every_id_prefixed() -> None:
    rows = [Totals("P08 (PETRA III)", 3, 4 * 10**12, 40), Totals("$x & <y>", 1, 10, 1)]
    svg = str(totals_chart(rows, kind="beamlines"))
    assert "style" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids
    assert all(i.startswith("chart-beamlines-") for i in ids)
    assert len(ids) == len(set(ids))
    assert "&lt;y&gt;" in svg
