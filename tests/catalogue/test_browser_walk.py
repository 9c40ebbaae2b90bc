"""What a visitor sees in a real browser: Debian's chromium driven by Playwright.

One walk through the portal on the demo catalogue: home, the dataset table (sort, items per page,
next page, all swapped in by htmx with the URL kept in sync), a dataset's page. Along the way:
no console errors, no Content-Security-Policy violations, and no serious or critical axe findings.
Screenshots of each page (desktop and a 390 px phone) go to /tmp/portal-browser-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from sync.services import export_import
from tests.browser import PageWatch, desktop_page
from tests.demo import DEMO_EXPORT, DEMO_PID
from tests.factories import DatasetFactory


@pytest.fixture
def catalogue(transactional_db: None) -> None:
    """The demo catalogue and 30 more datasets (three pages of ten), made before the browser starts.

    Playwright's sync API runs an event loop in this thread; ORM calls made while it runs would get
    a connection of their own that outlives the test.
    """
    export_import(path=DEMO_EXPORT)
    DatasetFactory.create_batch(30)


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with desktop_page(monkeypatch) as page:
        yield page


@pytest.mark.browser
def test_visitor_browses_sorts_pages_and_opens_a_dataset(
    catalogue: None, live_server: Any, browser_page: Any
) -> None:
    page = browser_page
    base = live_server.url
    watch = PageWatch(page, "portal-browser")
    check = watch.check

    # Home: counts and the search box.
    page.goto(f"{base}/")
    assert page.locator("h1").inner_text()
    assert page.get_by_role("search").count() == 1
    check("home")

    # The dataset table.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Datasets").click()
    page.wait_for_url(re.compile(r"/datasets/$"))
    results = page.locator("#results")
    assert results.get_attribute("data-total") == "35"
    check("datasets")

    # htmx swaps the table only: a marker on the window survives, the URL follows.
    page.evaluate("window.__sameDocument = true")
    page.locator("th.col-size a").click()
    page.wait_for_url(re.compile(r"sort=-size"))
    page.wait_for_selector('th.col-size[aria-sort="descending"]')
    assert page.evaluate("window.__sameDocument") is True
    sizes = page.locator("table.datasets tbody td.cell-num").all_inner_texts()
    assert sizes[0] == "734 MB"  # the largest demo dataset first

    page.select_option("#per_page", "10")
    page.wait_for_url(re.compile(r"per_page=10"))
    page.wait_for_function(
        "() => document.querySelectorAll('table.datasets tbody tr').length === 10"
    )
    assert "1 \N{EN DASH} 10" in page.locator("#results-summary").inner_text()

    page.get_by_role("navigation", name="Pages of datasets").get_by_role(
        "link", name="Next"
    ).click()
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "() => document.getElementById('results-summary').innerText.includes('11 \N{EN DASH} 20')"
    )
    assert page.evaluate("window.__sameDocument") is True
    assert "sort=-size" in page.url
    assert "per_page=10" in page.url
    check("datasets-page-2")

    # The back button brings the first page back.
    page.go_back()
    page.wait_for_function(
        "() => document.getElementById('results-summary').innerText.includes('1 \N{EN DASH} 10')"
    )

    # Filter by text, then open a dataset whose PID has a "/".
    page.fill("#q", "GIXOS tris")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=GIXOS"))
    page.wait_for_function("() => document.getElementById('results').dataset.total === '2'")
    page.get_by_role("link", name=DEMO_PID).click()
    page.wait_for_url(f"{base}/datasets/{DEMO_PID}")
    assert "DPPG" in page.locator("h1").inner_text()
    assert page.locator("section#files tbody tr").count() == 3
    assert page.locator(".thumbnail img").evaluate("img => img.naturalWidth") > 0
    check("dataset")

    # A phone-sized screen: the same pages, laid out for 390 px.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("home", "/"),
        ("datasets", "/datasets/?per_page=10"),
        ("dataset", f"/datasets/{DEMO_PID}"),
    ]:
        page.goto(f"{base}{path}")
        check(f"mobile-{name}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is wider than the phone screen by {overflow}px"

    assert watch.serious == {}
    assert watch.csp == []
    assert watch.errors == []
