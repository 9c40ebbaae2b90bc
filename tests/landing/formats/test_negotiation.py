"""Content negotiation on the landing URL: the Accept matrix, q-values, 406, 410, bibliography."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from catalogue.visibility import Visibility
from landing.negotiation import choose, negotiate, parse_accept
from landing.records import LandingRecord, publication_record
from publishing.models import Publication

BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"


@pytest.fixture
def record(publication: Publication) -> LandingRecord:
    return publication_record(publication)


def ask(record: LandingRecord, accept: str | None, query: str = "") -> object:
    headers = {"Accept": accept} if accept is not None else {}
    request = RequestFactory().get(f"/doi/{record.doi}{query}", headers=headers)
    return negotiate(request, record)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        ("text/*", "text/html"),
        # A browser.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        (BIBTEX, BIBTEX),
        ("application/x-bibtex;q=0.5, application/x-research-info-systems", RIS),
        # Equal q: the range named first wins.
        (f"{RIS}, {BIBTEX}", RIS),
        (f"{BIBTEX}, {RIS}", BIBTEX),
        # An exact range beats a wildcard of the same q.
        ("*/*, application/ld+json", "application/ld+json"),
        ("application/vnd.schemaorg.ld+json", "application/vnd.schemaorg.ld+json"),
        (
            "text/html;q=0.1, application/vnd.datacite.datacite+xml",
            "application/vnd.datacite.datacite+xml",
        ),
        # q=0 refuses, even under a wildcard.
        ("text/html;q=0, */*", "application/xhtml+xml"),
        ("application/x-bibtex;q=0, text/x-bibliography;q=0.3", "text/x-bibliography"),
        ("image/png", ""),
        ("text/html;q=0", ""),
        ("APPLICATION/X-BIBTEX", BIBTEX),
        ("garbage,,;;;q=", ""),
        ("application/x-bibtex;q=nonsense, text/html;q=0.2", "text/html"),
    ],
)
def test_choice(accept: str, chosen: str) -> None:
    assert choose(parse_accept(accept))[0] == chosen


def test_html_and_no_accept_render_the_page(record: LandingRecord) -> None:
    assert ask(record, None) is None
    assert ask(record, "") is None
    assert ask(record, "text/html,*/*;q=0.8") is None


@pytest.mark.parametrize(
    ("accept", "content_type", "marker"),
    [
        (
            "application/vnd.datacite.datacite+xml",
            "application/vnd.datacite.datacite+xml",
            b"<resource",
        ),
        (
            "application/vnd.datacite.datacite+json",
            "application/vnd.datacite.datacite+json",
            b'"doi"',
        ),
        ("application/vnd.schemaorg.ld+json", "application/vnd.schemaorg.ld+json", b'"@context"'),
        ("application/ld+json", "application/ld+json", b'"@type": "Dataset"'),
        (
            "application/vnd.citationstyles.csl+json",
            "application/vnd.citationstyles.csl+json",
            b'"DOI"',
        ),
        (BIBTEX, BIBTEX, b"@misc{"),
        (RIS, RIS, b"TY  - DATA"),
        ("text/x-bibliography", "text/x-bibliography", b"Franklin, R."),
    ],
)
def test_each_offered_type(
    record: LandingRecord, accept: str, content_type: str, marker: bytes
) -> None:
    response = ask(record, accept)
    assert response is not None
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"  # type: ignore[index]
    assert "Accept" in response["Vary"]  # type: ignore[index]
    assert marker in response.content  # type: ignore[attr-defined]
    assert "Content-Disposition" not in response  # type: ignore[operator]


def test_unknown_types_only_are_406_with_the_list(record: LandingRecord) -> None:
    response = ask(record, "application/pdf, image/*")
    assert response is not None
    assert response.status_code == 406  # type: ignore[attr-defined]
    assert b"application/x-bibtex" in response.content  # type: ignore[attr-defined]
    assert "Accept" in response["Vary"]  # type: ignore[index]


def test_bibliography_style_and_locale_as_parameters(record: LandingRecord) -> None:
    response = ask(record, "text/x-bibliography; style=ieee; locale=de-DE")
    assert response.content.decode().startswith("R. Franklin")  # type: ignore[attr-defined]
    response = ask(record, "text/x-bibliography", "?style=harvard&locale=de")
    assert "Verfügbar unter" in response.content.decode()  # type: ignore[attr-defined]


def test_bibliography_unknown_style_is_400(record: LandingRecord) -> None:
    response = ask(record, "text/x-bibliography; style=../../secret")
    assert response.status_code == 400  # type: ignore[attr-defined]


def test_withdrawn_record_is_410_except_html(publication: Publication) -> None:
    Publication.objects.filter(pk=publication.pk).update(visibility=Visibility.WITHDRAWN)
    publication.refresh_from_db()
    record = publication_record(publication)
    assert ask(record, "text/html") is None  # the tombstone page
    for accept in (BIBTEX, "application/ld+json", "text/x-bibliography"):
        response = ask(record, accept)
        assert response.status_code == 410  # type: ignore[attr-defined]


def test_negotiated_schemaorg_is_json(record: LandingRecord) -> None:
    response = ask(record, "application/ld+json")
    data = json.loads(response.content)  # type: ignore[attr-defined]
    assert data["@type"] == "Dataset"


def test_long_hostile_accept_is_harmless(record: LandingRecord) -> None:
    accept = ",".join(["a/b;q=0.1"] * 5000) + ",application/x-bibtex"
    response = ask(record, accept)
    # Past the ranges read, the header counts as offering nothing useful.
    assert response is not None
    assert response.status_code == 406  # type: ignore[attr-defined]
