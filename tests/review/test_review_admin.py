"""Reviews in the admin: created through the service, the link shown once, links revoked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from review.models import Review, ReviewLink
from tests.review.conftest import OnCommit
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import pid

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    user = User.objects.create_superuser("curator", "curator@facility.example", "x")
    client.force_login(user)
    return client


def test_staff_create_a_review_and_see_its_link_once(
    catalogue: SciCatStandIn, staff: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    form = staff.get("/admin/review/review/add/")
    assert form.status_code == 200
    assert "Create the review" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            "/admin/review/review/add/",
            {"datasets": f"{pid(1)}\n{pid(2)}", "proposal": "", "note": "JSR 123"},
            follow=True,
        )
    assert done.status_code == 200
    review = Review.objects.get()
    body = done.content.decode()
    assert review.publication.doi in body
    assert re.search(r"/review/[A-Za-z0-9_-]{43}/", body)
    assert review.note == "JSR 123"


def test_a_bad_request_is_a_form_error_not_a_500(catalogue: SciCatStandIn, staff: Client) -> None:
    neither = staff.post("/admin/review/review/add/", {"datasets": "", "proposal": ""})
    assert neither.status_code == 200
    assert "Give either dataset PIDs or a proposal" in neither.content.decode()
    unknown = staff.post("/admin/review/review/add/", {"datasets": pid(99)})
    assert unknown.status_code == 200
    assert "does not show these datasets" in unknown.content.decode()
    assert not Review.objects.exists()


def test_staff_revoke_a_link(
    catalogue: SciCatStandIn,
    staff: Client,
    django_capture_on_commit_callbacks: OnCommit,
    settings: Any,
) -> None:
    from review.services import review_create

    with django_capture_on_commit_callbacks(execute=True):
        _, new = review_create(pids=[pid(1)])
    response = staff.post(
        "/admin/review/reviewlink/",
        {"action": "revoke", "_selected_action": [str(new.link.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert ReviewLink.objects.get().revoked_at is not None
    staff.logout()
    assert staff.get(new.url.removeprefix(settings.PORTAL_BASE_URL)).status_code == 404
