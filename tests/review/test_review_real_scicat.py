"""A review's records deleted in the real SciCat backend (4.17.1 and 5.2.1, ``tests/scicat_real``)
before release, read with the sync's account in both dialects; DataCite is the stand-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

from publishing.models import ReservedDataset
from review.services import review_create
from review.withdrawals import reviews_check
from sync import scicat
from sync.scicat import client
from tests.review.conftest import OnCommit
from tests.scicat_real.fixtures import SciCatReal
from tests.standins.datacite import DataCiteStandIn

pytestmark = pytest.mark.django_db


@pytest.fixture(params=("v3", "v4"))
def portal(
    scicat_real: SciCatReal,
    standin: DataCiteStandIn,
    request: pytest.FixtureRequest,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> SciCatReal:
    admin = scicat_real.accounts["admin"]
    settings.SCICAT_URL = scicat_real.url
    settings.SCICAT_API_VERSION = str(request.param)
    settings.SCICAT_BACKEND_VERSION = "auto"
    settings.SCICAT_USERNAME = admin.username
    settings.SCICAT_PASSWORD = admin.password
    settings.SCICAT_TOKEN = ""
    settings.SCICAT_TIMEOUT = 30
    settings.SCICAT_RETRIES = 1
    settings.PORTAL_EMBARGO_PERIOD = (0, 0, 0)
    settings.PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS = 0
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    caches["review"].clear()
    return scicat_real


def test_deleting_embargoed_datasets_closes_their_review(
    portal: SciCatReal, standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    seeded = portal.seed(prefix="rev", n_public=0, n_private=2, attachments=False)
    first, second = seeded.private
    with django_capture_on_commit_callbacks(execute=True):
        review, _ = review_create(pids=[first, second])
    review.publication.refresh_from_db()

    # What the check relies on, as the real backend answers it: a record there but not the
    # caller's (anonymous here) is a 403 at its own v3 URL, a deleted one a 404.
    anonymous = scicat.SciCatApi(scicat.ApiConfig(url=portal.url, version="v3"))
    try:
        assert anonymous.dataset_presence(first) is scicat.Presence.HIDDEN
    finally:
        anonymous.close()

    portal.seeder.delete_dataset(first)
    with django_capture_on_commit_callbacks(execute=True):
        partial = reviews_check()
    assert partial.partial == [review.pk]
    assert ReservedDataset.objects.get(pid=first).missing_since is not None
    assert ReservedDataset.objects.get(pid=second).missing_since is None

    portal.seeder.delete_dataset(second)
    with django_capture_on_commit_callbacks(execute=True):
        closed = reviews_check()
    assert closed.closed == [review.pk]
    review.refresh_from_db()
    assert review.cancelled
    assert standin.doi(review.publication.doi).state == "registered"
