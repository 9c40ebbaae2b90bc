"""Sending a month's usage report to DataCite (usage/reporting.py and ``usage report``), against
the loopback stand-in of DataCite's reports API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from catalogue.visibility import Visibility
from publishing.models import Publication
from tests.factories import PublicationFactory
from tests.standins.datacite_usage import UsageReportsStandIn, schema_validator
from usage.datacite_usage import ReportRejected, UsageReportsClient
from usage.models import AggregatedMonth, DataCiteUsageReport, UsageMonth
from usage.reporting import month_report_items, usage_report_send

pytestmark = pytest.mark.django_db
TOKEN = "stand-in-jwt"
MONTH = date(2026, 2, 1)
VALIDATOR = schema_validator()


@pytest.fixture(scope="module")
def server() -> Iterator[UsageReportsStandIn]:
    with UsageReportsStandIn({TOKEN: "psf.portal"}) as s:
        yield s


@pytest.fixture
def standin(server: UsageReportsStandIn, settings: Any, monkeypatch: Any) -> UsageReportsStandIn:
    server.reset()
    settings.DATACITE_USAGE_URL = server.url
    settings.DATACITE_USAGE_TOKEN = TOKEN
    settings.DATACITE_USAGE_TIMEOUT = 5
    settings.DATACITE_USAGE_RETRIES = 3
    settings.DATACITE_USAGE_MAX_ITEMS = 50_000
    settings.DATACITE_USERNAME = "psf.portal"
    monkeypatch.setattr(UsageReportsClient, "_delay", lambda self, attempt: 0.0)
    return server


def used(publication: Publication, *, month: date = MONTH, views: int = 3) -> Publication:
    UsageMonth.objects.create(
        month=month,
        publication=publication,
        access_method="regular",
        total_investigations=views,
        unique_investigations=1,
        total_requests=1,
        unique_requests=1,
    )
    UsageMonth.objects.create(
        month=month, publication=publication, access_method="machine", total_investigations=2
    )
    return publication


def publications(n: int) -> list[Publication]:
    return [used(PublicationFactory.create(doi=f"10.99999/ds-{i:03d}")) for i in range(n)]


def aggregated(month: date = MONTH) -> None:
    AggregatedMonth.objects.create(month=month, aggregated_at=datetime(2026, 3, 1, tzinfo=UTC))


def test_the_month_is_one_report_of_its_public_dois_valid_against_the_schema(
    standin: UsageReportsStandIn,
) -> None:
    publications(3)
    used(PublicationFactory.create(doi="10.99999/withdrawn", visibility=Visibility.WITHDRAWN))
    used(PublicationFactory.create(doi="10.99999/other-month"), month=date(2026, 1, 1))

    sent = usage_report_send(month=MONTH)

    (report,) = standin.reports().values()
    assert report.id == sent.report_id == str(DataCiteUsageReport.objects.get().report_id)
    assert (sent.items, sent.parts, sent.created) == (3, 1, True)
    ids = [d["dataset-id"][0]["value"] for d in report.datasets]
    assert ids == ["10.99999/ds-000", "10.99999/ds-001", "10.99999/ds-002"]
    flat = {**report.header, "report-datasets": report.datasets}
    assert list(VALIDATOR.iter_errors(flat)) == []
    assert report.header["created-by"] == "psf.portal"
    assert report.header["reporting-period"] == {
        "begin-date": "2026-02-01",
        "end-date": "2026-02-28",
    }


def test_the_items_carry_each_access_methods_figures(standin: UsageReportsStandIn) -> None:
    (publication,) = publications(1)
    (item,) = month_report_items(month=MONTH)
    assert item.identifier == publication.doi
    assert (item.regular.total_investigations, item.regular.unique_requests) == (3, 1)
    assert (item.machine.total_investigations, item.machine.total_requests) == (2, 0)
    assert item.uri.endswith("/doi/10.99999/ds-000")
    assert item.contributors == ("Franklin, Rosalind",)


def test_sending_a_month_again_updates_its_report_instead_of_adding_one(
    standin: UsageReportsStandIn,
) -> None:
    publications(2)
    first = usage_report_send(month=MONTH)
    UsageMonth.objects.filter(access_method="regular").update(total_investigations=10)

    again = usage_report_send(month=MONTH)

    assert (again.report_id, again.created) == (first.report_id, False)
    assert [s.method for s in standin.seen] == ["PUT", "PUT"]
    (report,) = standin.reports().values()
    assert len(report.datasets) == 2
    assert DataCiteUsageReport.objects.get().times_sent == 2


def test_past_the_threshold_the_month_goes_in_parts_of_one_report(
    standin: UsageReportsStandIn,
) -> None:
    publications(5)
    sent = usage_report_send(month=MONTH, max_items=2)

    assert (sent.items, sent.parts) == (5, 3)
    assert [s.method for s in standin.seen] == ["PUT", "POST", "POST"]
    (report,) = standin.reports().values()
    assert [len(s) for s in report.subsets] == [2, 2, 1]
    assert all(s.headers["content-encoding"] == "gzip" for s in standin.seen)

    usage_report_send(month=MONTH, max_items=2)  # again: the PUT starts the subsets afresh
    (report,) = standin.reports().values()
    assert len(report.datasets) == 5


def test_a_lost_answer_to_a_part_starts_the_month_again_without_counting_twice(
    standin: UsageReportsStandIn,
) -> None:
    publications(3)
    standin.drop(method="POST")

    usage_report_send(month=MONTH, max_items=2)

    assert [s.method for s in standin.seen] == ["PUT", "POST", "PUT", "POST"]
    (report,) = standin.reports().values()
    assert sorted(d["dataset-id"][0]["value"] for d in report.datasets) == [
        "10.99999/ds-000",
        "10.99999/ds-001",
        "10.99999/ds-002",
    ]


def test_a_refusal_is_raised_and_kept_on_the_month(
    standin: UsageReportsStandIn, settings: Any
) -> None:
    publications(1)
    settings.DATACITE_USAGE_TOKEN = "expired-jwt"
    with pytest.raises(ReportRejected, match="not authorized"):
        usage_report_send(month=MONTH)
    record = DataCiteUsageReport.objects.get()
    assert "HTTP 401" in record.error
    assert record.sent_at is None


# -- the command ----------------------------------------------------------------------------------


def report(*args: str) -> str:
    out = StringIO()
    call_command("usage", "report", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_sends_the_month_and_says_what_datacite_did(
    standin: UsageReportsStandIn,
) -> None:
    publications(2)
    aggregated()
    first = report("--month", "2026-02")
    again = report("--month", "2026-02")
    (report_id,) = standin.reports()
    assert first == f"2026-02: report {report_id} created at DataCite, 2 datasets in 1 part\n"
    assert again == f"2026-02: report {report_id} updated at DataCite, 2 datasets in 1 part\n"
    assert uuid.UUID(report_id)


def test_the_command_retries_server_errors(standin: UsageReportsStandIn) -> None:
    publications(1)
    aggregated()
    standin.fail(503, times=2)
    assert "created at DataCite" in report("--month", "2026-02")
    assert [s.status for s in standin.seen] == [503, 503, 201]


def test_the_command_reports_a_refusal_in_datacites_words(
    standin: UsageReportsStandIn, settings: Any
) -> None:
    publications(1)
    aggregated()
    settings.DATACITE_USAGE_TOKEN = "expired-jwt"
    with pytest.raises(CommandError, match="You are not authorized to access this resource"):
        report("--month", "2026-02")


@pytest.mark.parametrize("month", ["2026-13", "2026-2", "February", "2026-02-01", ""])
def test_a_bad_month_is_a_clear_command_error(standin: UsageReportsStandIn, month: str) -> None:
    with pytest.raises(CommandError, match="--month: expected YYYY-MM"):
        report("--month", month)
    assert standin.seen == []


def test_a_month_that_is_not_over_is_not_reported(standin: UsageReportsStandIn) -> None:
    this_month = f"{datetime.now(UTC):%Y-%m}"
    with pytest.raises(CommandError, match="is not over yet"):
        report("--month", this_month)


def test_a_month_not_aggregated_is_not_reported(standin: UsageReportsStandIn) -> None:
    with pytest.raises(CommandError, match="run `usage aggregate --month 2026-02` first"):
        report("--month", "2026-02")


def test_without_datacite_usage_url_the_command_says_so(
    standin: UsageReportsStandIn, settings: Any
) -> None:
    aggregated()
    settings.DATACITE_USAGE_URL = ""
    with pytest.raises(CommandError, match="DATACITE_USAGE_URL is not set"):
        report("--month", "2026-02")
