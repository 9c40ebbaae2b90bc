"""The structured publication editor, its dataset picker and the honest register page."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from publishing.editor.forms import Editor
from publishing.forms import DataCiteListField, PublicationForm
from publishing.models import DoiState, Publication
from tests.factories import DatasetFactory, InstrumentFactory, ProposalFactory
from tests.publishing.support import DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]


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


def edit_url(publication: Publication) -> str:
    return reverse("admin:publishing_publication_change", args=[publication.pk])


def datasets_url(publication: Publication) -> str:
    return reverse("admin:publishing_publication_datasets", args=[publication.pk])


def register_url(publication: Publication) -> str:
    return reverse("admin:publishing_publication_register", args=[publication.pk])


def editor_data(publication: Publication, **changes: Any) -> dict[str, Any]:
    """What the editor's form posts when nothing is touched, then ``changes``."""
    editor = Editor.of(publication)
    data: dict[str, Any] = {}
    for name in editor.main.fields:
        value = editor.main[name].value()
        data[name] = "" if value is None else value
    for formset in editor.formsets.values():
        for name, field in formset.management_form.fields.items():
            value = formset.management_form[name].value()
            data[f"{formset.prefix}-{name}"] = field.initial if value is None else value
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if name == "DELETE":
                    continue
                data[f"{form.prefix}-{name}"] = "" if value is None else value
    data.update(changes)
    return data


def history(publication: Publication) -> list[str]:
    return [
        entry.get_change_message()
        for entry in LogEntry.objects.filter(object_id=str(publication.pk)).order_by("pk")
    ]


def test_the_editor_shows_each_list_as_rows_and_the_datasets_by_title(curator: Client) -> None:
    dataset = DatasetFactory.create(title="Lysozyme at 100 K", number_of_files=12)
    draft = DraftPublicationFactory.create(with_datasets=[dataset])

    body = curator.get(edit_url(draft)).content.decode()

    assert 'name="creators-0-family_name"' in body
    assert 'value="Franklin"' in body
    assert 'value="https://orcid.org/0000-0002-1825-0097"' in body
    assert 'name="rights-0-spdx"' in body
    assert 'value="CC-BY-4.0"' in body
    assert "Lysozyme at 100 K" in body
    assert "Edit as JSON (experts)" in body
    assert "Draft publication" not in body


def test_curator_saves_two_creators_a_related_article_and_funding(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    data = editor_data(
        draft,
        **{
            "creators-1-name_type": "Personal",
            "creators-1-given_name": "Josiah",
            "creators-1-family_name": "Carberry",
            "creators-1-orcid": "0000-0002-1825-0097",
            "creators-1-affiliation_name": "Brown University",
            "creators-1-affiliation_ror": "https://ror.org/05gq02987",
            "creators-1-ORDER": "2",
            "related_identifiers-0-relation_type": "IsSupplementTo",
            "related_identifiers-0-identifier_type": "DOI",
            "related_identifiers-0-identifier": "https://doi.org/10.1107/S1600576722000000",
            "related_identifiers-0-resource_type": "JournalArticle",
            "funding_references-0-funder_name": "European Research Council",
            "funding_references-0-funder_identifier_type": "ROR",
            "funding_references-0-funder_identifier": "0472cxd90",
            "funding_references-0-award_number": "101000000",
        },
    )

    response = curator.post(edit_url(draft), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert [c["name"] for c in draft.creators] == ["Franklin, Rosalind", "Carberry, Josiah"]
    josiah = draft.creators[1]
    assert josiah["nameIdentifiers"][0]["nameIdentifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert josiah["affiliation"][0] == {
        "name": "Brown University",
        "affiliationIdentifier": "https://ror.org/05gq02987",
        "affiliationIdentifierScheme": "ROR",
        "schemeUri": "https://ror.org",
    }
    assert draft.related_identifiers == [
        {
            "relatedIdentifier": "10.1107/s1600576722000000",
            "relatedIdentifierType": "DOI",
            "relationType": "IsSupplementTo",
            "resourceTypeGeneral": "JournalArticle",
        }
    ]
    assert draft.funding_references[0]["funderIdentifier"] == "https://ror.org/0472cxd90"
    assert history(draft) == ["Edited creators, related_identifiers, funding_references."]


def test_rows_are_reordered_and_removed(curator: Client) -> None:
    first = {"name": "Meitner, Lise", "nameType": "Personal", "familyName": "Meitner"}
    second = {"name": "Curie, Marie", "nameType": "Personal", "familyName": "Curie"}
    draft = DraftPublicationFactory.create(creators=[first, second])
    data = editor_data(draft, **{"creators-0-ORDER": "2", "creators-1-ORDER": "1"})

    curator.post(edit_url(draft), data)
    draft.refresh_from_db()
    assert [c["name"] for c in draft.creators] == ["Curie, Marie", "Meitner, Lise"]

    curator.post(edit_url(draft), editor_data(draft, **{"creators-1-DELETE": "on"}))
    draft.refresh_from_db()
    assert [c["name"] for c in draft.creators] == ["Curie, Marie"]


def test_typed_fields_are_checked_and_errors_stand_next_to_them(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    data = editor_data(
        draft,
        **{
            "creators-0-orcid": "0000-0002-1825-0098",
            "creators-0-affiliation_ror": "not-a-ror",
            "related_identifiers-0-relation_type": "Cites",
            "related_identifiers-0-identifier_type": "DOI",
            "related_identifiers-0-identifier": "doi.org/oops",
            "dates-0-date": "May 2024",
            "dates-0-date_type": "Collected",
            "rights-0-spdx": "CC-BY-9.9",
        },
    )

    response = curator.post(edit_url(draft), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Please correct the errors below." in body
    assert "the last one a check digit" in body
    assert "Not a ROR id" in body
    assert "Not a DOI" in body
    assert "Not an ISO 8601 date" in body
    assert "CC-BY-9.9 is not on the SPDX licence list." in body
    assert 'value="0000-0002-1825-0098"' in body  # what was typed stays
    draft.refresh_from_db()
    assert draft.creators[0]["nameIdentifiers"][0]["nameIdentifier"].endswith("0097")
    assert history(draft) == []


def test_a_row_is_added_without_javascript_and_nothing_is_saved(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    data = editor_data(draft, title="Typed but not saved", _add="subjects")

    response = curator.post(edit_url(draft), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="subjects-1-subject"' in body
    assert "Typed but not saved" in body
    draft.refresh_from_db()
    assert draft.title != "Typed but not saved"


def test_htmx_adds_a_row_by_swapping_only_its_list(curator: Client) -> None:
    draft = DraftPublicationFactory.create()

    response = curator.post(
        edit_url(draft) + "?add=creators", editor_data(draft), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset class="module rows-section" id="field-creators">')
    assert 'name="creators-2-family_name"' in body
    assert "<html" not in body


def test_keys_the_rows_do_not_show_are_kept(curator: Client) -> None:
    creator = {
        "name": "Franklin, Rosalind",
        "nameType": "Personal",
        "familyName": "Franklin",
        "givenName": "Rosalind",
        "lang": "en",
        "nameIdentifiers": [
            {
                "nameIdentifier": "https://isni.org/isni/0000000121032683",
                "nameIdentifierScheme": "ISNI",
            }
        ],
    }
    draft = DraftPublicationFactory.create(creators=[creator])

    curator.post(edit_url(draft), editor_data(draft, title="Renamed"))

    draft.refresh_from_db()
    assert draft.title == "Renamed"
    assert draft.creators == [creator]


def test_suggestions_from_the_datasets_are_added_as_rows(curator: Client) -> None:
    instrument = InstrumentFactory.create(pid="https://hdl.handle.net/21.11151/p08")
    dataset = DatasetFactory.create(
        license="https://creativecommons.org/licenses/by/4.0/",
        keywords=["lysozyme"],
        instrument=instrument,
        creators=[{"name": "Hodgkin, Dorothy"}],
    )
    draft = DraftPublicationFactory.create(with_datasets=[dataset], rights=[], subjects=[])

    page = curator.get(edit_url(draft)).content.decode()
    assert "Add “CC-BY-4.0” (from the datasets)" in page
    assert "Add “lysozyme” (from the datasets)" in page
    assert "Add “Hodgkin, Dorothy” (from the datasets)" in page
    assert "collected by https://hdl.handle.net/21.11151/p08" in page

    key = next(
        line.split('value="')[1].split('"')[0]
        for line in page.splitlines()
        if 'name="_suggest"' in line and "CC-BY-4.0" in line
    )
    shown = curator.post(edit_url(draft), editor_data(draft, _suggest=key)).content.decode()
    assert 'name="rights-1-spdx"' in shown
    assert 'value="CC-BY-4.0"' in shown


def test_people_used_before_are_offered(curator: Client) -> None:
    DraftPublicationFactory.create()  # Franklin, Rosalind, with ORCID iD and affiliation
    draft = DraftPublicationFactory.create(creators=[{"name": "Someone", "nameType": "Personal"}])
    people = reverse("admin:publishing_publication_people")

    found = curator.get(people, {"q": "frank"}).json()
    choices = curator.get(people, {"q": "0000-0002"}, HTTP_HX_REQUEST="true").content.decode()
    data = editor_data(draft, _add_person="1", _person_pick="0000-0002-1825-0097")
    added = curator.post(edit_url(draft), data).content.decode()

    assert found == [
        {
            "name": "Franklin, Rosalind",
            "orcid": "0000-0002-1825-0097",
            "affiliation": "Photon Science Facility",
        }
    ]
    assert "data-person-row" in choices
    assert "Franklin, Rosalind · 0000-0002-1825-0097" in choices
    assert (
        'name="creators-2-family_name" value="Franklin"' in added.replace(' maxlength="200"', "")
        or 'value="Franklin"' in added
    )


def test_datasets_are_picked_by_title_pid_proposal_and_run_number(curator: Client) -> None:
    proposal = ProposalFactory.create(proposal_id="11019999")
    first = DatasetFactory.create(title="Ptychography of a leaf", proposal=proposal, run_number="7")
    second = DatasetFactory.create(proposal=proposal)
    draft = DraftPublicationFactory.create(with_datasets=[DatasetFactory.create()])
    url = datasets_url(draft)

    by_title = curator.get(url, {"q": "ptychography"}).content.decode()
    by_run = curator.get(url, {"q": "7"}, HTTP_HX_REQUEST="true").content.decode()
    by_proposal = curator.get(url, {"q": "11019999"}).content.decode()

    assert "Ptychography of a leaf" in by_title
    assert "Ptychography of a leaf" in by_run
    assert by_run.lstrip().startswith('<div id="results"')
    assert "Add every dataset of proposal 11019999" in by_proposal
    response = curator.post(url, {"proposal": "11019999", "_add_proposal": "1"})
    assert response.status_code == 302
    assert set(draft.datasets.all()) >= {first, second}
    curator.post(url, {"dataset": [str(first.pk)], "_remove": "1"})
    assert first not in set(draft.datasets.all())
    assert history(draft) == [
        f"Added 2 dataset(s): {first.pid}, {second.pid}",
        f"Removed 1 dataset(s): {first.pid}",
    ]


def test_register_page_shows_the_doi_it_registers_and_registers_that_one(
    publisher: Client, standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    draft = DraftPublicationFactory.create()

    page = publisher.get(register_url(draft)).content.decode()
    doi = page.split('<code id="doi">')[1].split("</code>")[0]
    assert doi.startswith("10.99999/")
    assert f"&quot;doi&quot;: &quot;{doi}&quot;" in page
    assert f'name="doi" value="{doi}"' in page
    assert "chosen when registering" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher.post(register_url(draft), {"doi": doi})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.doi == doi
    assert draft.doi_state == DoiState.FINDABLE
    assert history(draft) == [f"Asked DataCite to register {doi}."]


def test_register_page_checklist_refuses_a_missing_abstract_and_licence(
    publisher: Client, standin: DataCiteStandIn
) -> None:
    draft = DraftPublicationFactory.create(abstract="", rights=[])

    page = publisher.get(register_url(draft)).content.decode()
    posted = publisher.post(register_url(draft)).content.decode()

    for body in (page, posted):
        assert '<li class="fail" data-check="abstract">' in body
        assert '<li class="fail" data-check="licence">' in body
        assert '<li class="ok" data-check="creators">' in body
        assert '<li class="ok" data-check="datacite">' in body
        assert f"{edit_url(draft)}#field-abstract" in body
        assert "Register DOI at DataCite" not in body
    assert "fix what the checklist marks first" in posted
    assert standin.seen == []


def test_register_action_refuses_what_the_checklist_refuses(
    publisher: Client, standin: DataCiteStandIn
) -> None:
    draft = DraftPublicationFactory.create(abstract="")

    response = publisher.post(
        reverse("admin:publishing_publication_changelist"),
        {"action": "register", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "An abstract says what the data are" in response.content.decode()
    draft.refresh_from_db()
    assert draft.doi_state == DoiState.DRAFT
    assert standin.seen == []


def test_staff_without_publication_rights_cannot_open_the_editor(client: Client) -> None:
    draft = DraftPublicationFactory.create()
    clerk = get_user_model().objects.create_user("clerk", password="x" * 20, is_staff=True)
    client.force_login(clerk)

    assert client.get(edit_url(draft)).status_code == 403
    assert client.get(datasets_url(draft)).status_code == 403
    assert client.post(datasets_url(draft), {"proposal": "x"}).status_code == 403


def test_a_registered_publication_is_edited_by_publishers_only(
    curator: Client,
    publisher: Client,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    draft = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(register_url(draft))
    draft.refresh_from_db()

    refused = curator.post(edit_url(draft), editor_data(draft, title="Curator's idea"))
    with django_capture_on_commit_callbacks(execute=True):
        accepted = publisher.post(edit_url(draft), editor_data(draft, title="Publisher's fix"))

    assert refused.status_code == 403
    assert curator.post(datasets_url(draft), {"proposal": "x"}).status_code == 403
    assert accepted.status_code == 302
    assert standin.doi(draft.doi).attributes["titles"][0]["title"] == "Publisher's fix"


def test_the_json_toggle_is_checked_the_same_way(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    creators = json.dumps(
        [
            {
                "name": "X",
                "nameType": "Personal",
                "nameIdentifiers": [
                    {"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}
                ],
            }
        ]
    )
    url = reverse("admin:publishing_publication_json", args=[draft.pk])

    page = curator.get(url).content.decode()
    response = curator.post(url, {**editor_data(draft), "creators": creators})

    assert "Edit as a form" in page
    assert "check digit" in response.content.decode()


def test_curator_adds_a_contributor_and_a_geo_location(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    data = editor_data(
        draft,
        **{
            "contributors-0-contributor_type": "DataCollector",
            "contributors-0-name_type": "Personal",
            "contributors-0-given_name": "Josiah",
            "contributors-0-family_name": "Carberry",
            "contributors-0-orcid": "0000-0002-1825-0097",
            "contributors-0-affiliation_name": "Brown University",
            "contributors-0-affiliation_ror": "05gq02987",
            "geo_locations-0-place": "Hamburg, Germany",
            "geo_locations-0-point_latitude": "53.5754",
            "geo_locations-0-point_longitude": "9.8803",
        },
    )

    response = curator.post(edit_url(draft), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    [josiah] = draft.contributors
    assert josiah["contributorType"] == "DataCollector"
    assert josiah["nameIdentifiers"][0]["nameIdentifier"].endswith("0000-0002-1825-0097")
    assert josiah["affiliation"][0]["affiliationIdentifier"] == "https://ror.org/05gq02987"
    assert draft.geo_locations == [
        {
            "geoLocationPlace": "Hamburg, Germany",
            "geoLocationPoint": {"pointLatitude": 53.5754, "pointLongitude": 9.8803},
        }
    ]
    # (the factory's creator gains the schemeUri of its ORCID iD and ROR id on the way)
    assert history(draft) == ["Edited creators, contributors, geo_locations."]
    page = curator.get(edit_url(draft)).content.decode()
    assert 'name="contributors-0-contributor_type"' in page
    assert 'value="53.5754"' in page


def test_contributor_and_geo_mistakes_stand_next_to_their_fields(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    data = editor_data(
        draft,
        **{
            "contributors-0-name_type": "Personal",
            "contributors-0-family_name": "Carberry",
            "contributors-0-orcid": "0000-0002-1825-0098",
            "geo_locations-0-west": "1",
            "geo_locations-0-east": "2",
            "geo_locations-0-south": "60",
            "geo_locations-0-north": "50",
        },
    )

    body = curator.post(edit_url(draft), data).content.decode()

    contributors = body.split('id="field-contributors"')[1].split("</fieldset>")[0]
    places = body.split('id="field-geo_locations"')[1].split("</fieldset>")[0]
    assert "This field is required." in contributors  # the role
    assert "the last one a check digit" in contributors
    assert "The south edge is north of the north edge." in places
    draft.refresh_from_db()
    assert draft.contributors == []
    assert draft.geo_locations == []


def test_contributors_are_suggested_from_the_datasets_and_people_used_before(
    curator: Client, settings: Any
) -> None:
    settings.PORTAL_PUBLISHER = "Photon Science Facility"
    proposal = ProposalFactory.create(pi_name="Noether, Emmy")
    dataset = DatasetFactory.create(proposal=proposal, creators=[{"name": "Hodgkin, Dorothy"}])
    DraftPublicationFactory.create(
        contributors=[
            {
                "name": "Carberry, Josiah",
                "nameType": "Personal",
                "familyName": "Carberry",
                "givenName": "Josiah",
                "contributorType": "Editor",
                "nameIdentifiers": [
                    {
                        "nameIdentifier": "https://orcid.org/0000-0001-5109-3700",
                        "nameIdentifierScheme": "ORCID",
                    }
                ],
            }
        ]
    )
    draft = DraftPublicationFactory.create(with_datasets=[dataset], creators=[])

    page = curator.get(edit_url(draft)).content.decode()
    assert "Add “Noether, Emmy as contact person” (from the datasets)" in page
    assert "Add “Hodgkin, Dorothy as data collector” (from the datasets)" in page
    assert "Add “Photon Science Facility as hosting institution” (from the datasets)" in page
    key = next(
        line.split('value="')[1].split('"')[0]
        for line in page.splitlines()
        if 'name="_suggest"' in line and "contact person" in line
    )
    shown = curator.post(edit_url(draft), editor_data(draft, _suggest=key)).content.decode()
    assert 'name="contributors-1-family_name"' in shown
    assert '<option value="ContactPerson" selected>' in shown

    people = reverse("admin:publishing_publication_people")
    assert curator.get(people, {"q": "carb"}).json()[0]["name"] == "Carberry, Josiah"
    data = editor_data(draft, _add_person="contributors", _contributor_pick="0000-0001-5109-3700")
    added = curator.post(edit_url(draft), data).content.decode()
    section = added.split('id="field-contributors"')[1].split("</fieldset>")[0]
    assert 'value="Carberry"' in section
    assert 'name="contributors-1-contributor_type"' in section


def json_data(publication: Publication) -> dict[str, Any]:
    """What the JSON form posts when nothing is touched."""
    form = PublicationForm(instance=publication)
    data: dict[str, Any] = {"datacite_calls-TOTAL_FORMS": "0", "datacite_calls-INITIAL_FORMS": "0"}
    for name in form.fields:
        value = form[name].value()
        if name == "datasets":
            data[name] = [str(pk) for pk in value or []]
        elif isinstance(form.fields[name], DataCiteListField):
            data[name] = form.fields[name].prepare_value(value)
        else:
            data[name] = "" if value is None else value
    return data


def test_the_json_toggle_checks_contributors_and_geo_locations(curator: Client) -> None:
    draft = DraftPublicationFactory.create()
    url = reverse("admin:publishing_publication_json", args=[draft.pk])
    contributors = json.dumps([{"name": "X", "contributorType": "Boss"}])
    places = json.dumps([{"geoLocationPoint": {"pointLatitude": 91, "pointLongitude": 0}}])

    page = curator.get(url).content.decode()
    refused = curator.post(
        url, {**editor_data(draft), "contributors": contributors, "geo_locations": places}
    ).content.decode()
    good = json.dumps(
        [
            {
                "name": "Y",
                "contributorType": "Editor",
                "nameIdentifiers": [
                    {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}
                ],
            }
        ]
    )
    saved = curator.post(url, {**json_data(draft), "contributors": good})

    assert 'name="contributors"' in page
    assert 'name="geo_locations"' in page
    assert "&#x27;Boss&#x27; is not one of" in refused
    assert "91 is greater than the maximum of 90" in refused
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.contributors[0]["nameIdentifiers"][0]["nameIdentifier"] == (
        "https://orcid.org/0000-0002-1825-0097"
    )
    assert history(draft)[-1] == "Changed contributors."  # the audit log
