"""The statistics page in a real browser: charts drawn, no CSP violation, nothing serious (axe)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import PageWatch, desktop_page
from tests.stats.figures_catalogue import catalogue_make


@pytest.fixture
def figures(transactional_db: None) -> None:
    """Made before the browser starts (see tests/catalogue/test_browser_walk.py)."""
    catalogue_make()


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with desktop_page(monkeypatch) as page:
        yield page


@pytest.mark.browser
def test_visitor_reads_and_filters_the_statistics(
    figures: None, live_server: Any, browser_page: Any
) -> None:
    page = browser_page
    watch = PageWatch(page, "portal-statistics")
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    page.wait_for_url("**/statistics/")
    # First visit: the charts not drawn yet are images the browser fetches (and they load).
    images = page.locator("img.chart-image")
    assert images.count() == 6
    page.wait_for_load_state("load")
    assert images.evaluate_all("all => all.every(i => i.complete && i.naturalWidth > 0)")
    watch.check("charts-as-images")
    # Drawn now: the page shows them inline.
    page.reload()
    assert page.locator("svg.chart").count() == 6
    assert page.locator("img.chart-image").count() == 0
    # The SVG is drawn with its colours: presentation attributes, not refused inline styles.
    bar = page.locator("#chart-beamlines-axes_1 path[fill='#1f5f8b']").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(31, 95, 139)"
    chart = page.get_by_role("img", name="Datasets, volume and files per beamline")
    assert chart.count() == 1
    watch.check("page")

    page.select_option("#id_facility", "ESRF")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/statistics/?facility=ESRF**")
    assert page.locator("#beamlines-heading ~ .table-scroll tbody tr").count() == 1
    watch.check("filtered")

    page.fill("#id_year_from", "2030")
    page.fill("#id_year_to", "2020")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(".message-error")
    watch.check("bad-filters")

    assert watch.errors == [p for p in watch.errors if "400" in p]
    assert watch.csp == []
    assert watch.serious == {}
