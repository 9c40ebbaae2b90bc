"""Per-client rate limits in Redis: budgets per class of traffic, costlier deep and heavily
filtered searches, the three forms of refusal, exempt harvesters, failing open."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client

from operations.rate_counters import RateCounters, retry_after
from operations.rate_limit import classify

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.10"
OTHER = "198.51.100.20"


@pytest.fixture
def limited(settings: Any, redis_url: str) -> Any:
    settings.RATE_LIMIT = True
    settings.RATE_LIMIT_REDIS_URL = redis_url
    settings.RATE_LIMIT_WINDOW = 60
    settings.RATE_LIMIT_EXEMPT_NETWORKS = ()
    return settings


def _get(client: Client, url: str, ip: str = VISITOR, forwarded: str = "") -> int:
    if forwarded:
        return client.get(url, REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=forwarded).status_code
    return client.get(url, REMOTE_ADDR=ip).status_code


def test_a_client_over_its_search_budget_gets_429_and_others_are_still_served(
    limited: Any, client: Client
) -> None:
    limited.RATE_LIMIT_SEARCH = 3

    assert [_get(client, "/datasets/?q=x") for _ in range(3)] == [200, 200, 200]
    refused = client.get("/datasets/?q=x", REMOTE_ADDR=VISITOR)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 120  # the sliding window spans two
    assert refused["Cache-Control"] == "no-store"
    assert refused["Content-Type"].startswith("text/html")
    assert b"Too many requests" in refused.content
    assert b"<script" not in refused.content
    assert b"style=" not in refused.content
    assert _get(client, "/datasets/?q=x", ip=OTHER) == 200


def test_deep_pages_and_many_facets_cost_more() -> None:
    def cost(query: str) -> int:
        classified = classify("/datasets/", QueryDict(query))
        assert classified is not None
        return classified[1]

    assert cost("") == 1
    assert cost("q=water&page=2") == 1
    assert cost("page=50") == 6
    assert cost("page=999999") == 21
    assert cost("instrument=A&year=2024") == 1
    assert cost("keyword=A&keyword=B&keyword=C&year=2024&sm=t+>+3&sm=p+<+2") == 3
    assert cost("per_page=100") == 2


def test_a_deep_page_uses_the_budget_faster(limited: Any, client: Client) -> None:
    limited.RATE_LIMIT_SEARCH = 10

    assert _get(client, "/datasets/?page=50") == 200  # costs 6 of 10
    assert _get(client, "/datasets/?page=50") == 429
    assert [_get(client, "/datasets/") for _ in range(4)] == [200] * 4
    assert _get(client, "/datasets/") == 429


def test_each_class_of_traffic_has_its_own_budget(limited: Any, client: Client) -> None:
    limited.RATE_LIMIT_SEARCH = 1
    limited.RATE_LIMIT_PAGES = 1

    assert _get(client, "/datasets/") == 200
    assert _get(client, "/datasets/") == 429
    assert _get(client, "/datasets/no-such-pid") == 404  # a page: another budget
    assert _get(client, "/datasets/no-such-pid") == 429
    assert _get(client, "/") == 200  # the home page is not limited
    assert _get(client, "/robots.txt") == 200


def test_the_apis_answer_with_problem_details(limited: Any, client: Client) -> None:
    limited.RATE_LIMIT_API = 1

    client.get("/api/v1/datasets", REMOTE_ADDR=VISITOR)
    refused = client.get("/panosc-api/Datasets", REMOTE_ADDR=VISITOR)

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    problem = json.loads(refused.content)
    assert problem["status"] == 429
    assert problem["title"] == "Too Many Requests"
    assert problem["instance"] == "/panosc-api/Datasets"
    assert str(problem["detail"]).startswith("Too many requests")
    assert refused["Retry-After"].isdigit()


def test_long_api_pages_cost_more() -> None:
    assert classify("/api/v1/datasets", QueryDict("")) == ("api", 1)
    assert classify("/api/v1/datasets", QueryDict("limit=500&offset=20000")) == ("api", 21)
    assert classify("/panosc-api/Datasets", QueryDict("page_size=100")) == ("api", 2)


def test_restage_requests_cost_as_much_as_ten_pages() -> None:
    assert classify("/restage/datasets/20.500.12269/x", QueryDict("")) == ("pages", 10)
    assert classify("/restage/verify/abc", QueryDict("")) == ("pages", 10)


def test_oai_pmh_harvesters_are_told_to_wait_the_way_the_protocol_says(
    limited: Any, client: Client
) -> None:
    limited.RATE_LIMIT_OAI = 6

    assert _get(client, "/oai?verb=ListRecords&metadataPrefix=oai_dc") == 200  # costs 5
    refused = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc", REMOTE_ADDR=VISITOR)

    assert refused.status_code == 503  # OAI-PMH 2.0, 3.1.2.2: 503 with Retry-After
    assert refused["Retry-After"].isdigit()
    assert _get(client, "/oai?verb=Identify") == 200  # one point left


def test_exempt_networks_are_never_limited(limited: Any, client: Client) -> None:
    from lib.client_address import parse_networks

    limited.RATE_LIMIT_SEARCH = 1
    limited.RATE_LIMIT_EXEMPT_NETWORKS = parse_networks(["203.0.113.0/24"])

    assert [_get(client, "/datasets/") for _ in range(3)] == [200] * 3
    assert [_get(client, "/datasets/", ip=OTHER) for _ in range(2)] == [200, 429]


def test_behind_a_proxy_the_forwarded_client_is_counted(limited: Any, client: Client) -> None:
    from lib.client_address import parse_networks

    limited.RATE_LIMIT_SEARCH = 1
    limited.BEHIND_PROXY = True
    limited.PROXY_NETWORKS = parse_networks(["10.0.0.0/8"])

    def through_proxy(visitor: str) -> int:
        return _get(client, "/datasets/", ip="10.0.0.1", forwarded=visitor)

    assert [through_proxy(VISITOR), through_proxy(VISITOR), through_proxy(OTHER)] == [
        200,
        429,
        200,
    ]


def test_a_client_outside_the_proxy_networks_cannot_pick_its_address(
    limited: Any, client: Client
) -> None:
    from lib.client_address import parse_networks

    limited.RATE_LIMIT_SEARCH = 1
    limited.BEHIND_PROXY = True
    limited.PROXY_NETWORKS = parse_networks(["10.0.0.0/8"])

    def direct(claimed: str) -> int:
        return _get(client, "/datasets/", ip=VISITOR, forwarded=claimed)

    # A new X-Forwarded-For per request would be a new client each time if it were believed.
    assert [direct("192.0.2.1"), direct("192.0.2.2"), direct("192.0.2.3")] == [200, 429, 429]


def test_without_redis_requests_are_let_through_and_a_warning_is_logged(
    limited: Any, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from operations import rate_limit

    limited.RATE_LIMIT_SEARCH = 1
    limited.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    rate_limit._last_warning = 0.0

    with caplog.at_level(logging.WARNING, logger="operations.rate_limit"):
        assert [_get(client, "/datasets/") for _ in range(3)] == [200] * 3

    warnings = [r for r in caplog.records if "Redis did not answer" in r.getMessage()]
    assert len(warnings) == 1


def test_retry_after_is_honest(redis_url: str) -> None:
    counters = RateCounters(redis_url)
    start = 60 * 16_667 + 20.0  # 20 s into a 60 s window
    try:
        for _ in range(5):
            assert counters.hit(
                bucket="t", client="c", cost=2, limit=10, window=60, now=start
            ).allowed
        refused = counters.hit(bucket="t", client="c", cost=2, limit=10, window=60, now=start)
        assert not refused.allowed
        assert refused.used == 10

        # The window slides: 10 points fade out over the next window, 2 are free after 12 s of it.
        later = start + refused.retry_after
        assert refused.retry_after == 40 + 12
        assert counters.hit(bucket="t", client="c", cost=2, limit=10, window=60, now=later).allowed
        assert not counters.hit(
            bucket="t", client="c", cost=2, limit=10, window=60, now=later
        ).allowed
    finally:
        counters.close()


def test_a_refused_request_costs_nothing(redis_url: str) -> None:
    counters = RateCounters(redis_url)
    try:
        assert counters.hit(bucket="t", client="c", cost=3, limit=4, window=60, now=30.0).allowed
        for _ in range(50):
            assert not counters.hit(
                bucket="t", client="c", cost=3, limit=4, window=60, now=30.0
            ).allowed
        assert counters.hit(bucket="t", client="c", cost=1, limit=4, window=60, now=30.0).allowed
    finally:
        counters.close()


@pytest.mark.parametrize(
    ("current", "previous", "elapsed", "expected"),
    [
        (0, 10, 0.0, 12),  # only the previous window: its weight must fall to 8/10
        (10, 0, 30.0, 30 + 12),  # full now: the next window, then this one fades
        (4, 8, 15.0, 30 - 15),  # the previous 8 must fall to 4: half way through
    ],
)
def test_retry_after_arithmetic(current: int, previous: int, elapsed: float, expected: int) -> None:
    got = retry_after(
        current=current, previous=previous, cost=2, limit=10, window=60, elapsed=elapsed
    )
    assert got == expected


def test_a_refused_client_is_refused_again_without_asking_redis(
    limited: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawler hammering on after its refusal costs a dictionary lookup per request, not a
    round trip to Redis; a cheaper request than the refused one still asks Redis (it may fit),
    and once the wait is over Redis decides again."""
    limited.RATE_LIMIT_SEARCH = 3
    asked: list[int] = []
    hit = RateCounters.hit

    def counted(self: RateCounters, **kwargs: Any) -> Any:
        asked.append(kwargs["cost"])
        return hit(self, **kwargs)

    monkeypatch.setattr(RateCounters, "hit", counted)
    deep = "/datasets/?q=x&page=20"  # costs 3
    assert _get(client, deep) == 200
    assert _get(client, deep) == 429
    assert len(asked) == 2
    refused = [client.get(deep, REMOTE_ADDR=VISITOR) for _ in range(20)]
    assert {r.status_code for r in refused} == {429}
    assert all(1 <= int(r["Retry-After"]) <= 120 for r in refused)
    assert len(asked) == 2  # none of the twenty asked Redis
    assert _get(client, "/datasets/?q=x") == 429  # cheaper: asked Redis, which refused it too
    assert len(asked) == 3
    assert _get(client, deep, ip=OTHER) == 200  # another client is its own

    from operations import rate_limit

    for key, (cost, _until, budget) in list(rate_limit._refused.items()):
        rate_limit._refused[key] = (cost, 0.0, budget)  # the wait is over
    client.get(deep, REMOTE_ADDR=VISITOR)
    assert len(asked) == 5  # Redis asked again


def test_a_refusal_speaks_the_visitors_language_and_machines_get_english(
    limited: Any, client: Client
) -> None:
    from django.utils import translation

    limited.RATE_LIMIT_SEARCH = 1
    limited.RATE_LIMIT_API = 1
    _get(client, "/datasets/?q=x")
    _get(client, "/api/v1/datasets")

    # The limiter answers before the locale middleware: what the thread had active last (here
    # German) must not decide.
    with translation.override("de"):
        english = client.get("/datasets/?q=x", REMOTE_ADDR=VISITOR)
        api = client.get("/api/v1/datasets", REMOTE_ADDR=VISITOR, HTTP_ACCEPT_LANGUAGE="de")
    with translation.override("en"):
        page = client.get("/datasets/?q=x", REMOTE_ADDR=VISITOR, HTTP_ACCEPT_LANGUAGE="de")

    assert b"Too many requests" in english.content
    assert "Zu viele Anfragen" in page.content.decode()
    assert json.loads(api.content)["detail"].startswith("Too many requests")
