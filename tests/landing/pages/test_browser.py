"""The landing pages in Debian's chromium (Playwright): axe, htmx swaps, no CSP violation.

Screenshots (desktop and a 390 px phone) go to /tmp/landing-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalogue.models import DataFile
from tests.browser import PageWatch, desktop_page
from tests.landing.pages.conftest import Landing, make_landing
from tests.landing.pages.test_pages import make_files


@pytest.fixture
def records(transactional_db: None, settings: Any) -> Landing:
    """Made before the browser starts (Playwright runs an event loop in this thread)."""
    settings.PORTAL_DOWNLOAD_URL = (
        "https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}"
    )
    landing = make_landing()
    make_files(landing.datasets[0], 250)
    paths = DataFile.objects.filter(dataset=landing.datasets[0]).order_by("path", "id")
    landing.second_page_first_path = paths.values_list("path", flat=True)[100]  # type: ignore[attr-defined]
    return landing


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with desktop_page(monkeypatch, permissions=("clipboard-read", "clipboard-write")) as tab:
        yield tab


@pytest.mark.browser
def test_reader_cites_opens_files_and_pages_through_them(
    records: Landing, live_server: Any, page: Any
) -> None:
    base = live_server.url
    watch = PageWatch(page, "landing")
    check = watch.check

    # The publication: title, DOI with a copy button, citation in APA.
    page.goto(f"{base}{records.url}")
    assert "Compiled X-ray reflectivity" in page.locator("h1").inner_text()
    copy = page.locator(".identifier-box .copy-button")
    assert copy.is_visible()
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == "https://doi.org/10.5072/landing-0001"
    check("publication")

    # Another citation style comes in by htmx, in place.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("navigation", name="Citation style").get_by_role("link", name="IEEE").click()
    page.wait_for_selector('#citation-text[data-style="ieee"]')
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("#citation-text").inner_text().startswith("[1]") is False
    assert "Franklin" in page.locator("#citation-text").inner_text()

    # A dataset card's files load when opened.
    first = records.datasets[0]
    page.locator(f"#files-slot-{first.pk}").locator("xpath=..").locator("summary").click()
    page.wait_for_selector(f"#files-{first.pk} tbody tr")
    assert page.locator(f"#files-{first.pk} tbody tr").count() == 25
    assert page.evaluate("window.__sameDocument") is True
    check("publication-files")

    # The dataset's own page: files paged by htmx.
    page.goto(f"{base}/datasets/{first.pid}")
    page.evaluate("window.__sameDocument = true")
    assert page.locator("section#files tbody tr").count() == 100
    check("dataset")
    page.get_by_role("navigation", name="Pages of files").get_by_role("link", name="Next").click()
    expected = records.second_page_first_path  # type: ignore[attr-defined]
    page.wait_for_selector(f"section#files tbody tr:first-child th:has-text('{expected}')")
    assert page.evaluate("window.__sameDocument") is True
    page.wait_for_selector(f"#files-heading-{first.pk}:focus")

    # A phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [("publication", records.url), ("dataset", f"/datasets/{first.pid}")]:
        page.goto(f"{base}{path}")
        check(f"mobile-{name}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is wider than the phone by {overflow}px"

    assert watch.serious == {}
    assert watch.csp == []
    assert watch.errors == []
