"""The search page in a real browser: Debian's chromium driven by Playwright, checked with axe.

A visitor types a query (results follow without a reload, the URL with them, focus stays in the
box), ticks a facet, builds a condition with the key autocomplete, adds and removes rows, removes a
chip, and goes back. The same searches then run with JavaScript switched off, and on a 390 px wide
phone screen. Screenshots go to /tmp/search-ui-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser import PageWatch, chromium
from tests.catalogue.search_page.conftest import make_catalogue
from tests.factories import DatasetFactory

pytestmark = pytest.mark.browser


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


@pytest.fixture
def live_catalogue(transactional_db: None) -> None:
    """Made before the browser starts (Playwright's event loop runs in this thread)."""
    make_catalogue()
    DatasetFactory.create_batch(30, keywords=["filler"])


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with chromium(monkeypatch) as launched:
        yield launched


def _watch(page: Any) -> PageWatch:
    page.set_default_timeout(10_000)
    # The browser logs the deliberate 400 of a refused query; anything else is a problem.
    return PageWatch(page, "search-ui", expected_console=("status of 400",))


def _total(page: Any) -> str:
    return str(page.locator("#results").get_attribute("data-total"))


def test_visitor_searches_filters_and_builds_conditions_with_htmx(
    live_catalogue: None, live_server: Any, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    watch = _watch(page)
    base = live_server.url

    page.goto(f"{base}/datasets/")
    assert _total(page) == "34"
    watch.check("start")
    page.evaluate("window.__sameDocument = true")

    # Typing updates the results after a pause, the URL follows, focus stays in the box.
    page.locator("#q").click()
    page.keyboard.type("lipid", delay=60)
    page.wait_for_url(re.compile(r"\?q=lipid$"))
    page.wait_for_function("() => document.getElementById('results').dataset.total === '2'")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.evaluate("window.__sameDocument") is True
    page.wait_for_function(
        "() => document.getElementById('search-status').textContent.includes('of 2 datasets')"
    )

    # Ticking a facet.
    page.get_by_role("group", name="Data location").get_by_label(
        re.compile(r"^Archived on tape")
    ).check()
    page.wait_for_url(re.compile(r"location=tape"))
    page.wait_for_function("() => document.getElementById('results').dataset.total === '1'")
    assert page.locator(".chips a.chip").count() == 2
    assert page.evaluate("window.__sameDocument") is True
    watch.check("filtered")

    # A condition row, with the key autocomplete.
    page.locator("details.conditions > summary").click()
    key = page.locator("#sm-key-0")
    key.click()
    page.keyboard.type("temp", delay=60)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#sm-keys option')].map(o => o.value).join() "
        "=== 'sample_temperature'"
    )
    assert "K" in page.locator("#sm-keys option").first.inner_text()
    key.fill("sample_temperature")
    key.dispatch_event("change")
    assert page.locator("#sm-unit-0").get_attribute("placeholder") == "e.g. K"
    page.select_option("#sm-op-0", ">")
    page.fill("#sm-value-0", "20")
    page.fill("#sm-unit-0", "degC")
    page.locator("#sm-unit-0").press("Enter")
    page.wait_for_url(re.compile(r"sm=sample_temperature"))
    assert ("sm", "sample_temperature > 20 degC") in params(page.url)
    assert not any(name.startswith("sm_") for name, _ in params(page.url))
    page.wait_for_function("() => document.getElementById('results').dataset.total === '1'")
    assert page.evaluate("window.__sameDocument") is True

    # Add a row, then remove it again: the server draws the rows, the URL keeps the condition.
    page.locator("#sm-add").click()
    page.wait_for_function("() => document.querySelectorAll('.condition-row').length === 2")
    assert page.evaluate("document.activeElement.id") == "sm-add"
    page.locator("#sm-remove-1").click()
    page.wait_for_function("() => document.querySelectorAll('.condition-row').length === 1")
    watch.check("condition")

    # A bad condition: the message stands next to its row, the status is 400, nothing breaks.
    page.fill("#sm-unit-0", "parsecs")
    page.locator("#sm-apply").click()
    page.wait_for_selector(".condition-row.has-error .field-error")
    assert "parsecs" in page.locator(".field-error").inner_text()
    watch.check("bad-condition")
    page.fill("#sm-unit-0", "degC")
    page.locator("#sm-apply").click()
    page.wait_for_function("() => !document.querySelector('.field-error')")

    # Removing a chip.
    url_before = page.url
    page.locator(".chips a.chip", has_text="Data location").click()
    page.wait_for_function("() => !location.search.includes('location=tape')")
    page.wait_for_function("() => document.getElementById('results').dataset.total === '2'")
    assert ("q", "lipid") in params(page.url)

    # Removing the text chip empties the search box too.
    page.locator(".chips a.chip", has_text="Text").click()
    page.wait_for_function("() => !location.search.includes('q=')")
    page.wait_for_function("() => document.getElementById('q').value === ''")

    # Back, twice: the earlier searches come back, search box and all.
    page.go_back()
    page.wait_for_function("() => document.getElementById('search-area').dataset.q === 'lipid'")
    assert _total(page) == "2"
    assert page.locator("#q").input_value() == "lipid"
    page.go_back()
    page.wait_for_function("() => document.getElementById('results').dataset.total === '1'")
    assert page.url == url_before
    assert page.locator(".chips a.chip", has_text="Data location").count() == 1
    assert page.get_by_label(re.compile(r"^Archived on tape")).is_checked()

    # The page still carries htmx's handlers after a restore: a facet still updates in place.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("group", name="Data location").get_by_label(
        re.compile(r"^Archived on tape")
    ).uncheck()
    page.wait_for_function("() => !location.search.includes('location=tape')")
    assert page.evaluate("window.__sameDocument") is True

    watch.csp.extend(page.evaluate("window.__cspViolations || []"))
    context.close()
    assert watch.serious == {}
    assert watch.csp == []
    assert watch.errors == []


def test_search_works_without_javascript(
    live_catalogue: None, live_server: Any, browser: Any
) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url

    page.goto(f"{base}/datasets/")
    page.fill("#q", "lipid")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=lipid"))
    assert _total(page) == "2"

    page.get_by_label(re.compile(r"^P08")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"instrument=P08"))
    assert _total(page) == "2"

    # The condition builder: the rows go into the URL as "sm", after one redirect.
    page.locator("details.conditions > summary").click()
    page.fill("#sm-key-0", "incident_energy")
    page.select_option("#sm-op-0", "between")
    page.fill("#sm-value-0", "10 and 20")
    page.fill("#sm-unit-0", "keV")
    page.locator("#sm-apply").click()
    page.wait_for_url(re.compile(r"sm=incident_energy"))
    assert ("sm", "incident_energy between 10 and 20 keV") in params(page.url)
    assert _total(page) == "1"

    # "Add condition" draws one more row; a chip link removes one filter.
    page.locator("#sm-add").click()
    page.wait_for_load_state()
    assert page.locator(".condition-row").count() == 2
    page.goto(f"{base}/datasets/?q=lipid&instrument=P08&sm=incident_energy+between+10+and+20+keV")
    page.locator(".chips a.chip", has_text="Condition").click()
    page.wait_for_url(re.compile(r"instrument=P08$"))
    assert _total(page) == "2"
    page.screenshot(path="/tmp/search-ui-nojs.png", full_page=True)
    context.close()


def test_search_page_on_a_phone(live_catalogue: None, live_server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch = _watch(page)

    page.goto(
        f"{live_server.url}/datasets/?q=lipid&instrument=P08&sm=sample_temperature+>+20+degC"
        "&per_page=10"
    )
    watch.check("phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    # Still usable: the facets can be ticked and the results follow.
    page.get_by_label(re.compile(r"^Archived on tape")).check()
    page.wait_for_url(re.compile(r"location=tape"))
    page.wait_for_function("() => document.getElementById('results').dataset.total === '1'")
    context.close()
    assert overflow <= 0, f"the page is wider than the phone by {overflow}px"
    assert watch.serious == {}
    assert watch.errors == []
