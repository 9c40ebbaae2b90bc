"""The usage reports client (usage/datacite_usage.py) against the loopback stand-in of DataCite's
reports API."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from tests.standins.datacite_usage import UsageReportsStandIn
from usage.datacite_usage import (
    ReportRejected,
    ReportUnavailable,
    ReportUncertain,
    UsageReportsClient,
    messages_from,
)
from usage.report import Counts, ReportHeader, ReportItem, encode, report_document

TOKEN = "stand-in-jwt"
HEADER = ReportHeader(
    month=date(2026, 2, 1), created_by="psf", platform="psf", publisher="PSF", created=None
)
ITEM = ReportItem("10.99999/a", "A", regular=Counts(2, 1, 1, 1))


@pytest.fixture(scope="module")
def server() -> Iterator[UsageReportsStandIn]:
    with UsageReportsStandIn({TOKEN: "psf.portal", "other-jwt": "other.repo"}) as s:
        yield s


@pytest.fixture
def standin(server: UsageReportsStandIn) -> UsageReportsStandIn:
    server.reset()
    return server


def client(
    standin: UsageReportsStandIn, *, token: str = TOKEN, retries: int = 3
) -> UsageReportsClient:
    return UsageReportsClient(
        base_url=standin.url, token=token, timeout=2, retries=retries, sleep=lambda _: None
    )


def body(*items: ReportItem) -> bytes:
    return encode(report_document(HEADER, items or (ITEM,)))


def test_put_creates_the_report_under_its_id_then_replaces_it(standin: UsageReportsStandIn) -> None:
    report_id = str(uuid.uuid4())
    first = client(standin).put(report_id, body())
    assert (first.report_id, first.created) == (report_id, True)
    again = client(standin).put(report_id, body(ReportItem("10.99999/b", "B", Counts(1))))
    assert (again.report_id, again.created) == (report_id, False)
    stored = standin.reports()[report_id]
    assert [d["dataset-title"] for d in stored.datasets] == ["B"]


def test_the_request_is_gzip_with_datacites_headers_and_a_bearer_token(
    standin: UsageReportsStandIn,
) -> None:
    client(standin).post(body())
    (seen,) = standin.seen
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["content-type"] == "application/gzip"
    assert seen.headers["content-encoding"] == "gzip"
    assert seen.document["report-header"]["exceptions"][0]["code"] == 69


def test_posts_for_the_same_month_become_subsets_of_one_report(
    standin: UsageReportsStandIn,
) -> None:
    first = client(standin).post(body())
    second = client(standin).post(body(ReportItem("10.99999/b", "B", Counts(1))))
    assert second.report_id == first.report_id
    assert [len(s) for s in standin.reports()[first.report_id].subsets] == [1, 1]


def test_a_wrong_token_is_refused_with_datacites_message(standin: UsageReportsStandIn) -> None:
    with pytest.raises(ReportRejected) as caught:
        client(standin, token="nope").post(body())
    assert caught.value.status == 401
    assert "You are not authorized to access this resource." in str(caught.value)


def test_an_invalid_report_is_refused_with_the_schema_errors(standin: UsageReportsStandIn) -> None:
    doc = report_document(HEADER, [ITEM])
    del doc["report-datasets"][0]["platform"]
    with pytest.raises(ReportRejected) as caught:
        client(standin).post(encode(doc))
    assert caught.value.status == 422
    assert any("'platform' is a required property" in m for m in caught.value.messages)


def test_a_period_across_two_months_is_refused(standin: UsageReportsStandIn) -> None:
    doc = report_document(HEADER, [ITEM])
    doc["report-header"]["reporting-period"]["end-date"] = "2026-03-01"
    with pytest.raises(ReportRejected, match="within the same month"):
        client(standin).post(encode(doc))


def test_server_errors_are_retried_until_an_answer_comes(standin: UsageReportsStandIn) -> None:
    standin.fail(503, times=2)
    stored = client(standin).post(body())
    assert [s.status for s in standin.seen] == [503, 503, 201]
    assert stored.report_id in standin.reports()


def test_after_every_retry_the_failure_says_so(standin: UsageReportsStandIn) -> None:
    standin.fail(502, times=3)
    with pytest.raises(ReportUnavailable, match="gave up after 2 retries"):
        client(standin, retries=2).put(str(uuid.uuid4()), body())
    assert standin.reports() == {}


def test_a_lost_put_answer_is_retried_and_the_report_stored_once(
    standin: UsageReportsStandIn,
) -> None:
    standin.drop(method="PUT")
    report_id = str(uuid.uuid4())
    stored = client(standin).put(report_id, body())
    assert stored.report_id == report_id
    assert len(standin.reports()[report_id].subsets) == 1


def test_a_lost_post_answer_is_not_sent_again(standin: UsageReportsStandIn) -> None:
    """POST adds a subset each time: repeating it could count the month twice."""
    standin.drop(method="POST")
    with pytest.raises(ReportUncertain):
        client(standin).post(body())
    assert len([s for s in standin.seen if s.method == "POST"]) == 1


def test_a_refused_connection_is_retried_then_reported() -> None:
    with UsageReportsStandIn() as gone:
        url = gone.url
    c = UsageReportsClient(base_url=url, token=TOKEN, timeout=1, retries=1, sleep=lambda _: None)
    with pytest.raises(ReportUnavailable, match="connection failed"):
        c.post(body())


def test_error_bodies_of_both_kinds_become_messages() -> None:
    jsonapi = json.dumps({"errors": [{"status": "422", "title": "Record invalid"}]}).encode()
    rails = json.dumps({"base": ["#/report-datasets/0: missing"]}).encode()
    assert messages_from(jsonapi) == ["Record invalid"]
    assert messages_from(rails) == ["base: #/report-datasets/0: missing"]
    assert messages_from(b"<html>Bad Gateway</html>") == ["<html>Bad Gateway</html>"]
    assert gzip.decompress(body())  # the bodies sent are gzip
