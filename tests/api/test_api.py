"""The REST API (/api/v1/): records, lists by cursor, problems, conditional GET, CORS, usage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from api import records
from catalogue.models import Dataset
from catalogue.services import dataset_withdraw
from landing.downloads import FORMATS
from landing.exports import EXPORTS
from sync.services import export_import
from tests.demo import DEMO_DOI, DEMO_EXPORT, DEMO_PID, EMBARGOED_PID, PRIVATE_STRINGS
from tests.factories import (
    DataFileFactory,
    DatasetFactory,
    ProposalFactory,
    PublicationFactory,
    TechniqueFactory,
)
from usage import buffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_DOWNLOAD_URL = "https://files.example.org/{source_folder}/{path}"
    report = export_import(path=DEMO_EXPORT)
    assert not report.errors


def get(client: Client, url: str, **headers: str) -> Any:
    return client.get(url, headers=headers)


def test_the_export_and_download_lists_are_the_landing_pages(demo: None) -> None:
    assert set(records.EXPORTS) == set(EXPORTS)
    assert set(records.DOWNLOAD_LISTS) == set(FORMATS)


def test_dataset_record_has_what_the_landing_page_shows(client: Client, demo: None) -> None:
    for pid in (DEMO_PID, quote(DEMO_PID, safe="")):
        response = get(client, f"/api/v1/datasets/{pid}")
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json"
    data = response.json()
    dataset = Dataset.objects.get(pid=DEMO_PID)
    assert data["pid"] == DEMO_PID
    assert data["title"] == dataset.title
    assert dataset.instrument is not None
    assert data["instrument"]["pid"] == dataset.instrument.pid
    assert data["scientific_metadata"] == dataset.scientific_metadata
    assert any(p["si_unit"] for p in data["parameters"])
    assert data["links"]["landing_page"].endswith(f"/datasets/{DEMO_PID}")
    assert set(data["links"]["exports"]) == set(EXPORTS)
    assert set(data["links"]["download_lists"]) == set(FORMATS)
    assert isinstance(data["publications"], list)
    assert set(data["usage"]) >= {"views", "unique_views", "downloads", "unique_downloads"}
    assert data["data_location"] in {"disk", "tape", "unknown"}


def test_techniques_carry_panet_ids(client: Client) -> None:
    dataset = DatasetFactory.create()
    dataset.techniques.add(TechniqueFactory.create(pid="PaNET01188", name="x-ray reflectivity"))
    data = get(client, f"/api/v1/datasets/{dataset.pid}").json()
    assert data["techniques"] == [
        {
            "pid": "PaNET01188",
            "name": "x-ray reflectivity",
            "panet_id": "PaNET01188",
            "panet_url": "http://purl.org/pan-science/PaNET/PaNET01188",
        }
    ]


def test_files_with_checksums_by_cursor(client: Client) -> None:
    dataset = DatasetFactory.create()
    files = [DataFileFactory.create(dataset=dataset, path=f"f{i:03d}.h5") for i in range(7)]
    url = f"/api/v1/datasets/{dataset.pid}/files?page_size=3"
    seen: list[dict[str, Any]] = []
    pages = []
    while url:
        data = get(client, url).json()
        pages.append(data)
        seen += data["results"]
        url = data["next"]
    assert [f["path"] for f in seen] == [f.path for f in files]
    assert seen[0]["checksum"] == files[0].checksum
    assert seen[0]["checksum_algorithm"] == "sha256"
    assert pages[0]["count"] == 7
    assert pages[0]["previous"] is None
    back = get(client, pages[-1]["previous"]).json()
    assert [f["path"] for f in back["results"]] == [f.path for f in files[3:6]]


def test_a_pid_ending_in_files_is_its_own_record(client: Client) -> None:
    dataset = DatasetFactory.create(pid="20.500.12269/odd/files")
    response = get(client, f"/api/v1/datasets/{dataset.pid}")
    assert response.json()["pid"] == dataset.pid


def test_withdrawn_is_410_and_unknown_404_as_problem_details(client: Client) -> None:
    dataset = DatasetFactory.create()
    dataset_withdraw(dataset=dataset, reason="Retracted by the facility")
    response = get(client, f"/api/v1/datasets/{dataset.pid}")
    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 410
    assert problem["reason"] == "Retracted by the facility"
    assert problem["withdrawn_at"]
    for url in (
        f"/api/v1/datasets/{EMBARGOED_PID}",
        "/api/v1/datasets/nothing",
        f"/api/v1/datasets/{dataset.pid}/files",
        "/api/v1/publications/10.5072/none",
        "/api/v1/nowhere",
        "/api/v1/datasets/a%00b",
    ):
        response = get(client, url)
        assert response.status_code in (404, 410), url
        assert response["Content-Type"] == "application/problem+json", url
        assert response.json()["status"] == response.status_code


def test_publication_record_and_list(client: Client, demo: None) -> None:
    response = get(client, f"/api/v1/publications/{DEMO_DOI.upper()}")
    assert response.status_code == 200
    data = response.json()
    assert data["doi"] == DEMO_DOI
    assert data["datasets"]
    assert set(data["links"]["exports"]) == set(EXPORTS)
    listed = get(client, "/api/v1/publications").json()
    assert DEMO_DOI in [p["doi"] for p in listed["results"]]
    assert listed["count"] == len(listed["results"])


def test_a_publication_shows_its_contributors_and_geo_locations(client: Client) -> None:
    contributor = {"name": "Meitner, Lise", "nameType": "Personal", "contributorType": "Editor"}
    place = {"geoLocationPlace": "Hamburg, Germany"}
    publication = PublicationFactory.create(contributors=[contributor], geo_locations=[place])

    data = get(client, f"/api/v1/publications/{publication.doi}").json()

    assert data["contributors"] == [contributor]
    assert data["geo_locations"] == [place]


def test_instruments_and_proposals_with_public_datasets_only(client: Client) -> None:
    shown = DatasetFactory.create()
    assert shown.instrument is not None
    assert shown.proposal is not None
    hidden = DatasetFactory.create(proposal=ProposalFactory.create(title="Ask a@b.example"))
    dataset_withdraw(dataset=hidden, reason="gone")
    instruments = get(client, "/api/v1/instruments").json()
    assert [i["pid"] for i in instruments["results"]] == [shown.instrument.pid]
    assert instruments["results"][0]["dataset_count"] == 1
    proposals = get(client, "/api/v1/proposals").json()
    assert [p["proposal_id"] for p in proposals["results"]] == [shown.proposal.proposal_id]


def test_conditional_get(client: Client) -> None:
    dataset = DatasetFactory.create()
    url = f"/api/v1/datasets/{dataset.pid}"
    first = get(client, url)
    assert first["ETag"]
    assert first["Last-Modified"]
    assert get(client, url, if_none_match=first["ETag"]).status_code == 304
    assert get(client, url, if_modified_since=first["Last-Modified"]).status_code == 304
    assert get(client, url, if_none_match='"other"').status_code == 200
    listing = get(client, "/api/v1/datasets")
    assert get(client, "/api/v1/datasets", if_none_match=listing["ETag"]).status_code == 304
    Dataset.objects.filter(pk=dataset.pk).update(
        title="Changed", modified=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    )
    assert get(client, url, if_none_match=first["ETag"]).status_code == 200


def test_cors_for_get_from_any_origin(client: Client) -> None:
    dataset = DatasetFactory.create()
    response = get(client, f"/api/v1/datasets/{dataset.pid}", origin="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/datasets",
        headers={
            "origin": "https://elsewhere.example",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert client.post("/api/v1/datasets").status_code == 405


def test_record_reads_count_as_machine_investigations(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.USAGE_COUNTING = True
    pushed: list[tuple[Any, ...]] = []
    monkeypatch.setattr(buffer, "push", lambda event, store: pushed.append(event))
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create()
    publication.datasets.add(dataset)
    get(client, f"/api/v1/datasets/{dataset.pid}", user_agent="Mozilla/5.0 Firefox/140.0")
    get(client, f"/api/v1/publications/{publication.doi}", user_agent="Mozilla/5.0 Firefox/140.0")
    get(
        client, "/api/v1/datasets", user_agent="Mozilla/5.0 Firefox/140.0"
    )  # a list is no investigation
    assert [(e[1], e[2], e[3], e[4]) for e in pushed] == [
        ("investigation", dataset.pk, None, "machine"),
        ("investigation", None, publication.pk, "machine"),
    ]


def test_no_embargoed_record_or_private_field_anywhere(client: Client, demo: None) -> None:
    urls = [
        "/api/v1/datasets?page_size=1000",
        "/api/v1/publications",
        "/api/v1/instruments",
        "/api/v1/proposals",
        "/api/schema/",
    ]
    for pid in Dataset.objects.values_list("pid", flat=True):
        urls += [f"/api/v1/datasets/{pid}", f"/api/v1/datasets/{pid}/files"]
    urls += [f"/api/v1/publications/{DEMO_DOI}"]
    for url in urls:
        response = get(client, url)
        body = response.content.decode()
        assert response.status_code in (200, 410), url
        assert EMBARGOED_PID not in body, url
        for private in PRIVATE_STRINGS:
            assert private not in body, (url, private)


def test_over_the_rate_limit_the_api_answers_429_as_problem_details(
    client: Client, settings: Any, redis_url: str
) -> None:
    """The rate limit is operations/rate_limit.py's (one middleware for every public route)."""
    settings.RATE_LIMIT = True
    settings.RATE_LIMIT_REDIS_URL = redis_url
    settings.RATE_LIMIT_WINDOW = 60
    settings.RATE_LIMIT_EXEMPT_NETWORKS = ()
    settings.RATE_LIMIT_API = 2
    dataset = DatasetFactory.create()
    address = "192.0.2.77"
    assert client.get("/api/v1/datasets", REMOTE_ADDR=address).status_code == 200
    assert client.get(f"/api/v1/datasets/{dataset.pid}", REMOTE_ADDR=address).status_code == 200
    refused = client.get(
        f"/api/v1/datasets/{dataset.pid}", REMOTE_ADDR=address, HTTP_ORIGIN="https://x.example"
    )
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"].isdigit()
    assert refused["Access-Control-Allow-Origin"] == "*"
    problem = refused.json()
    assert problem["status"] == 429
    assert problem["detail"]
