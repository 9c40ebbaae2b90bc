"""What a visitor meets, in chromium with axe (issue #14): the "Get the data" box in each state,
the browse pages and the feeds, in the light and the dark colour scheme. Screenshots go to
/tmp/visitor-states-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import feedparser
import pytest

from tests.browser import PageWatch, chromium
from tests.factories import (
    DataFileFactory,
    DatasetFactory,
    InstrumentFactory,
    ProposalFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def states(transactional_db: None, settings: Any) -> dict[str, str]:
    """One dataset per state; made before the browser starts."""
    settings.PORTAL_DOWNLOAD_URL = "https://dcache.example.org/pnfs/public/{source_folder}/{path}"
    settings.PORTAL_DATA_CONTACT = "mailto:data@facility.example"
    p08 = InstrumentFactory.create(unique_name="P08", name="High resolution", facility="PETRA III")
    proposal = ProposalFactory.create(proposal_id="11019634", pi_name="Franklin, Rosalind")
    xrr = TechniqueFactory.create(pid="PaNET01188", name="x-ray reflectivity")
    made = {}
    for key, location, files in (
        ("online", "disk", 2),
        ("tape", "tape", 2),
        ("no-files", "disk", 0),
    ):
        dataset = DatasetFactory.create(
            title=f"Dataset {key}",
            data_location=location,
            number_of_files=files,
            instrument=p08,
            proposal=proposal,
        )
        dataset.techniques.add(xrr)
        for _ in range(files):
            DataFileFactory.create(dataset=dataset)
        made[key] = dataset.pid
    return made


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with chromium(monkeypatch) as launched:
        yield launched


def test_data_box_states_browse_pages_and_feeds(
    states: dict[str, str], live_server: Any, browser: Any
) -> None:
    base = live_server.url
    serious: dict[str, list[str]] = {}
    problems: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch = PageWatch(page, f"visitor-states-{scheme}")
        for key, pid in states.items():
            page.goto(f"{base}/datasets/{pid}")
            box = page.locator("#access")
            assert box.locator(f".access-{key}").count() == 1, key
            text = box.inner_text()
            assert "right away" not in text
            if key == "no-files":
                assert "nothing to download" in text
            else:
                assert "Ask the data management team" in text or key == "online"
            watch.check(f"dataset-{key}")
        for path in ("/instruments/", "/proposals/", "/techniques/", "/for-machines/"):
            page.goto(f"{base}{path}")
            assert page.locator("table, .prose").count() >= 1, path
            watch.check(path.strip("/"))
        page.goto(f"{base}/instruments/")
        page.get_by_role("link", name="3 datasets of P08").click()
        page.wait_for_url("**/datasets/?instrument=P08")
        assert page.locator("#results").get_attribute("data-total") == "3"
        watch.check("instrument-search")
        serious.update(watch.serious)
        problems += watch.errors + watch.csp
        context.close()
    assert serious == {}
    assert problems == []

    # The feeds, as a feed reader fetches them.
    context = browser.new_context()
    for path in ("/feeds/datasets.atom", "/feeds/publications.atom", "/feeds/search.atom?q=P08"):
        response = context.request.get(f"{base}{path}")
        assert response.ok, path
        parsed = feedparser.parse(response.body())
        assert not parsed.bozo, path
    assert (
        len(feedparser.parse(context.request.get(f"{base}/feeds/datasets.atom").body()).entries)
        == 3
    )
    context.close()
