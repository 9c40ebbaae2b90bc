"""The staff admin: who may log in, and withdrawing / restoring records there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import DataFile, Dataset
from catalogue.services import dataset_withdraw
from catalogue.visibility import Visibility, WithdrawnBy
from publishing.models import Publication
from publishing.services.withdrawal import publication_withdraw
from tests.factories import (
    DatasetFactory,
    InstrumentFactory,
    ProposalFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db


DATASETS = reverse("admin:catalogue_dataset_changelist")
PUBLICATIONS = reverse("admin:publishing_publication_changelist")


def action(client: Client, url: str, name: str, objects: list[Any], **extra: str) -> Any:
    data = {"action": name, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], **extra}
    return client.post(url, data)


def test_non_staff_user_cannot_log_in() -> None:
    get_user_model().objects.create_user("visitor", password="a-long-passphrase-1")
    client = Client()

    response = client.post(
        reverse("admin:login"),
        {"username": "visitor", "password": "a-long-passphrase-1", "next": "/admin/"},
    )

    assert response.status_code == 200  # the login form again, with an error
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_staff_user_can_log_in() -> None:
    get_user_model().objects.create_user("curator", password="a-long-passphrase-2", is_staff=True)
    client = Client()

    response = client.post(
        reverse("admin:login"),
        {"username": "curator", "password": "a-long-passphrase-2", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_anonymous_visitor_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get(DATASETS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_dataset_list_filters_and_search_work(admin_client: Client) -> None:
    DatasetFactory.create(title="Tomography of a cathode", type="raw")
    DatasetFactory.create(title="Reflectivity", type="derived")

    found = admin_client.get(DATASETS, {"q": "cathode"})
    filtered = admin_client.get(DATASETS, {"type": "derived", "visibility__exact": "public"})

    assert "Tomography of a cathode" in found.content.decode()
    assert "Reflectivity" not in found.content.decode()
    assert "Reflectivity" in filtered.content.decode()
    assert "Tomography" not in filtered.content.decode()


def test_dataset_admin_finds_proposal_ids_run_numbers_and_instruments(
    admin_client: Client,
) -> None:
    proposal = ProposalFactory.create(proposal_id="11012345")
    instrument = InstrumentFactory.create(unique_name="P08", name="High resolution diffraction")
    DatasetFactory.create(title="Of the proposal", proposal=proposal)
    DatasetFactory.create(title="Run seven", run_number="7")
    DatasetFactory.create(title="At P08", instrument=instrument)
    DatasetFactory.create(title="Unrelated", start_time=dt.datetime(2019, 5, 1, tzinfo=dt.UTC))

    def titles(**query: str) -> str:
        return admin_client.get(DATASETS, query).content.decode()

    assert "Of the proposal" in titles(q="11012345")
    assert "Unrelated" not in titles(q="11012345")
    assert "Run seven" in titles(q="7")
    assert "At P08" in titles(q="P08")
    page = titles(year="2019")
    assert "Unrelated" in page
    assert "Run seven" not in page
    for choice in ("data_location__exact=", "year=2019", "instrument__id__exact="):
        assert choice in page
    assert "PID, title, proposal id, run number or instrument" in page


def test_the_admin_is_named_after_the_portal(admin_client: Client, settings: Any) -> None:
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert f">{settings.PORTAL_NAME}</a>" in page
    assert "Django administration" not in page
    assert "css/staff.css" in page


def test_withdraw_asks_for_a_reason_first(admin_client: Client) -> None:
    dataset = DatasetFactory.create()

    response = action(admin_client, DATASETS, "withdraw", [dataset])

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    dataset.refresh_from_db()
    assert dataset.visibility == Visibility.PUBLIC


def test_withdraw_without_a_reason_withdraws_nothing(admin_client: Client) -> None:
    dataset = DatasetFactory.create()

    response = action(admin_client, DATASETS, "withdraw", [dataset], apply="yes", reason="  ")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    dataset.refresh_from_db()
    assert dataset.visibility == Visibility.PUBLIC


def test_withdraw_with_a_reason_withdraws_the_datasets(admin_client: Client) -> None:
    first, second = DatasetFactory.create(), DatasetFactory.create()
    untouched = DatasetFactory.create()

    response = action(
        admin_client,
        DATASETS,
        "withdraw",
        [first, second],
        apply="yes",
        reason="The sample was mislabelled.",
    )

    assert response.status_code == 302
    for dataset in (first, second):
        dataset.refresh_from_db()
        assert dataset.visibility == Visibility.WITHDRAWN
        assert dataset.withdrawn_reason == "The sample was mislabelled."
        assert dataset.withdrawn_by == WithdrawnBy.STAFF
        assert dataset.withdrawn_at is not None
    untouched.refresh_from_db()
    assert untouched.visibility == Visibility.PUBLIC
    logged = LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)])
    assert [e.get_change_message() for e in logged] == [
        "Withdrawn: The sample was mislabelled."
    ] * 2
    page = Client().get(reverse("landing:dataset", args=[first.pid]))
    assert page.status_code == 410
    assert "The sample was mislabelled." in page.content.decode()


def test_restore_makes_a_withdrawn_dataset_public_again(admin_client: Client) -> None:
    dataset = DatasetFactory.create()
    dataset_withdraw(dataset=dataset, reason="by mistake")

    response = action(admin_client, DATASETS, "restore", [dataset])

    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.visibility == Visibility.PUBLIC
    assert dataset.withdrawn_reason == ""
    assert Client().get(reverse("landing:dataset", args=[dataset.pid])).status_code == 200


def test_withdraw_publication_with_a_reason(admin_client: Client) -> None:
    publication = PublicationFactory.create()

    response = action(
        admin_client,
        PUBLICATIONS,
        "withdraw",
        [publication],
        apply="yes",
        reason="Duplicate DOI.",
    )

    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.visibility == Visibility.WITHDRAWN
    assert publication.withdrawn_reason == "Duplicate DOI."
    assert Client().get(f"/doi/{publication.doi}").status_code == 410


def test_restore_publication(admin_client: Client) -> None:
    publication = PublicationFactory.create()
    publication_withdraw(publication=publication, reason="by mistake")

    action(admin_client, PUBLICATIONS, "restore", [publication])

    publication.refresh_from_db()
    assert publication.visibility == Visibility.PUBLIC
    assert Client().get(f"/doi/{publication.doi}").status_code == 200


def test_records_cannot_be_added_or_deleted_in_the_admin(admin_client: Client) -> None:
    dataset = DatasetFactory.create()

    assert admin_client.get(reverse("admin:catalogue_dataset_add")).status_code == 403
    delete = reverse("admin:catalogue_dataset_delete", args=[dataset.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    assert 'value="delete_selected"' not in admin_client.get(DATASETS).content.decode()
    assert admin_client.get(reverse("admin:publishing_publication_add")).status_code == 403
    assert Publication.objects.count() == 0


def test_dataset_change_page_does_not_load_its_files(admin_client: Client) -> None:
    dataset = DatasetFactory.create()
    DataFile.objects.bulk_create(
        DataFile(dataset=dataset, path=f"file_{n:05d}.h5") for n in range(2000)
    )
    url = reverse("admin:catalogue_dataset_change", args=[dataset.pk])

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(url)

    assert response.status_code == 200
    assert "file_00001.h5" not in response.content.decode()
    assert not any(
        "datafile" in q["sql"].lower() and "count(" not in q["sql"].lower()
        for q in captured.captured_queries
    )


def test_reference_data_is_administered(admin_client: Client) -> None:
    DatasetFactory.create()

    for name in ("instrument", "proposal", "technique"):
        assert admin_client.get(reverse(f"admin:catalogue_{name}_changelist")).status_code == 200
