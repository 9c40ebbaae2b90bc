"""/api/docs/ in a real browser: Swagger UI from local files draws every endpoint under the
portal's strict Content-Security-Policy, and "Try it out" reaches the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import PageWatch, desktop_page
from tests.factories import DatasetFactory


@pytest.fixture
def catalogue(transactional_db: None) -> None:
    """Made before the browser starts (see tests/catalogue/test_browser_walk.py)."""
    DatasetFactory.create(title="Reflectivity seen through the API docs")


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with desktop_page(monkeypatch) as page:
        yield page


@pytest.mark.browser
def test_the_docs_page_draws_every_endpoint_and_tries_one(
    catalogue: None, live_server: Any, browser_page: Any
) -> None:
    page = browser_page
    page.set_default_timeout(60_000)  # Swagger UI's bundle is 1.5 MB, on a shared machine
    watch = PageWatch(page, "portal-api-docs")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == 7
    page.locator(".opblock-summary-path", has_text="/api/v1/datasets").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table .response-col_status")
    # Swagger UI fills every parameter with its example: a search nothing matches, answered.
    answer = page.locator(".live-responses-table").inner_text()
    assert "\n200\t" in answer
    assert '"count": 0' in answer
    page.wait_for_load_state("networkidle")
    watch.csp.extend(page.evaluate("window.__cspViolations || []"))
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert watch.errors == []
    assert watch.csp == []
