"""Look and feel in Debian's chromium, in both colour schemes (``prefers-color-scheme``) and on a
390 px phone: axe finds nothing serious (contrast included), no text is under 12 px, no CSP
violation, no console error, on the pages Lighthouse scores (tests/portal/test_lighthouse.py,
light scheme) and on the site pages. Screenshots go to /tmp/look-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from sitepages.defaults import Facility, default_pages
from sitepages.models import SitePage
from tests.browser import PageWatch, chromium
from tests.landing.pages.conftest import Landing, make_landing
from tests.landing.pages.test_pages import make_files


def site_pages_made_again() -> None:
    """The migration's pages, which a transactional test before this one flushed away."""
    facility = Facility(
        name=settings.PORTAL_NAME,
        publisher=settings.PORTAL_PUBLISHER,
        base_url=settings.PORTAL_BASE_URL,
        contact_email="",
        address=(),
        data_contact="",
    )
    for page in default_pages(facility):
        SitePage.objects.get_or_create(
            slug=page.slug,
            language=settings.LANGUAGE_CODE,
            defaults={"title": page.title, "description": page.description, "body": page.body},
        )


@pytest.fixture
def records(transactional_db: None) -> Landing:
    site_pages_made_again()
    landing = make_landing()
    make_files(landing.datasets[0], 30)
    return landing


@pytest.mark.browser
def test_pages_are_legible_in_both_colour_schemes(
    records: Landing, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {
        "home": "/",
        "search": "/datasets/?q=silicon",
        "dataset": f"/datasets/{records.datasets[0].pid}",
        "doi": records.url,
        "about": "/about/",
        "privacy": "/privacy/",
    }
    serious: dict[str, list[str]] = {}
    errors: list[str] = []
    csp: list[str] = []
    with chromium(monkeypatch) as browser:
        for scheme, viewport in (("light", (390, 844)), ("dark", (1366, 900))):
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": viewport[0], "height": viewport[1]}
            )
            tab = context.new_page()
            tab.set_default_timeout(10_000)
            watch = PageWatch(tab, f"look-{scheme}")
            for name, path in pages.items():
                tab.goto(live_server.url + path)
                watch.check(name)
            background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
            serious.update({f"{scheme}/{name}": found for name, found in watch.serious.items()})
            errors += watch.errors
            csp += watch.csp
            context.close()
            # The dark scheme is really dark, the light one light.
            channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
            assert (sum(channels) < 150) == (scheme == "dark"), (scheme, background)

    assert serious == {}
    assert errors == []
    assert csp == []
