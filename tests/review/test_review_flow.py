"""A review from creation to release, against the SciCat and DataCite stand-ins (issue #17).

Celery runs eagerly (no broker): DataCite is called when the transaction commits, which the
tests run with ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalogue.models import Dataset
from publishing.models import DoiState, Publication
from review.models import ReviewLink
from review.services import (
    NewLink,
    ReviewError,
    review_cancel,
    review_create,
    review_link_create,
    review_link_renew,
    review_link_revoke,
)
from sync import live
from tests.publishing.support import BASE_URL
from tests.review.conftest import OnCommit
from tests.standins.datacite import DataCiteStandIn
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import EMBARGO_END_PAST, add, pid

pytestmark = pytest.mark.django_db

PRIVATE = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def _create(on_commit: OnCommit, **kwargs: Any) -> tuple[Any, NewLink]:
    kwargs.setdefault("pids", [pid(1), pid(2)])
    with on_commit(execute=True):
        review, link = review_create(**kwargs)
    review.publication.refresh_from_db()
    return review, link


def _body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return str(response.content.decode())


def _path(link: NewLink) -> str:
    return link.url.removeprefix(BASE_URL)


def test_a_review_reserves_a_registered_doi_that_shows_a_holding_page(
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, _ = _create(django_capture_on_commit_callbacks)
    publication = review.publication
    assert publication.doi_state == DoiState.RESERVED
    remote = standin.doi(publication.doi)
    assert remote.state == "registered"  # resolvable, not findable
    assert remote.attributes["url"] == f"{BASE_URL}/doi/{publication.doi}"
    sent = str(remote.attributes)
    assert "Reflectivity" not in sent
    assert "Lovelace" not in sent
    assert pid(1) not in sent
    assert publication.embargo_until == date(2099, 1, 1)

    page = client.get(f"/doi/{publication.doi}")
    assert page.status_code == 200
    body = page.content.decode()
    assert publication.doi in body
    assert "under embargo until 2099-01-01" in body
    assert "Photon Science Facility" in body
    assert "Reflectivity" not in body
    assert "Lovelace" not in body
    assert page["X-Robots-Tag"] == "noindex"


def test_the_link_shows_the_embargoed_metadata_read_live(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, link = _create(django_capture_on_commit_callbacks)
    assert re.fullmatch(rf"{BASE_URL}/review/[A-Za-z0-9_-]{{43}}/", link.url)
    assert ReviewLink.objects.get().token_hash != link.token  # only the hash is stored
    response = client.get(_path(link))
    assert response.status_code == 200
    for name, value in PRIVATE.items():
        assert response[name] == value
    body = response.content.decode()
    assert "Reflectivity scan 1" in body
    assert "Reflectivity scan 2" in body
    assert "sample_temperature" in body
    assert "291" in body
    assert "scan_1/frame_000.h5" in body
    assert "Lovelace, Ada" in body
    assert "Noether, Emmy" in body
    assert review.publication.doi in body
    used = ReviewLink.objects.get()
    assert used.use_count == 1
    assert used.last_used_at is not None
    # Nothing of it was stored: the catalogue tables hold no record.
    assert not Dataset.objects.exists()


def test_nothing_of_a_review_reaches_a_public_page_feed_or_sitemap(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, link = _create(django_capture_on_commit_callbacks)
    assert client.get(_path(link)).status_code == 200
    doi = review.publication.doi
    public = [
        "/",
        "/datasets/",
        "/datasets/?q=scan",
        "/publications/",
        "/sitemap.xml",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_datacite",
        f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:portal.example:{doi}",
        f"/export/bibtex/doi/{doi}",
        f"/linkset/json/doi/{doi}",
        "/statistics/",
    ]
    for url in public:
        body = _body(client.get(url))
        for secret in ("Reflectivity scan", "Lovelace", "Noether", pid(1), link.token):
            assert secret not in body, (url, secret)
    gone = client.get(f"/datasets/{pid(1)}")
    assert gone.status_code == 404
    assert "Reflectivity scan" not in gone.content.decode()
    # Neither the publication lists nor the OAI-PMH sets know the reservation.
    assert not Publication.objects.public().exists()
    assert doi not in _body(client.get("/sitemap.xml"))
    assert doi not in _body(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"))


def test_the_records_are_cached_a_few_minutes_not_read_per_view(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    _, link = _create(django_capture_on_commit_callbacks)
    client.get(_path(link))
    before = len(catalogue.seen)
    client.get(_path(link))
    client.get(_path(link) + "export/bibtex")
    assert len(catalogue.seen) == before


def test_wrong_expired_and_revoked_tokens_answer_404_alike(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, link = _create(django_capture_on_commit_callbacks)
    second = review_link_create(review=review, label="Reviewer 2")
    wrong = "/review/" + "A" * 43 + "/"
    assert client.get(wrong).status_code == 404
    assert client.get("/review/short/").status_code == 404
    for name, value in PRIVATE.items():
        assert client.get(wrong)[name] == value

    assert review_link_revoke(link=link.link)
    assert client.get(_path(link)).status_code == 404
    assert not review_link_renew(link=link.link)  # a revoked link stays revoked
    assert client.get(_path(second)).status_code == 200

    ReviewLink.objects.filter(pk=second.link.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = client.get(_path(second))
    assert expired.status_code == 404
    assert expired.content.decode().count("does not exist, has expired or was revoked") == 1
    assert review_link_renew(link=second.link, expires=date.today() + timedelta(days=30))
    assert client.get(_path(second)).status_code == 200
    with pytest.raises(ReviewError, match="has passed"):
        review_link_renew(link=second.link, expires=date(2000, 1, 1))


def test_guessing_tokens_is_rate_limited(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
    settings: Any,
) -> None:
    settings.PORTAL_REVIEW_GUESS_LIMIT = 5
    _, link = _create(django_capture_on_commit_callbacks)
    for n in range(5):
        assert client.get(f"/review/{n:043d}/").status_code == 404
    blocked = client.get(f"/review/{9:043d}/")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # While blocked, even a good link waits: the limit cannot be used to test tokens.
    assert client.get(_path(link)).status_code == 429
    assert client.get(_path(link), REMOTE_ADDR="192.0.2.7").status_code == 200


def test_release_on_sync_makes_the_doi_findable_and_links_redirect(
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, link = _create(django_capture_on_commit_callbacks)
    doi = review.publication.doi
    # The catalogue publishes dataset 2 early (its embargo lifted): the next sync brings it.
    add(catalogue, 2, published=True, embargo_end=EMBARGO_END_PAST)
    with django_capture_on_commit_callbacks(execute=True):
        live.records_sync(pids=[pid(1), pid(2)])
    assert list(Dataset.objects.public().values_list("pid", flat=True)) == [pid(2)]
    publication = Publication.objects.get(pk=review.publication.pk)
    assert not publication.reserved
    assert publication.doi_state == DoiState.FINDABLE
    remote = standin.doi(doi)
    assert remote.state == "findable"
    assert remote.attributes["titles"][0]["title"] == "Reflectivity scan 2"
    assert "Lovelace" in str(remote.attributes["creators"])
    assert [e for e in standin.seen if e.method == "PUT"][-1].body["data"]["attributes"][
        "event"
    ] == "publish"

    landing = client.get(f"/doi/{doi}")
    assert landing.status_code == 200
    assert "Reflectivity scan 2" in landing.content.decode()
    redirect = client.get(_path(link))
    assert redirect.status_code == 302
    assert redirect["Location"] == f"/doi/{doi}"
    assert redirect["Referrer-Policy"] == "no-referrer"

    # Dataset 1 follows later: it joins the same DOI.
    add(catalogue, 1, published=True, embargo_end=EMBARGO_END_PAST)
    with django_capture_on_commit_callbacks(execute=True):
        live.records_sync(pids=[pid(1)])
    assert publication.datasets.count() == 2
    assert Publication.objects.count() == 1


def test_a_cancelled_review_leaves_a_registered_doi_at_a_tombstone(
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    review, link = _create(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert review_cancel(review=review)
    assert standin.doi(review.publication.doi).state == "registered"
    page = client.get(f"/doi/{review.publication.doi}")
    assert page.status_code == 410
    assert "not released" in page.content.decode()
    assert client.get(_path(link)).status_code == 404
    # A record released after all does not bring the cancelled DOI back.
    add(catalogue, 1, published=True, embargo_end=EMBARGO_END_PAST)
    with django_capture_on_commit_callbacks(execute=True):
        live.records_sync(pids=[pid(1)])
    assert Publication.objects.get(pk=review.publication.pk).reserved
    assert standin.doi(review.publication.doi).state == "registered"


def test_a_review_refuses_records_the_catalogue_does_not_show_or_that_are_public(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with pytest.raises(ReviewError, match="does not show"):
        review_create(pids=[pid(1), pid(99)])
    add(catalogue, 4, published=True, embargo_end=EMBARGO_END_PAST)
    with django_capture_on_commit_callbacks(execute=True):
        live.records_sync(pids=[pid(4)])
    with pytest.raises(ReviewError, match="Already public"):
        review_create(pids=[pid(4)])
    with pytest.raises(ReviewError, match="either"):
        review_create(pids=[pid(1)], proposal_id="11019634")
    assert not Publication.objects.exists()


def test_the_command_reserves_for_a_proposal_and_prints_doi_and_link(
    catalogue: SciCatStandIn,
    standin: DataCiteStandIn,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "review",
            "create",
            "--proposal",
            "11019634",
            "--expires",
            (date.today() + timedelta(days=60)).isoformat(),
            "--anonymous",
            "--note",
            "J. Synchrotron Rad. manuscript 123",
            stdout=out,
        )
    lines = dict(line.split(" ", 1) for line in out.getvalue().splitlines())
    publication = Publication.objects.get()
    assert lines["DOI"] == publication.doi
    assert re.fullmatch(rf"{BASE_URL}/review/[A-Za-z0-9_-]{{43}}/", lines["link"])
    assert sorted(publication.reserved_datasets.values_list("pid", flat=True)) == [
        pid(1),
        pid(2),
        pid(3),
    ]
    assert standin.doi(publication.doi).state == "registered"
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("review", "create", "--datasets", pid(1), "--expires", "soon")


def test_a_catalogue_that_does_not_answer_is_a_503_not_a_500(
    catalogue: SciCatStandIn,
    django_capture_on_commit_callbacks: OnCommit,
    client: Client,
) -> None:
    _, link = _create(django_capture_on_commit_callbacks)
    caches["review"].clear()
    catalogue.fail(503, times=20)
    response = client.get(_path(link))
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "private, no-store"
