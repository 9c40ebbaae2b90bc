"""The publishing workflow in the admin: curators prepare, publishers register."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from catalogue.visibility import Visibility
from publishing.models import DoiState, Publication
from tests.factories import DatasetFactory, ProposalFactory, PublicationFactory
from tests.publishing.support import DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]
PUBLICATIONS = reverse("admin:publishing_publication_changelist")
DATASETS = reverse("admin:catalogue_dataset_changelist")
PROPOSALS = reverse("admin:catalogue_proposal_changelist")


def change_url(publication: Publication) -> str:
    return reverse("admin:publishing_publication_change", args=[publication.pk])


def json_url(publication: Publication) -> str:
    """The expert form: Django's change form with the DataCite lists as JSON."""
    return reverse("admin:publishing_publication_json", args=[publication.pk])


def register_url(publication: Publication) -> str:
    return reverse("admin:publishing_publication_register", args=[publication.pk])


def staff(group: str) -> Client:
    user = get_user_model().objects.create_user(group.lower(), password="x" * 20, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def curator() -> Client:
    return staff("Curators")


@pytest.fixture
def publisher() -> Client:
    return staff("Publishers")


def form_data(publication: Publication, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": publication.title,
        "abstract": publication.abstract,
        "publisher": publication.publisher,
        "publication_year": publication.publication_year or "",
        "resource_type": publication.resource_type,
        "datasets": ",".join(str(pk) for pk in publication.datasets.values_list("pk", flat=True)),
        "datacite_calls-TOTAL_FORMS": "0",
        "datacite_calls-INITIAL_FORMS": "0",
        "datacite_calls-MIN_NUM_FORMS": "0",
        "datacite_calls-MAX_NUM_FORMS": "0",
    }
    for name in (
        "creators",
        "other_titles",
        "subjects",
        "rights",
        "related_identifiers",
        "funding_references",
        "dates",
    ):
        data[name] = json.dumps(getattr(publication, name))
    data.update(changes)
    return data


def test_curator_creates_a_draft_from_selected_datasets(curator: Client) -> None:
    chosen = [DatasetFactory.create(title="Scan A"), DatasetFactory.create(title="Scan B")]

    response = curator.post(
        DATASETS,
        {"action": "create_publication", ACTION_CHECKBOX_NAME: [str(d.pk) for d in chosen]},
    )

    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(publication)
    assert publication.doi_state == DoiState.DRAFT
    assert publication.doi == ""
    assert set(publication.datasets.all()) == set(chosen)
    assert publication.creators  # prefilled, never empty
    assert not Publication.objects.public().exists()


def test_curator_creates_one_draft_per_beamtime(curator: Client) -> None:
    proposal = ProposalFactory.create(title="Operando battery cathodes")
    DatasetFactory.create_batch(3, proposal=proposal)
    DatasetFactory.create()  # another beamtime

    curator.post(PROPOSALS, {"action": "create_publications", ACTION_CHECKBOX_NAME: [proposal.pk]})

    publication = Publication.objects.get()
    assert publication.title == "Operando battery cathodes"
    assert publication.datasets.count() == 3
    entry = LogEntry.objects.get(object_id=str(publication.pk))
    assert entry.is_addition()
    assert entry.get_change_message() == "Created from 3 dataset(s) in the proposal list."


def test_curator_edits_a_draft_and_orcid_and_ror_ids_are_completed(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    creators = [
        {
            "name": "Carberry, Josiah",
            "nameType": "Personal",
            "nameIdentifiers": [
                {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "orcid"}
            ],
            "affiliation": [
                {
                    "name": "DESY",
                    "affiliationIdentifier": "01js2sh04",
                    "affiliationIdentifierScheme": "ROR",
                }
            ],
        }
    ]

    response = curator.post(
        json_url(draft), form_data(draft, title="Better", creators=json.dumps(creators))
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.title == "Better"
    identifier = draft.creators[0]["nameIdentifiers"][0]
    assert identifier["nameIdentifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert identifier["nameIdentifierScheme"] == "ORCID"
    affiliation = draft.creators[0]["affiliation"][0]
    assert affiliation["affiliationIdentifier"] == "https://ror.org/01js2sh04"


def test_a_wrong_json_field_says_where_and_what(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    creators = [
        {
            "name": "Carberry, Josiah",
            "nameType": "Someone",
            "nameIdentifiers": [
                {"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}
            ],
        }
    ]

    response = curator.post(
        json_url(draft),
        form_data(
            draft,
            creators=json.dumps(creators),
            dates='[{"date": "2024-05-01", "dateType": "Collected"},]',
            related_identifiers='[{"relatedIdentifier": "10.1/x", "relationType": "Cites"}]',
        ),
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "creators[0].nameType: &#x27;Someone&#x27; is not one of: Organizational, Personal" in body
    )
    assert "creators[0].nameIdentifiers[0].nameIdentifier" in body
    assert "check digit" in body
    assert "This is not valid JSON" in body
    assert "(line 1, column" in body
    assert "relatedIdentifierType" in body
    assert (
        "[{&quot;date&quot;: &quot;2024-05-01&quot;, &quot;dateType&quot;: &quot;Collected&quot;},]"
        in body
    )
    draft.refresh_from_db()
    assert draft.creators[0]["name"] == "Franklin, Rosalind"


def test_preview_shows_the_landing_page_to_staff_only(curator: Client, client: Client) -> None:
    draft = DraftPublicationFactory.create(title="Not public yet")
    url = reverse("landing:publication_preview", args=[draft.pk])

    response = curator.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Not public yet" in body
    assert "Preview of the landing page" in body
    assert "assigned when registered" in body
    assert '<meta name="robots" content="noindex">' in body
    assert "css/landing.css" in body  # the real landing page's styles
    assert client.get(url).status_code == 302  # to the login page
    assert client.get(f"/doi/{draft.doi}").status_code in (404, 301, 302)


def test_the_admin_links_to_the_landing_preview(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    preview = reverse("landing:publication_preview", args=[draft.pk])

    change_form = curator.get(reverse("admin:publishing_publication_change", args=[draft.pk]))
    old_url = curator.get(reverse("admin:publishing_publication_preview", args=[draft.pk]))

    assert f'href="{preview}"' in change_form.content.decode()
    assert (old_url.status_code, old_url["Location"]) == (302, preview)


def test_staff_who_may_not_see_publications_get_no_preview(client: Client) -> None:
    draft = DraftPublicationFactory.create()
    clerk = get_user_model().objects.create_user("clerk", password="x" * 20, is_staff=True)
    client.force_login(clerk)  # staff, in no group: no permission on publications

    response = client.get(reverse("landing:publication_preview", args=[draft.pk]))

    assert response.status_code == 403


def test_curator_checks_the_metadata_but_cannot_register(
    curator: Client, standin: DataCiteStandIn
) -> None:
    draft = DraftPublicationFactory.create()

    page = curator.get(register_url(draft))
    refused = curator.post(register_url(draft))

    assert page.status_code == 200
    body = page.content.decode()
    assert "What DataCite will get" in body
    assert "Register DOI at DataCite" not in body
    assert "up to a publisher" in body
    assert refused.status_code == 403
    draft.refresh_from_db()
    assert draft.doi_state == DoiState.DRAFT
    assert standin.seen == []


def test_curator_cannot_use_the_register_action(curator: Client, standin: DataCiteStandIn) -> None:
    draft = DraftPublicationFactory.create()

    curator.post(PUBLICATIONS, {"action": "register", ACTION_CHECKBOX_NAME: [draft.pk]})

    draft.refresh_from_db()
    assert draft.doi_state == DoiState.DRAFT
    assert standin.seen == []
    assert "Register the DOIs of the selected" not in curator.get(PUBLICATIONS).content.decode()


def test_publisher_registers_and_sees_the_state_and_the_audit_log(
    publisher: Client, standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    draft = DraftPublicationFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher.post(register_url(draft))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.doi_state == DoiState.FINDABLE
    page = publisher.get(json_url(draft)).content.decode()
    assert "Findable" in page
    assert draft.doi in page
    assert "DataCite calls (audit log)" in page
    assert "POST" in page
    assert "201" in page


def test_register_page_lists_what_to_fix(publisher: Client, standin: DataCiteStandIn) -> None:
    draft = DraftPublicationFactory.create(
        creators=[], rights=[{"rights": "CC-BY-4.0", "rightsUri": 5}]
    )

    page = publisher.get(register_url(draft)).content.decode()
    posted = publisher.post(register_url(draft)).content.decode()

    for body in (page, posted):
        assert "Checklist" in body
        assert '<li class="fail" data-check="creators">' in body
        assert "at least one creator is required" in body
        assert "rightsList[0].rightsUri" in body
        assert f"{change_url(draft)}#field-creators" in body
        assert "Register DOI at DataCite" not in body
    assert standin.seen == []


def test_registered_publication_is_read_only_for_curators(
    curator: Client,
    publisher: Client,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    draft = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(register_url(draft))
    draft.refresh_from_db()

    refused = curator.post(json_url(draft), form_data(draft, title="Curator's idea"))
    with django_capture_on_commit_callbacks(execute=True):
        accepted = publisher.post(json_url(draft), form_data(draft, title="Publisher's fix"))

    assert refused.status_code == 403
    assert accepted.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Publisher's fix"
    assert draft.doi_state == DoiState.FINDABLE
    assert standin.doi(draft.doi).attributes["titles"][0]["title"] == "Publisher's fix"


def test_registered_publication_cannot_be_saved_with_metadata_datacite_would_refuse(
    publisher: Client, standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    draft = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(register_url(draft))
    draft.refresh_from_db()
    calls = len(standin.seen)

    response = publisher.post(json_url(draft), form_data(draft, creators="[]"))

    assert response.status_code == 200
    assert "at least one creator is required" in response.content.decode()
    assert len(standin.seen) == calls


def test_withdraw_is_for_publishers_and_hides_the_doi(
    curator: Client,
    publisher: Client,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    draft = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(register_url(draft))
    draft.refresh_from_db()
    data = {
        "action": "withdraw",
        ACTION_CHECKBOX_NAME: [draft.pk],
        "apply": "yes",
        "reason": "Wrong sample.",
    }

    curator.post(PUBLICATIONS, data)
    draft.refresh_from_db()
    assert draft.visibility == Visibility.PUBLIC

    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(PUBLICATIONS, data)
    draft.refresh_from_db()
    assert draft.visibility == Visibility.WITHDRAWN
    assert draft.doi_state == DoiState.HIDDEN
    assert standin.doi(draft.doi).state == "registered"


def test_only_unsent_drafts_can_be_deleted(
    publisher: Client, standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    draft, registered = DraftPublicationFactory.create(), DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(register_url(registered))

    delete = "admin:publishing_publication_delete"
    gone = publisher.post(reverse(delete, args=[draft.pk]), {"post": "yes"})
    kept = publisher.post(reverse(delete, args=[registered.pk]), {"post": "yes"})

    assert gone.status_code == 302
    assert not Publication.objects.filter(pk=draft.pk).exists()
    assert kept.status_code == 403
    assert Publication.objects.filter(pk=registered.pk).exists()


def test_imported_publications_stay_read_only(publisher: Client, standin: DataCiteStandIn) -> None:
    imported = PublicationFactory.create(title="From the catalogue")

    page = publisher.get(change_url(imported))
    refused = publisher.post(change_url(imported), form_data(imported, title="Changed"))
    register = publisher.post(register_url(imported))

    assert page.status_code == 200
    assert "Imported from the catalogue" in page.content.decode()
    assert refused.status_code == 403
    assert register.status_code == 200
    assert "registered elsewhere" in register.content.decode()
    imported.refresh_from_db()
    assert imported.title == "From the catalogue"
    assert standin.seen == []
