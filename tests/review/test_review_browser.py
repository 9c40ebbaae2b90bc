"""The reviewer's view in Debian's chromium: axe finds nothing serious, no CSP violation."""

from __future__ import annotations

from typing import Any

import pytest

from review.services import review_create
from tests.browser import PageWatch, desktop_page
from tests.publishing.support import BASE_URL
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import pid


@pytest.mark.browser
def test_a_reviewer_reads_the_embargoed_records(
    catalogue: SciCatStandIn,
    transactional_db: None,
    live_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    review, link = review_create(pids=[pid(1), pid(2)])  # committed at once: DOI registered
    doi = review.publication.doi
    with desktop_page(monkeypatch) as page:
        watch = PageWatch(page, "portal-review")
        page.goto(live_server.url + link.url.removeprefix(BASE_URL))
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Lipid monolayers at liquid interfaces"  # the proposal's
        assert page.get_by_role("heading", name="Reflectivity scan 2").count() == 1
        assert page.get_by_role("cell", name="scan_1/frame_000.h5").count() == 1
        watch.check("page")

        page.goto(f"{live_server.url}/doi/{doi}")
        assert "Data under embargo" in page.get_by_role("heading", level=1).inner_text()
        watch.check("holding")

    assert watch.errors == []
    assert watch.csp == []
    assert watch.serious == {}
