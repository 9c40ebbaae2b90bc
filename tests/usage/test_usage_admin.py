"""The usage figures in the admin: listed per dataset or publication, searchable, read-only."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import DatasetFactory, PublicationFactory
from usage.models import UsageMonth

pytestmark = pytest.mark.django_db

MONTHS = reverse("admin:usage_usagemonth_changelist")


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_superuser("admin", password="a-long-passphrase-1")
    client = Client()
    client.force_login(user)
    return client


def test_figures_are_listed_and_found_by_pid_or_doi(staff: Client) -> None:
    dataset = DatasetFactory.create()
    publication = PublicationFactory.create()
    month = date(2026, 5, 1)
    UsageMonth.objects.create(
        month=month, dataset=dataset, access_method="regular", total_investigations=7
    )
    UsageMonth.objects.create(
        month=month, publication=publication, access_method="machine", total_requests=3
    )
    body = staff.get(MONTHS, {"q": dataset.pid}).content.decode()
    assert dataset.title in body or dataset.pid in body
    assert staff.get(MONTHS, {"q": publication.doi}).status_code == 200


def test_figures_cannot_be_changed(staff: Client) -> None:
    row = UsageMonth.objects.create(
        month=date(2026, 5, 1), dataset=DatasetFactory.create(), access_method="regular"
    )
    assert staff.get(reverse("admin:usage_usagemonth_add")).status_code == 403
    change = staff.post(
        reverse("admin:usage_usagemonth_change", args=[row.pk]), {"total_requests": 99}
    )
    assert change.status_code == 403
    row.refresh_from_db()
    assert row.total_requests == 0
