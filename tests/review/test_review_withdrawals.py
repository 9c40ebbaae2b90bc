"""Records of a review deleted in the catalogue before release (issue #17, review/withdrawals.py),
against the SciCat and DataCite stand-ins. Celery runs eagerly: DataCite is called when the
transaction commits (``django_capture_on_commit_callbacks(execute=True)``)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalogue.visibility import Visibility, WithdrawnBy
from portal.celery import beat_schedule
from publishing.models import DoiState, Publication, ReservedDataset
from review import withdrawals
from review.models import Review
from review.services import NewLink, review_create
from review.withdrawals import WITHDRAWN_REASON, reviews_check
from sync import live
from sync.scicat import CatalogueRefused, CatalogueUnavailable
from tests.publishing.support import BASE_URL
from tests.review.conftest import OnCommit
from tests.standins.datacite import DataCiteStandIn
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import EMBARGO_END_PAST, add, pid

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(
    catalogue: SciCatStandIn, django_capture_on_commit_callbacks: OnCommit, settings: Any
) -> tuple[Review, NewLink]:
    """A review of datasets 1 and 2 (under embargo), its DOI registered; no grace period."""
    settings.PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS = 0
    settings.SCICAT_RETRIES = 0
    with django_capture_on_commit_callbacks(execute=True):
        made, link = review_create(pids=[pid(1), pid(2)])
    made.publication.refresh_from_db()
    return made, link


def _check(on_commit: OnCommit, **kwargs: Any) -> Any:
    with on_commit(execute=True):
        return reviews_check(**kwargs)


def _path(link: NewLink) -> str:
    return link.url.removeprefix(BASE_URL)


def _puts(standin: DataCiteStandIn) -> int:
    return sum(1 for e in standin.seen if e.method == "PUT")


def test_all_records_deleted_close_the_review_and_leave_a_registered_doi_at_a_tombstone(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    made, link = review
    doi = made.publication.doi
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    report = _check(django_capture_on_commit_callbacks)
    assert report.closed == [made.pk]
    assert report.deleted == 2

    made.refresh_from_db()
    assert made.cancelled
    publication = Publication.objects.get(pk=made.publication.pk)
    assert publication.reserved  # never released
    assert publication.visibility == Visibility.WITHDRAWN
    assert publication.withdrawn_by == WithdrawnBy.CATALOGUE
    assert publication.withdrawn_reason == WITHDRAWN_REASON
    assert publication.doi_state == DoiState.HIDDEN  # withdrawn here; at DataCite: below
    remote = standin.doi(doi)
    assert remote.state == "registered"  # resolvable, never findable
    assert remote.attributes["url"] == f"{BASE_URL}/doi/{doi}"
    page = client.get(f"/doi/{doi}")
    assert page.status_code == 410
    assert "not released" in page.content.decode()
    assert client.get(_path(link)).status_code == 404  # as a cancelled review's links

    # Checked again: nothing more happens, DataCite is not called again.
    puts = _puts(standin)
    again = _check(django_capture_on_commit_callbacks)
    assert again.reviews == 0
    assert _puts(standin) == puts


def test_some_records_deleted_keep_the_review_open_and_release_only_the_others(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    made, link = review
    catalogue.delete_dataset(pid(1))
    report = _check(django_capture_on_commit_callbacks)
    assert report.closed == []
    assert report.partial == [made.pk]
    made.refresh_from_db()
    assert not made.cancelled
    assert ReservedDataset.objects.get(pid=pid(1)).missing_since is not None
    assert ReservedDataset.objects.get(pid=pid(2)).missing_since is None

    caches["review"].clear()
    page = client.get(_path(link))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Reflectivity scan 2" in body
    assert "Reflectivity scan 1" not in body
    assert "1 dataset of this review is no longer shown by the catalogue" in body

    # The remaining record's embargo lifts: the DOI is released with it alone.
    add(catalogue, 2, published=True, embargo_end=EMBARGO_END_PAST)
    with django_capture_on_commit_callbacks(execute=True):
        live.records_sync(pids=[pid(2)])
    publication = Publication.objects.get(pk=made.publication.pk)
    assert not publication.reserved
    assert list(publication.datasets.values_list("pid", flat=True)) == [pid(2)]
    assert standin.doi(publication.doi).state == "findable"


@pytest.mark.parametrize("fault", ["list", "own URL"])
def test_a_transient_503_withdraws_nothing(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    fault: str,
) -> None:
    made, _ = review
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    puts = _puts(standin)
    catalogue.fail(503, times=5, path=None if fault == "list" else "/api/v3/datasets/")
    with pytest.raises(CatalogueUnavailable):
        _check(django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert not made.cancelled
    assert not ReservedDataset.objects.exclude(missing_since=None).exists()
    assert _puts(standin) == puts
    assert standin.doi(made.publication.doi).state == "registered"


def test_an_expired_token_read_as_anonymous_withdraws_nothing(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    settings: Any,
) -> None:
    """4.17 reads an expired token as no token: the v4 list refuses (403), and the records'
    own v3 URLs would answer 403, never 404: no record is taken as deleted."""
    made, _ = review
    settings.SCICAT_USERNAME = ""
    settings.SCICAT_PASSWORD = ""
    settings.SCICAT_TOKEN = "a-token-the-catalogue-no-longer-accepts"
    with pytest.raises(CatalogueRefused):
        _check(django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert not made.cancelled
    assert not ReservedDataset.objects.exclude(missing_since=None).exists()


def test_a_record_back_within_the_grace_period_keeps_the_review(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    settings: Any,
) -> None:
    made, _ = review
    settings.PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS = 24
    saved = catalogue.dataset(pid(1))
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    first = _check(django_capture_on_commit_callbacks)
    assert first.closed == []  # marked, not closed: within the grace period
    assert ReservedDataset.objects.filter(missing_since__isnull=False).count() == 2

    # Dataset 1 is ingested again under the same pid: its mark goes, the review stays.
    catalogue.put_dataset(saved)
    later = timezone.now() + timedelta(hours=25)
    second = _check(django_capture_on_commit_callbacks, now=later)
    assert second.closed == []
    assert ReservedDataset.objects.get(pid=pid(1)).missing_since is None
    made.refresh_from_db()
    assert not made.cancelled

    # Both gone for longer than the grace period: closed.
    catalogue.delete_dataset(pid(1))
    _check(django_capture_on_commit_callbacks, now=later)
    third = _check(django_capture_on_commit_callbacks, now=later + timedelta(hours=25))
    assert third.closed == [made.pk]


def test_opening_the_link_of_a_review_whose_records_vanished_is_a_410_then_closes_it(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    made, link = review
    caches["review"].clear()
    cache.clear()
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_path(link))
        export = client.get(f"{_path(link)}export/bibtex")
    assert response.status_code == 410
    assert export.status_code == 410
    assert response["Cache-Control"] == "private, no-store"
    assert "no longer in the facility" in response.content.decode()
    # The page asked for a check of its review, which closed it.
    made.refresh_from_db()
    assert made.cancelled
    assert standin.doi(made.publication.doi).state == "registered"
    assert client.get(_path(link)).status_code == 404
    assert client.get(f"/doi/{made.publication.doi}").status_code == 410


def test_the_command_checks_and_beat_runs_it_hourly(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    made, _ = review
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("review", "check", "--no-progress", stdout=out, stderr=io.StringIO())
    assert f"closed as not released: 1 ({made.pk})" in out.getvalue()
    assert beat_schedule()["review-check"]["task"] == "review.tasks.reviews_check"


def test_a_catalogue_that_lost_many_records_at_once_marks_nothing_until_allowed(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another, emptier instance behind SCICAT_URL (or an old backup) looks like deletions."""
    made, _ = review
    monkeypatch.setattr(withdrawals, "MASS_DELETION_FLOOR", 1)
    catalogue.delete_dataset(pid(1))
    catalogue.delete_dataset(pid(2))
    with pytest.raises(withdrawals.MassDeletionRefused, match="--allow-mass-deletion"):
        _check(django_capture_on_commit_callbacks)
    assert not ReservedDataset.objects.exclude(missing_since=None).exists()
    report = _check(django_capture_on_commit_callbacks, allow_mass_deletion=True)
    assert report.closed == [made.pk]


def test_staff_see_which_records_were_deleted_and_why_a_review_closed(
    review: tuple[Review, NewLink],
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    made, _ = review
    client.force_login(User.objects.create_superuser("curator", "c@facility.example", "x"))
    catalogue.delete_dataset(pid(1))
    _check(django_capture_on_commit_callbacks)
    page = client.get(f"/admin/review/review/{made.pk}/change/").content.decode()
    assert f"{pid(1)} (deleted in the catalogue since" in page
    assert f"{pid(2)} (under embargo)" in page
    catalogue.delete_dataset(pid(2))
    _check(django_capture_on_commit_callbacks)
    listing = client.get("/admin/review/review/").content.decode()
    assert "not released: deleted in the catalogue" in listing
