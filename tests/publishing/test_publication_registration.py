"""Registering, updating, hiding and showing DOIs at DataCite (the loopback stand-in).

Celery runs eagerly here (no broker), so the task runs when the request's transaction commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from catalogue.visibility import Visibility
from publishing.doi_metadata import MetadataInvalid
from publishing.formats.datacite_xml import resource_document
from publishing.models import DataCiteCall, DoiState, Publication
from publishing.payloads import PublicationIn
from publishing.record import parse
from publishing.services.drafts import publication_changed, publication_save
from publishing.services.errors import PublicationError
from publishing.services.from_catalogue import publication_upsert
from publishing.services.registration import publication_push, publication_register
from publishing.services.withdrawal import publication_restore, publication_withdraw
from publishing.tasks import retry_delay
from tests.factories import PublicationFactory
from tests.full_records import CONTRIBUTORS, GEO_LOCATIONS
from tests.oai.conftest import kernel_schema
from tests.publishing.support import BASE_URL, PASSWORD, PREFIX, DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]


def register(publication: Publication, on_commit: OnCommit) -> Publication:
    with on_commit(execute=True):
        publication_register(publication_id=publication.pk)
    publication.refresh_from_db()
    return publication


def test_register_makes_a_findable_doi_that_points_at_the_landing_page(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FINDABLE
    assert publication.doi
    assert re.fullmatch(rf"{re.escape(PREFIX)}/[0-9a-z]{{5}}-[0-9a-z]{{5}}", publication.doi)
    assert publication.registered_at is not None
    remote = standin.doi(publication.doi)
    assert remote.state == "findable"
    assert remote.attributes["url"] == f"{BASE_URL}/doi/{publication.doi}"
    assert remote.attributes["titles"][0]["title"] == publication.title


def test_registered_publication_is_on_the_public_site(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, client: Client
) -> None:
    draft = DraftPublicationFactory.create(title="Citable beamtime")
    assert not Publication.objects.public().filter(pk=draft.pk).exists()

    publication = register(draft, django_capture_on_commit_callbacks)

    assert Publication.objects.public().filter(pk=publication.pk).exists()
    response = client.get(f"/doi/{publication.doi}")
    assert response.status_code == 200
    assert "Citable beamtime" in response.content.decode()


def test_asking_twice_registers_once(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = DraftPublicationFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        first = publication_register(publication_id=publication.pk)
        second = publication_register(publication_id=publication.pk)
    third = publication_register(publication_id=publication.pk)

    assert (first, second, third) == (True, False, False)
    assert len(standin.requests("POST")) == 1
    assert len(standin.dois()) == 1


def test_the_doi_is_chosen_once_and_kept_across_attempts(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = DraftPublicationFactory.create()
    standin.fail(422, method="POST")  # refused once: a failure, with the DOI kept
    failed = register(publication, django_capture_on_commit_callbacks)
    doi, state = failed.doi, failed.doi_state

    again = register(failed, django_capture_on_commit_callbacks)

    assert state == DoiState.FAILED
    assert doi
    assert again.doi == doi
    assert again.doi_state == DoiState.FINDABLE
    assert list(standin.dois()) == [doi]


def test_a_server_error_is_retried_and_then_succeeds(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    standin.fail(503, times=2, method="POST")

    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FINDABLE
    assert [s.status for s in standin.requests("POST")] == [503, 503, 201]
    attempts = sorted(set(publication.datacite_calls.values_list("attempt", flat=True)))
    assert attempts == [1, 2, 3]


def test_a_lost_answer_does_not_make_a_second_doi(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    standin.drop(method="POST")  # DataCite creates it, the answer never arrives

    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FINDABLE
    assert len(standin.dois()) == 1
    assert len(standin.requests("POST")) == 1  # the retry looked first, found it, and updated
    assert [s.method for s in standin.seen] == ["GET", "POST", "GET", "PUT"]


def test_already_taken_counts_as_success_when_it_is_ours(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publication_register(publication_id=publication.pk)
    publication.refresh_from_db()
    assert publication.doi
    # Another worker's POST landed between our GET and our POST.
    standin.fail(404, method="GET")
    standin.add(
        publication.doi,
        client="psf.portal",
        state="findable",
        attributes={"url": f"{BASE_URL}/doi/{publication.doi}"},
    )

    for callback in callbacks:
        callback()
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.FINDABLE
    assert [(s.method, s.status) for s in standin.seen] == [
        ("GET", 404),
        ("POST", 422),
        ("GET", 200),
        ("PUT", 200),
    ]


def test_a_doi_that_points_elsewhere_is_left_alone(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = DraftPublicationFactory.create(doi=f"{PREFIX}/taken-00001")
    publication.doi_state = DoiState.FAILED
    publication.save()
    standin.add(
        publication.doi,
        client="psf.portal",
        state="findable",
        attributes={"url": "https://elsewhere.example/record/1"},
    )

    publication = register(publication, django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FAILED
    assert "https://elsewhere.example/record/1" in publication.doi_state_reason
    assert standin.requests("PUT") == []
    assert standin.doi(f"{PREFIX}/taken-00001").attributes["url"].startswith("https://elsewhere")


def test_a_refusal_ends_in_failed_with_datacites_message(
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    settings: Any,
) -> None:
    settings.DATACITE_PASSWORD = "not-the-password"

    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FAILED
    assert "401" in publication.doi_state_reason
    assert "Bad credentials" in publication.doi_state_reason
    assert not Publication.objects.public().filter(pk=publication.pk).exists()
    assert len(standin.requests("GET")) == 1  # not retried


def test_datacite_out_of_reach_for_good_ends_in_failed(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    standin.fail(503, times=100)

    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    assert publication.doi_state == DoiState.FAILED
    assert "could not be reached (11 attempts)" in publication.doi_state_reason
    assert "503" in publication.doi_state_reason


def test_contributors_and_geo_locations_are_registered_as_valid_kernel_4(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    draft = DraftPublicationFactory.create(contributors=CONTRIBUTORS, geo_locations=GEO_LOCATIONS)

    publication = register(draft, django_capture_on_commit_callbacks)

    sent = standin.doi(publication.doi).attributes
    assert [c["contributorType"] for c in sent["contributors"]] == [
        "ContactPerson",
        "Editor",
        "DataCollector",
    ]
    assert sent["geoLocations"] == GEO_LOCATIONS
    # What DataCite got, as the kernel-4.7 XML its metadata store keeps: valid against the XSD.
    tree = etree.fromstring(resource_document(parse(sent)))
    assert kernel_schema().validate(tree), kernel_schema().error_log


def test_invalid_contributors_and_geo_locations_stop_the_registration(
    standin: DataCiteStandIn,
) -> None:
    publication = DraftPublicationFactory.create(
        contributors=[{"name": "Gosling, Raymond"}],  # no contributorType
        geo_locations=[
            {
                "geoLocationBox": {
                    "westBoundLongitude": 0,
                    "eastBoundLongitude": 1,
                    "southBoundLatitude": 10,
                    "northBoundLatitude": 5,
                }
            }
        ],
    )

    with pytest.raises(MetadataInvalid) as caught:
        publication_register(publication_id=publication.pk)

    fields = caught.value.by_field()
    assert any("'contributorType' is required" in text for text in fields["contributors"])
    assert any("south edge" in text for text in fields["geo_locations"])
    assert standin.seen == []


def test_invalid_metadata_names_the_fields_and_calls_nobody(standin: DataCiteStandIn) -> None:
    publication = DraftPublicationFactory.create(
        title=" ",
        creators=[
            {
                "name": "Carberry, Josiah",
                "nameIdentifiers": [
                    {"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}
                ],
            }
        ],
        dates=[{"date": "last spring", "dateType": "Collected"}],
        related_identifiers=[{"relatedIdentifier": "10.1/x", "relationType": "Cites"}],
    )

    with pytest.raises(MetadataInvalid) as caught:
        publication_register(publication_id=publication.pk)

    fields = caught.value.by_field()
    assert set(fields) >= {"title", "creators", "dates", "related_identifiers"}
    assert any("check digit" in text for text in fields["creators"])
    assert any("relatedIdentifierType" in text for text in fields["related_identifiers"])
    publication.refresh_from_db()
    assert publication.doi_state == DoiState.DRAFT
    assert publication.doi == ""
    assert standin.seen == []


def test_imported_publications_are_never_sent(standin: DataCiteStandIn) -> None:
    imported = PublicationFactory.create()

    with pytest.raises(PublicationError, match="registered elsewhere"):
        publication_register(publication_id=imported.pk)
    assert standin.seen == []


def test_without_datacite_configured_registration_is_refused(settings: Any) -> None:
    settings.DATACITE_URL = ""

    with pytest.raises(PublicationError, match="DATACITE_URL"):
        publication_register(publication_id=DraftPublicationFactory.create().pk)


def test_an_edit_updates_the_metadata_at_datacite(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)
    assert publication.doi

    publication.title = "A better title"
    with django_capture_on_commit_callbacks(execute=True):
        publication_save(publication=publication, fields=["title"])
        publication_changed(publication=publication)
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.FINDABLE
    assert standin.doi(publication.doi).attributes["titles"][0]["title"] == "A better title"
    assert [s.method for s in standin.seen][-1] == "PUT"
    assert standin.requests("PUT")[-1].body["data"]["attributes"].get("event") is None


def test_saving_without_a_change_calls_nobody(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)
    seen = len(standin.seen)

    with django_capture_on_commit_callbacks(execute=True):
        publication_changed(publication=publication)
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.FINDABLE
    assert len(standin.seen) <= seen + 1  # at most the Issued date, added once registered
    with django_capture_on_commit_callbacks(execute=True):
        publication_changed(publication=publication)
    assert len(standin.seen) <= seen + 1


def test_withdrawing_hides_the_doi_which_still_resolves_to_the_tombstone(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, client: Client
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)
    assert publication.doi

    with django_capture_on_commit_callbacks(execute=True):
        assert publication_withdraw(publication=publication, reason="Mislabelled sample.")
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.HIDDEN
    remote = standin.doi(publication.doi)
    assert remote.state == "registered"
    assert remote.attributes["url"] == f"{BASE_URL}/doi/{publication.doi}"
    assert standin.requests("PUT")[-1].body["data"]["attributes"]["event"] == "hide"
    page = client.get(f"/doi/{publication.doi}")
    assert page.status_code == 410
    assert "Mislabelled sample." in page.content.decode()


def test_restoring_makes_the_doi_findable_again(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)
    assert publication.doi
    with django_capture_on_commit_callbacks(execute=True):
        publication_withdraw(publication=publication, reason="Checking.")

    with django_capture_on_commit_callbacks(execute=True):
        assert publication_restore(publication=publication)
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.FINDABLE
    assert publication.visibility == Visibility.PUBLIC
    assert standin.doi(publication.doi).state == "findable"


def test_a_draft_cannot_be_withdrawn(standin: DataCiteStandIn) -> None:
    draft = DraftPublicationFactory.create()

    assert publication_withdraw(publication=draft, reason="x") is False
    draft.refresh_from_db()
    assert draft.visibility == Visibility.PUBLIC
    assert standin.seen == []


def test_every_call_is_logged_without_the_password(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)

    calls = list(publication.datacite_calls.order_by("at", "id"))

    assert [(c.method, c.status) for c in calls] == [("GET", 404), ("POST", 201)]
    assert calls[1].path == "/dois"
    assert '"findable"' in calls[1].response_body
    for call in DataCiteCall.objects.all():
        assert PASSWORD not in call.request_body + call.response_body + call.error + call.path


def test_push_with_nothing_pending_does_nothing(standin: DataCiteStandIn) -> None:
    publication = DraftPublicationFactory.create()

    outcome = publication_push(publication_id=publication.pk)

    assert (outcome.state, outcome.calls) == (DoiState.DRAFT, 0)
    assert standin.seen == []


def test_the_catalogue_never_overwrites_a_portal_publication(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = register(DraftPublicationFactory.create(), django_capture_on_commit_callbacks)
    assert publication.doi

    counts = publication_upsert(item=PublicationIn(doi=publication.doi, title="Catalogue copy"))

    publication.refresh_from_db()
    assert counts.unchanged == 1
    assert publication.title != "Catalogue copy"
    assert publication.doi_state == DoiState.FINDABLE


def test_withdrawn_before_the_task_ran_is_registered_hidden(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    publication = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        publication_register(publication_id=publication.pk)
        publication_withdraw(publication=publication, reason="Changed our mind.")

    for callback in queued:
        callback()
    publication.refresh_from_db()

    assert publication.doi_state == DoiState.HIDDEN
    assert standin.doi(publication.doi).state == "registered"  # resolves, to the tombstone
    assert standin.requests("POST")[0].body["data"]["attributes"]["event"] == "register"


def test_retry_delays_grow_and_stay_bounded() -> None:
    delays = [retry_delay(n) for n in range(12)]

    assert 2.5 <= delays[0] <= 5
    assert all(d <= 1800 for d in delays)
    assert min(retry_delay(9) for _ in range(20)) >= 900
