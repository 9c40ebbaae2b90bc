"""The staff-edited site pages (sitepages/): defaults, footer, Markdown, admin, cache, sitemap."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.test import Client
from lxml import etree

from sitepages.markup import render_markdown
from sitepages.models import KNOWN_SLUGS, SitePage
from sitepages.selectors import site_page_for
from sitepages.services import site_page_save
from tests.htmlcheck import vnu_errors

pytestmark = pytest.mark.django_db

PATHS = {
    "about": "/about/",
    "contact": "/contact/",
    "imprint": "/imprint/",
    "privacy": "/privacy/",
    "accessibility": "/accessibility/",
}


@pytest.fixture
def page_cache_on(settings: Any) -> Iterator[None]:
    settings.PORTAL_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_every_default_page_is_served_and_linked_from_the_footer(client: Client) -> None:
    footer = client.get("/datasets/").content.decode().split('class="site-footer"')[1]
    for slug in KNOWN_SLUGS:
        response = client.get(PATHS[slug])
        assert response.status_code == 200, slug
        body = response.content.decode()
        assert body.count("<h1") == 1, slug
        assert 'name="description" content="' in body
        assert "Last updated:" in body
        assert f'href="{PATHS[slug]}"' in footer, slug


def test_default_pages_tell_what_the_portal_records() -> None:
    privacy = SitePage.objects.get(slug="privacy", language="en").body
    for fact in ("COUNTER", "replaced every", "csrftoken", "portal_language", "erased", "Redis"):
        assert fact in privacy, fact
    accessibility = SitePage.objects.get(slug="accessibility", language="en").body
    assert "WCAG) 2.1, level\nAA" in accessibility
    assert "axe" in accessibility


def test_the_german_defaults_tell_the_same_facts() -> None:
    for slug in KNOWN_SLUGS:
        german = SitePage.objects.get(slug=slug, language="de")
        english = SitePage.objects.get(slug=slug, language="en")
        assert german.title != english.title, slug
        # The same links, in the same order.
        assert re.findall(r"\]\(([^)]*)\)", german.body) == re.findall(
            r"\]\(([^)]*)\)", english.body
        ), slug
    privacy = SitePage.objects.get(slug="privacy", language="de").body
    for fact in (
        "COUNTER",
        "jeden Tag ersetzt",
        "csrftoken",
        "portal_language",
        "gelöscht",
        "Redis",
    ):
        assert fact in privacy, fact


def test_german_readers_get_the_german_page(client: Client) -> None:
    german = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>Datenschutz</h1>" in german
    assert "<h1>Privacy</h1>" in english


def test_an_unknown_page_is_404(client: Client) -> None:
    assert client.get("/pages/no-such-page/").status_code == 404


def test_staff_may_add_a_page_under_pages(client: Client) -> None:
    site_page_save(
        page=SitePage(slug="terms", language="en", title="Terms of use", body="Be nice.")
    )

    response = client.get("/pages/terms/")

    assert response.status_code == 200
    assert "Be nice." in response.content.decode()


def test_markdown_runs_no_html_and_keeps_only_safe_links() -> None:
    html = render_markdown(
        "# Heading\n\n<script>alert(1)</script> <b>bold</b>\n\n"
        "[bad](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) "
        "[good](https://example.org) [mail](mailto:a@example.org) [here](/datasets/)\n\n"
        "![img](https://tracker.example/pixel.png)"
    )

    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert 'href="javascript' not in html
    assert 'href="data:' not in html
    assert '<a href="https://example.org">good</a>' in html
    assert '<a href="mailto:a@example.org">mail</a>' in html
    assert '<a href="/datasets/">here</a>' in html
    assert "<img" not in html
    assert "<h2>Heading</h2>" in html


def test_headings_start_at_h2_and_skip_no_level() -> None:
    html = render_markdown("## Two\n\n#### Four\n\n## Two again\n\n###### Six")

    assert html.split() == [
        "<h2>Two</h2>",
        "<h3>Four</h3>",
        "<h2>Two",
        "again</h2>",
        "<h4>Six</h4>",
    ]


def test_a_visitor_gets_their_language_else_the_default() -> None:
    site_page_save(page=SitePage(slug="terms", language="en", title="Terms", body="Be nice."))
    site_page_save(page=SitePage(slug="terms", language="de", title="Regeln", body="Seid nett."))

    german = site_page_for(slug="terms", language="de")
    french = site_page_for(slug="terms", language="fr")

    assert german is not None
    assert german.title == "Regeln"
    assert french is not None
    assert french.title == "Terms"


def test_staff_edit_in_the_admin_is_logged_and_shown_at_once(
    admin_client: Client, page_cache_on: None, django_capture_on_commit_callbacks: Any
) -> None:
    page = SitePage.objects.get(slug="contact", language="en")
    assert "Write to" not in client_text(Client(), "/contact/")  # now in the cache
    SitePage.objects.filter(pk=page.pk).update(title="Changed behind the services' back")
    assert "behind the services" not in client_text(Client(), "/contact/")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/sitepages/sitepage/{page.pk}/change/",
            {
                "slug": "contact",
                "language": "en",
                "title": "Contact us",
                "description": "",
                "body": "Write to **the user office**.",
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    shown = client_text(Client(), "/contact/")
    assert "Contact us" in shown
    assert "Write to <strong>the user office</strong>." in shown
    entry = LogEntry.objects.get(object_id=str(page.pk))
    assert entry.action_flag == CHANGE


def test_the_admin_previews_a_page_without_saving_it(admin_client: Client) -> None:
    page = SitePage.objects.get(slug="imprint", language="en")
    form = admin_client.get(f"/admin/sitepages/sitepage/{page.pk}/change/").content.decode()
    assert 'formaction="/admin/sitepages/sitepage/preview/"' in form

    response = admin_client.post(
        "/admin/sitepages/sitepage/preview/",
        {"title": "Draft imprint", "body": "New *text*", "slug": "imprint", "language": "en"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Draft imprint" in body
    assert "New <em>text</em>" in body
    assert '<meta name="robots" content="noindex">' in body
    assert response["X-Robots-Tag"] == "noindex"
    assert SitePage.objects.get(pk=page.pk).title == "Imprint"


def test_visitors_cannot_use_the_preview(client: Client) -> None:
    response = client.post("/admin/sitepages/sitepage/preview/", {"title": "x", "body": "y"})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_sitemap_lists_the_site_pages(client: Client, settings: Any) -> None:
    xml = b"".join(client.get("/sitemap.xml").streaming_content)  # type: ignore[attr-defined]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = etree.fromstring(xml).xpath("//s:loc/text()", namespaces=ns)

    for path in PATHS.values():
        assert f"{settings.PORTAL_BASE_URL}{path}" in locs


def client_text(client: Client, path: str) -> str:
    return str(client.get(path).content.decode())


def test_default_pages_pass_the_nu_html_checker(client: Client, tmp_path: Path) -> None:
    documents = {slug: client.get(path).content.decode() for slug, path in PATHS.items()}
    for slug, path in PATHS.items():
        documents[f"{slug}-de"] = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert vnu_errors(documents, tmp_path) == []
