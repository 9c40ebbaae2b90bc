"""English and German pages (portal/locale.py): the switcher, Accept-Language, what varies by
language, and the machine formats that never do."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from landing.exports import EXPORTS
from portal.locale import is_machine_path
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en"}


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _vary(response: Any) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def test_english_is_the_default_language(client: Client) -> None:
    response = client.get("/")
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Latest datasets" in body
    assert response["Content-Language"] == "en"


def test_a_german_browser_gets_german_pages(client: Client) -> None:
    response = client.get("/", headers=GERMAN)
    body = response.content.decode()
    assert '<html lang="de">' in body
    assert "Neueste Datensätze" in body
    assert response["Content-Language"] == "de"
    assert {"accept-language", "cookie"} <= _vary(response)


def test_an_unknown_language_falls_back_to_english(client: Client) -> None:
    response = client.get("/", headers={"Accept-Language": "tlh, fr;q=0.5"})
    assert '<html lang="en">' in response.content.decode()


def test_the_switcher_is_a_form_on_every_page_that_keeps_the_page(client: Client) -> None:
    body = client.get("/datasets/?q=water").content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="next" value="/datasets/?q=water"' in body
    assert 'name="language" value="de"' in body
    assert 'aria-label="Language"' in body


def test_switching_to_german_sets_a_cookie_and_returns_to_the_page(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/datasets/?q=water"})
    assert response.status_code == 302
    assert response["Location"] == "/datasets/?q=water"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "de"
    assert cookie["httponly"]
    # The cookie outweighs an English browser, and back again.
    page = client.get("/datasets/", headers=ENGLISH)
    assert '<html lang="de">' in page.content.decode()
    assert "Datensätze" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", headers=GERMAN).content.decode()


def test_the_switcher_needs_no_csrf_token(settings: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 302


def test_switching_refuses_to_leave_the_site(client: Client) -> None:
    response = client.post(
        "/i18n/setlang/", {"language": "de", "next": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    assert "elsewhere.example" not in response["Location"]


def test_german_dates_and_numbers_on_the_dataset_page(client: Client) -> None:
    dataset = DatasetFactory.create(size=1_834_221_000, number_of_files=1234)
    english = client.get(f"/datasets/{dataset.pid}").content.decode()
    german = client.get(f"/datasets/{dataset.pid}", headers=GERMAN).content.decode()
    assert "1.8 GB" in english
    assert "1,8 GB" in german
    assert "1.234" in german


@pytest.mark.parametrize(
    "path",
    ["/api/v1/datasets", "/oai", "/panosc-api/Datasets", "/export/bibtex/datasets/x", "/feeds/"],
)
def test_machine_paths_are_known(path: str) -> None:
    assert is_machine_path(path)


@pytest.mark.parametrize("path", ["/", "/datasets/x", "/statistics/", "/dumps/", "/doi/10.1/x"])
def test_pages_are_not_machine_paths(path: str) -> None:
    assert not is_machine_path(path)


def test_a_german_request_gets_byte_identical_exports(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create()
    publication.datasets.add(dataset)
    # One clock for both requests: OAI-PMH stamps each answer with the second it was made.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    paths = [f"/export/{key}/datasets/{dataset.pid}" for key in EXPORTS]
    paths += [f"/export/{key}/doi/{publication.doi}" for key in EXPORTS]
    paths += [
        "/oai?verb=Identify",
        "/oai?verb=ListRecords&metadataPrefix=oai_datacite",
        "/oai?verb=NoSuchVerb",
        "/api/v1/datasets",
        f"/api/v1/datasets/{dataset.pid}",
        "/api/v1/datasets?sort=nonsense",
        "/panosc-api/Datasets",
        "/feeds/datasets.atom",
        "/sitemap.xml",
    ]
    for path in paths:
        english = client.get(path, headers=ENGLISH)
        german = client.get(path, headers=GERMAN)
        assert english.status_code == german.status_code, path
        assert _body(english) == _body(german), path
        assert "accept-language" not in _vary(german), path


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.datacite.datacite+xml",
        "application/ld+json",
        "application/x-bibtex",
        "application/x-research-info-systems",
        "application/vnd.citationstyles.csl+json",
    ],
)
def test_negotiated_exports_do_not_depend_on_the_language(client: Client, accept: str) -> None:
    dataset = DatasetFactory.create()
    url = f"/datasets/{dataset.pid}"
    english = client.get(url, headers={"Accept": accept})
    german = client.get(url, headers={"Accept": accept, **GERMAN})
    assert english.status_code == 200
    assert english.content == german.content
