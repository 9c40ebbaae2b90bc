"""Anonymised review (double-blind): no name in the body or headers of any review URL or export.

Each check is one of the ways Dataverse's anonymised preview URLs were seen to leak: author
meta tags in the page's HTML (IQSS/dataverse#8158), a table built elsewhere (the files table,
#8298) and the context around the record (its collection; here the proposal, #8184).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from review.pages import EXPORTS
from review.services import NewLink, review_create
from tests.publishing.support import BASE_URL
from tests.review.conftest import OnCommit
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import pid

pytestmark = pytest.mark.django_db

# Who made the data, as the catalogue names them: owner, PI, proposal, ORCID, e-mail.
LEAKS = [
    re.compile(p)
    for p in (
        r"Lovelace",
        r"\bAda\b",
        r"Noether",
        r"\bEmmy\b",
        r"11019634",
        r"Lipid monolayers",
        r"0000-0002-1825-0097",
        r"facility\.example",
        r"university\.example",
    )
]


def _everything(response: Any) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + response.content.decode()


def _leaks(text: str) -> list[str]:
    return [p.pattern for p in LEAKS if p.search(text)]


@pytest.fixture
def anonymous_link(
    catalogue: SciCatStandIn, django_capture_on_commit_callbacks: OnCommit
) -> NewLink:
    with django_capture_on_commit_callbacks(execute=True):
        _, link = review_create(pids=[pid(1), pid(2)], anonymous=True)
    return link


def test_no_name_in_any_review_url_or_export(anonymous_link: NewLink, client: Client) -> None:
    page = anonymous_link.url.removeprefix(BASE_URL)
    urls = [page] + [f"{page}export/{key}" for key in EXPORTS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(_everything(response)) == [], url


def test_the_page_still_shows_the_science(anonymous_link: NewLink, client: Client) -> None:
    body = client.get(anonymous_link.url.removeprefix(BASE_URL)).content.decode()
    assert "Reflectivity scan 1" in body
    assert "sample_temperature" in body
    assert "291" in body
    assert "scan_1/frame_000.h5" in body
    # A path and a source folder naming someone are kept, with the name blanked (#8298).
    assert "notes/[anonymised]_alignment.txt" in body
    assert "/asap3/p08/2024/[anonymised]/[anonymised]" in body
    # The configured key is gone; a value naming someone is blanked.
    assert "operator" not in body
    assert "aligned by E. [anonymised]" in body
    assert "Anonymous" in body


def test_no_author_meta_tags_or_json_ld(anonymous_link: NewLink, client: Client) -> None:
    body = client.get(anonymous_link.url.removeprefix(BASE_URL)).content.decode()
    head = body.split("</head>")[0]
    # IQSS/dataverse#8158: DC.creator / article:author / citation_author meta tags.
    assert not re.search(r"<meta[^>]+(creator|author)", head, re.IGNORECASE)
    assert "application/ld+json" not in body


def test_download_links_that_would_name_someone_are_left_out(
    anonymous_link: NewLink, client: Client, settings: Any
) -> None:
    settings.PORTAL_REVIEW_DOWNLOADS = True
    settings.PORTAL_DOWNLOAD_URL = "https://data.example/{source_folder}/{path}"
    response = client.get(anonymous_link.url.removeprefix(BASE_URL))
    assert _leaks(_everything(response)) == []
    assert "Some download links are left out" in response.content.decode()


def test_a_named_review_links_its_files_when_the_facility_allows(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
    settings: Any,
) -> None:
    settings.PORTAL_REVIEW_DOWNLOADS = True
    settings.PORTAL_DOWNLOAD_URL = "https://data.example/{pid_encoded}/{path}"
    with django_capture_on_commit_callbacks(execute=True):
        _, link = review_create(pids=[pid(2)])
    body = client.get(link.url.removeprefix(BASE_URL)).content.decode()
    assert 'href="https://data.example/' in body
    assert "frame_000.h5" in body
