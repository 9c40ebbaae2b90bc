"""The SciCat client against the loopback stand-in: login, filters, paging, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync.scicat import (
    BRIEF_FIELDS,
    ApiConfig,
    CatalogueRefused,
    CatalogueUnavailable,
    SciCatApi,
    updated_at,
)
from tests.standins.scicat import SciCatStandIn
from tests.sync.conftest import PASSWORD, USERNAME
from tests.sync.support import add, pid, published_data

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _api(scicat: SciCatStandIn, version: str = "v4", **config: Any) -> tuple[SciCatApi, Sleeps]:
    sleeps = Sleeps()
    options: dict[str, Any] = {
        "url": scicat.url,
        "version": version,
        "username": USERNAME,
        "password": PASSWORD,
        "page_size": 3,
        "id_page_size": 4,
        "timeout": 1.0,
        "retries": 3,
        "backoff": 0.01,
        **config,
    }
    return SciCatApi(ApiConfig(**options), sleep=sleeps), sleeps


def _pids(pages: Any) -> list[str]:
    return [r["pid"] for page in pages for r in getattr(page, "records", page)]


def test_v3_logs_in_and_sends_the_token(scicat: SciCatStandIn) -> None:
    add(scicat, 1)
    client, _ = _api(scicat, "v3")

    assert _pids(client.datasets_changed(since=None)) == [pid(1)]

    login, listing = scicat.seen[0], scicat.seen[1]
    assert (login.method, login.path, login.status) == ("POST", "/api/v3/auth/login", 201)
    assert listing.authorization is not None
    assert listing.authorization.startswith("Bearer ")


def test_v3_filter_has_mongo_operators_one_order_key_and_no_include(scicat: SciCatStandIn) -> None:
    """4.17 translates no LoopBack operator but inq/nin/and/or (a bare gte is a 500), and its
    include attaches every origdatablock of the catalogue to every dataset."""
    add(scicat, 1)
    client, _ = _api(scicat, "v3")

    list(client.datasets_changed(since=T0))

    sent = scicat.requests("/api/v3/datasets")[0].filter
    assert sent["where"] == {"isPublished": True, "updatedAt": {"$gte": "2025-03-01T12:00:00.000Z"}}
    assert sent["limits"] == {"limit": 3, "skip": 0, "order": "updatedAt:asc"}
    assert "include" not in sent


def test_v4_public_api_needs_no_login_and_sorts_by_updated_then_pid(
    scicat: SciCatStandIn,
) -> None:
    add(scicat, 1)
    client, _ = _api(scicat, "v4", username="", password="")

    assert _pids(client.datasets_changed(since=T0 - timedelta(days=3650))) == [pid(1)]

    assert all(request.authorization is None for request in scicat.seen)
    (request,) = [
        r
        for r in scicat.requests("/api/v4/datasets/public")
        if "updatedAt" in r.filter.get("where", {})
    ]
    assert request.filter["limits"]["sort"] == {"updatedAt": "asc", "pid": "asc"}
    assert request.filter["where"] == {"updatedAt": {"$gte": "2015-03-04T12:00:00.000Z"}}
    assert "include" not in request.filter


def test_pages_bring_every_record_once_with_its_relations(scicat_any: SciCatStandIn) -> None:
    for n in range(10):
        add(scicat_any, n, files=n % 3)
    add(scicat_any, 99, published=False)
    client, _ = _api(scicat_any, scicat_any_version(scicat_any))

    pages = list(client.datasets_changed(since=None))

    assert sorted(_pids(pages)) == sorted(pid(n) for n in range(10))
    assert all(len(page) <= 3 for page in pages)
    page = pages[0]
    first = page.records[0]["pid"]
    assert page.blocks is not None
    assert page.attachments is not None
    assert page.blocks[first][0]["datasetId"] == first
    assert page.attachments[first][0]["aid"].startswith("att-")
    assert page.instruments[0]["uniqueName"] == "P08"
    assert page.proposals[0]["proposalId"] == "11019634"


def scicat_any_version(scicat: SciCatStandIn) -> str:
    from django.conf import settings

    return str(settings.SCICAT_API_VERSION)


@pytest.mark.parametrize("ties", [2, 3, 4, 7])
def test_records_sharing_a_timestamp_at_a_page_boundary_are_not_missed(
    scicat_any: SciCatStandIn, ties: int
) -> None:
    # Pages of 3; a run of equal timestamps straddling the first boundary (or longer than a
    # page). v3 sorts on updatedAt alone and the stand-in shuffles ties on every request.
    add(scicat_any, 0, updated_at=T0)
    add(scicat_any, 1, updated_at=T0 + timedelta(seconds=1))
    for n in range(2, 2 + ties):
        add(scicat_any, n, updated_at=T0 + timedelta(seconds=2))
    for n in range(50, 53):
        add(scicat_any, n, updated_at=T0 + timedelta(seconds=3 + n))
    client, _ = _api(scicat_any, scicat_any_version(scicat_any))

    seen = _pids(client.datasets_changed(since=T0))

    expected = [0, 1, *range(2, 2 + ties), 50, 51, 52]
    assert sorted(seen) == sorted(pid(n) for n in expected)
    assert len(seen) == len(set(seen))


def test_changed_since_is_inclusive_and_in_updated_order(scicat: SciCatStandIn) -> None:
    for n in range(5):
        add(scicat, n, updated_at=T0 + timedelta(minutes=n))
    client, _ = _api(scicat)

    records = [
        r for page in client.datasets_changed(since=T0 + timedelta(minutes=2)) for r in page.records
    ]

    assert [r["pid"] for r in records] == [pid(2), pid(3), pid(4)]
    assert [updated_at(r) for r in records] == [T0 + timedelta(minutes=n) for n in (2, 3, 4)]


def test_listing_ids_uses_a_fields_projection_and_pid_order(scicat_any: SciCatStandIn) -> None:
    for n in range(9):
        add(scicat_any, n)
    add(scicat_any, 20, published=False)
    client, _ = _api(scicat_any, scicat_any_version(scicat_any))

    rows = [r for page in client.public_dataset_ids() for r in page]

    assert [r["pid"] for r in rows] == sorted(pid(n) for n in range(9))
    assert all(set(r) - {"_id"} == {"pid", "updatedAt"} for r in rows)
    listings = scicat_any.requests(
        "/api/v3/datasets" if scicat_any_version(scicat_any) == "v3" else "/api/v4/datasets"
    )
    assert all(set(s.filter["fields"]) == {"pid", "updatedAt"} for s in listings)
    assert len(listings) == 3  # pages of 4: 4 + 4 + 1


def test_one_pid_is_read_through_the_list_with_its_relations(scicat_any: SciCatStandIn) -> None:
    """Not through /datasets/{pid}: 4.17 ignores include there, and absent relations were
    read as "no files"."""
    add(scicat_any, 7)
    client, _ = _api(scicat_any, scicat_any_version(scicat_any))

    page = client.dataset(pid(7))

    assert [r["pid"] for r in page.records] == [pid(7)]
    assert page.blocks is not None
    assert [b["datasetId"] for b in page.blocks[pid(7)]] == [pid(7)]
    assert page.attachments is not None
    assert len(page.attachments[pid(7)]) == 1
    lists = [s for s in scicat_any.seen if s.path.endswith("/datasets")]
    assert lists[0].filter["where"]["pid"] == {"$in": [pid(7)]}


def test_an_unknown_pid_is_an_empty_page(scicat_any: SciCatStandIn) -> None:
    client, _ = _api(scicat_any, scicat_any_version(scicat_any))

    assert client.dataset(f"{pid(1)}/nope").records == []


def test_server_errors_are_retried_with_backoff(scicat: SciCatStandIn) -> None:
    add(scicat, 1)
    client, sleeps = _api(scicat, backoff=0.5)
    client.login()
    scicat.fail(500, times=2, path="/api/v4/datasets")

    assert _pids(client.datasets_changed(since=None)) == [pid(1)]

    assert [s.status for s in scicat.requests("/api/v4/datasets")] == [500, 500, 200]
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5  # jitter within the first step
    assert 0.5 <= sleeps[1] <= 1.0  # then twice as long
    assert client.retried == 2


def test_retry_after_is_honoured(scicat: SciCatStandIn) -> None:
    add(scicat, 1)
    scicat.fail(503, retry_after="7")
    client, sleeps = _api(scicat)

    list(client.datasets_changed(since=None))

    assert sleeps == [7.0]


def test_a_retry_after_beyond_the_bound_stops_with_a_clear_error(scicat: SciCatStandIn) -> None:
    scicat.fail(429, retry_after="3600")
    client, sleeps = _api(scicat)

    with pytest.raises(CatalogueUnavailable, match="retry after 3600 s"):
        list(client.datasets_changed(since=None))
    assert sleeps == []


def test_gives_up_after_the_bound_naming_the_call(scicat: SciCatStandIn) -> None:
    scicat.fail(502, times=10, path="/api/v4/datasets")
    client, sleeps = _api(scicat, retries=2)

    with pytest.raises(CatalogueUnavailable) as caught:
        list(client.datasets_changed(since=None))

    message = str(caught.value)
    assert "GET /api/v4/datasets" in message
    assert "gave up after 3 attempts" in message
    assert "502" in message
    assert len(sleeps) == 2


def test_a_timeout_is_retried(scicat: SciCatStandIn) -> None:
    add(scicat, 1)
    scicat.stall(1.5)
    client, sleeps = _api(scicat, timeout=0.3)

    assert _pids(client.datasets_changed(since=None)) == [pid(1)]
    assert len(sleeps) == 1


def test_a_connection_dropped_mid_page_is_retried(scicat: SciCatStandIn) -> None:
    for n in range(3):
        add(scicat, n, files=50)
    scicat.drop()
    client, sleeps = _api(scicat)

    assert sorted(_pids(client.datasets_changed(since=None))) == [pid(n) for n in range(3)]
    assert len(sleeps) == 1


@pytest.mark.parametrize("release", ["4.17.1", "5.2.1"])
def test_an_expired_token_means_logging_in_again(scicat: SciCatStandIn, release: str) -> None:
    """5.2 answers 401; 4.17 answers as if anonymous, with a where of its own, which the sync
    sees in the answer (records its filter excludes)."""
    scicat.set_release(release)
    for n in range(7):
        add(scicat, n, updated_at=T0 + timedelta(minutes=n))
    client, _ = _api(scicat, "v3")
    pages = client.datasets_changed(since=None)
    first = next(pages)

    scicat.expire_tokens()
    rest = list(pages)

    assert sorted(_pids([first, *rest])) == sorted(pid(n) for n in range(7))
    logins = [s for s in scicat.seen if s.path == "/api/v3/auth/login"]
    assert len(logins) == 2
    assert [s.status for s in scicat.seen].count(401) == (1 if release == "5.2.1" else 0)


@pytest.mark.parametrize(
    ("release", "message"),
    [("5.2.1", "renew SCICAT_TOKEN"), ("4.17.1", "ignored it \\(an expired or refused token")],
)
def test_an_expired_ready_token_without_an_account_is_a_clear_error(
    scicat: SciCatStandIn, release: str, message: str
) -> None:
    scicat.set_release(release)
    add(scicat, 1)
    add(scicat, 2, published=False)
    client, _ = _api(scicat, "v3")
    client.login()
    token = client._token
    scicat.expire_tokens()
    only_token, _ = _api(scicat, "v3", username="", password="", token=token)

    with pytest.raises(CatalogueRefused, match=message):
        list(only_token.datasets_changed_brief(since=None, published=False))


def test_a_wrong_password_is_refused(scicat: SciCatStandIn) -> None:
    client, _ = _api(scicat, "v3", password="wrong")

    with pytest.raises(CatalogueRefused, match="401"):
        list(client.datasets_changed(since=None))


def test_a_refused_filter_is_not_retried(scicat: SciCatStandIn) -> None:
    client, sleeps = _api(scicat)

    with pytest.raises(CatalogueRefused, match="400"):
        client._list("/api/v4/datasets/public", {"where": {"$where": "1"}})
    assert sleeps == []


def test_v3_sees_unpublished_records_only_when_asked(scicat: SciCatStandIn) -> None:
    add(scicat, 1)
    add(scicat, 2, published=False)
    client, _ = _api(scicat, "v3")

    assert _pids(client.datasets_changed(since=None)) == [pid(1)]
    brief = [r for rows in client.datasets_changed_brief(since=None, published=False) for r in rows]
    assert [r["pid"] for r in brief] == [pid(2)]
    assert set(brief[0]) - {"_id"} == set(BRIEF_FIELDS) - {"endTime"}  # the record has none


def test_v4_public_api_never_shows_unpublished_records(scicat: SciCatStandIn) -> None:
    add(scicat, 1, published=False)
    client, _ = _api(scicat)

    assert _pids(client.datasets_changed(since=None)) == []
    assert client.datasets_count(since=None) == 0


@pytest.mark.parametrize(
    ("release", "version", "route"),
    [
        ("4.17.1", "v4", "/api/v3/publisheddata"),  # 4.17 has no v4 route for published data
        ("4.17.1", "v3", "/api/v3/publisheddata"),
        ("5.2.1", "v4", "/api/v4/publisheddata"),
        ("5.2.1", "v3", "/api/v3/publisheddata"),
    ],
)
def test_published_data_is_read_from_the_route_the_release_has(
    scicat: SciCatStandIn, release: str, version: str, route: str
) -> None:
    scicat.set_release(release)
    scicat.put_published_data(
        published_data("10.5072/sync-api-1", pid(1)), updated_at=T0 + timedelta(minutes=1)
    )
    scicat.put_published_data(
        published_data("10.5072/sync-api-2", pid(1), status="private"),
        updated_at=T0 + timedelta(minutes=2),
    )
    client, _ = _api(scicat, version)

    rows = [r for page in client.published_data_changed(since=T0) for r in page]

    assert "10.5072/sync-api-1" in [r["doi"] for r in rows]  # the private one: the import decides
    (sent,) = [s for s in scicat.seen if s.path.endswith("/publisheddata") and "where" in s.filter]
    assert sent.path == route
    assert sent.filter["where"] == {"updatedAt": {"$gte": "2025-03-01T12:00:00.000Z"}}
    if route.startswith("/api/v3/"):
        assert sent.filter["limits"]["order"] == "updatedAt:asc"
    else:
        assert sent.filter["limits"]["sort"] == {"updatedAt": "asc", "doi": "asc"}


def test_v4_lists_by_a_date_given_as_iso_text(scicat: SciCatStandIn) -> None:
    """A backend with SciCat PR #2346 casts date-like text in a v4 ``where`` to dates, so the
    watermark filter ``updatedAt >= "<ISO>"`` selects by time, not by string order."""
    add(scicat, 1, updated_at=T0)
    add(scicat, 2, updated_at=T0 + timedelta(hours=1))
    client, _ = _api(scicat)

    assert client.dates_filterable()
    assert _pids(client.datasets_changed(since=T0 + timedelta(minutes=30))) == [pid(2)]
    sent = [s for s in scicat.requests("/api/v4/datasets") if "updatedAt" in s.filter["where"]]
    assert sent[-1].filter["where"]["updatedAt"] == {"$gte": "2025-03-01T12:30:00.000Z"}


def test_an_older_v4_backend_that_cannot_filter_by_date_is_recognised(
    scicat: SciCatStandIn,
) -> None:
    """Before backend PR #2346 the v4 list (an aggregation pipeline) compared the text with the
    stored dates and matched nothing; ``/count`` cast it all along."""
    add(scicat, 1, updated_at=T0)
    scicat.v4_casts_dates = False
    client, _ = _api(scicat)

    assert _pids(client.datasets_changed(since=T0 - timedelta(days=1))) == []
    assert client.datasets_count(since=T0 - timedelta(days=1)) == 1
    assert not client.dates_filterable()
    assert _api(scicat, "v3")[0].dates_filterable()  # LoopBack casts


def test_an_empty_catalogue_counts_as_filtering_by_date(scicat: SciCatStandIn) -> None:
    scicat.v4_casts_dates = False
    client, _ = _api(scicat)

    assert client.dates_filterable()
