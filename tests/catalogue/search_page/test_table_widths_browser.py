"""The catalogue table at the widths visitors use: 1280 and 1920 px desktops and a 390 px phone.

At 1280 px and wider all nine columns are in view without scrolling (the table is no wider than
its box, nor the page than the window); the Name links to the dataset; a PID breaks only after its
``/`` and ``-``; on the phone each row is a card and nothing scrolls sideways, also with the
values that active conditions matched under each name. Screenshots go to /tmp/table-widths-*.png.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import PageWatch, chromium
from tests.catalogue.search_page.conftest import with_parameters
from tests.factories import DatasetFactory, ProposalFactory, ThumbnailFactory

pytestmark = pytest.mark.browser

PID = "20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988"
WIDTHS = {"desktop-1280": (1280, 800), "desktop-1920": (1920, 1080), "phone-390": (390, 844)}


@pytest.fixture
def long_rows(transactional_db: None) -> None:
    """Rows as long as real ones: UUID PIDs, deep source folders, long titles, thumbnails."""
    proposal = ProposalFactory.create(proposal_id="I-20240123-EC")
    for n in range(12):
        dataset = DatasetFactory.create(
            pid=PID if n == 11 else f"20.500.12269/{n:08x}-2cf9-4b99-8a24-efef7eefb{n:03d}",
            title=f"Grazing-incidence small-angle scattering of lipid monolayers, series {n}",
            source_folder=f"/asap3/petra3/gpfs/p08/2024/data/11019634/raw/sample_{n:03d}_run",
            start_time=dt.datetime(2024, 3, 5, 14, 22, tzinfo=dt.UTC),
            type="derived" if n % 2 else "raw",
            size=123_456_789_012,
            proposal=proposal,
        )
        ThumbnailFactory.create(dataset=dataset)
        with_parameters(
            dataset,
            {
                "incident_photon_energy_of_the_monochromator": {"value": 15 + n, "unit": "keV"},
                "sample_temperature": {"value": 40, "unit": "degC"},
            },
        )


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with chromium(monkeypatch) as launched:
        yield launched


def _overflow(page: Any) -> dict[str, int]:
    return dict(
        page.evaluate(
            """() => {
              const box = document.querySelector('.table-scroll');
              return {table: box.scrollWidth - box.clientWidth,
                      page: document.documentElement.scrollWidth - window.innerWidth};
            }"""
        )
    )


def test_nine_columns_fit_at_desktop_widths_and_rows_become_cards_on_a_phone(
    long_rows: None, live_server: Any, browser: Any
) -> None:
    serious: dict[str, list[str]] = {}
    problems: list[str] = []
    for name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        # The thumbnails name files that are not there (the rows only link them).
        watch = PageWatch(page, "table-widths", expected_console=("status of 404",))
        page.goto(f"{live_server.url}/datasets/?per_page=10")
        watch.check(name)
        assert _overflow(page) == {"table": 0, "page": 0}, name
        assert page.locator("table.datasets thead th").count() == 9
        # The Name is a link to the dataset's page.
        first = page.locator("table.datasets tbody tr").first
        assert first.locator("td.cell-title a").get_attribute("href") == first.locator(
            "th.cell-pid a"
        ).get_attribute("href")
        # Paging is there (12 rows, 10 a page).
        assert page.get_by_role("navigation", name="Pages of datasets").is_visible()
        if width >= 1280:
            # Every column's heading is inside the window.
            right = page.evaluate(
                "Math.max(...[...document.querySelectorAll('table.datasets thead th')]"
                ".map(th => th.getBoundingClientRect().right))"
            )
            assert right <= width, name
            # A PID breaks only at its separators: each line of it is a whole part.
            pid_cell = page.locator("th.cell-pid a", has_text="7e562979").first
            assert "<wbr>" in pid_cell.inner_html()
        else:
            # A card: the title spans the card, and labels name the cells.
            display = page.evaluate(
                "getComputedStyle(document.querySelector('table.datasets tbody tr')).display"
            )
            assert display == "grid"
            assert "Proposal ID" in page.evaluate(
                "getComputedStyle(document.querySelector('td.cell-proposal'), '::before').content"
            )
        # With conditions, each row also shows the values they matched, and still fits.
        page.goto(
            f"{live_server.url}/datasets/?per_page=10"
            "&sm=incident_photon_energy_of_the_monochromator+>+10+keV&sm=sample_temperature+>+0+K"
        )
        watch.check(f"{name} with conditions")
        assert page.locator("table.datasets p.matched").count() == 20, name
        assert _overflow(page) == {"table": 0, "page": 0}, f"{name} with conditions"
        page.screenshot(path=f"/tmp/table-widths-{name}-matched.png", full_page=False)
        serious.update(watch.serious)
        problems += watch.errors + watch.csp
        context.close()
    assert serious == {}
    assert problems == []
