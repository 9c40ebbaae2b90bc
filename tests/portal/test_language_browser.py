"""The language switch in Debian's chromium (Playwright): a visitor switches to German on the
home, search and dataset pages, nothing is wider than a 390 px phone with the longer German
words, axe finds nothing serious, and switching back gives English again.

Screenshots go to /tmp/language-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from catalogue.models import Dataset
from tests.browser import PageWatch, chromium
from tests.factories import DatasetFactory, InstrumentFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def dataset(transactional_db: None) -> Dataset:
    """Made before the browser starts (Playwright runs an event loop in this thread)."""
    instrument = InstrumentFactory.create(name="P08 High-resolution diffraction")
    DatasetFactory.create_batch(3, instrument=instrument, keywords=["filler"])
    return DatasetFactory.create(
        title="Temperaturabhängige Röntgenreflektivität einer Lipiddoppelschicht",
        instrument=instrument,
        size=1_834_221_000,
        number_of_files=12,
        keywords=["reflectivity"],
    )


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _switch(page: Any, language: str) -> None:
    page.get_by_role("form", name="Language" if language == "de" else "Sprache").get_by_role(
        "button", name="Deutsch" if language == "de" else "English"
    ).click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1366, 390])
def test_visitor_switches_to_german_and_back(
    dataset: Dataset, live_server: Any, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    with chromium(monkeypatch) as browser:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="en-GB", is_mobile=width < 500
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch = PageWatch(page, f"language-{width}")
        base = live_server.url
        pages = [
            ("home", "/", "Latest datasets", "Neueste Datensätze"),
            ("search", "/datasets/?q=reflectivity", "Filter results", "Ergebnisse filtern"),
            ("dataset", f"/datasets/{dataset.pid}", "About this dataset", "Über diesen Datensatz"),
        ]

        # English first (the browser says en-GB); the switcher takes the visitor to German on
        # the same page, and German stays on the next pages.
        page.goto(f"{base}/")
        assert page.locator("html").get_attribute("lang") == "en"
        _switch(page, "de")
        for name, path, english, german in pages:
            if page.url != f"{base}{path}":
                page.goto(f"{base}{path}")
            assert page.url == f"{base}{path}", "the switcher keeps the page"
            assert page.locator("html").get_attribute("lang") == "de"
            body = page.locator("body").inner_text()
            assert german in body, name
            assert english not in body, name
            assert _overflow(page) <= 0, f"{name} in German is wider than {width}px"
            watch.check(f"de-{name}")
        assert "1,8 GB" in page.locator("body").inner_text()

        # And back to English on the dataset page.
        _switch(page, "en")
        assert page.url == f"{base}{pages[-1][1]}"
        assert page.locator("html").get_attribute("lang") == "en"
        assert "About this dataset" in page.locator("body").inner_text()
        assert "1.8 GB" in page.locator("body").inner_text()
        watch.check("en-dataset")

        assert not watch.serious, watch.serious
        assert not watch.errors, watch.errors
        assert not watch.csp, watch.csp
        context.close()
