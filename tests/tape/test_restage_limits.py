"""Limits and staff control of restage requests: the per-address limit, the daily byte budget,
approval of large requests in the admin, refusal and cancellation with a reason, retries of
storage errors and lost files with backoff, then a report to staff and requesters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tape import restage
from tape.models import Requester, RestageRequest, RestageState
from tests.servers import SmtpSink
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import ask, restage_part, tape_dataset, token_from, verify, work

pytestmark = pytest.mark.django_db
STAFF = "data-team@facility.example"
READER = "reader@example.org"


def _verified(
    client: Client, mailbox: SmtpSink, dataset: Any, email: str, capture: Any
) -> RestageRequest:
    assert ask(client, dataset, email).status_code == 200
    verify(client, token_from(mailbox, email), capture)
    return RestageRequest.objects.get(dataset=dataset)


def _reader_asks(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, capture: Any
) -> RestageRequest:
    """A reader asks for a fresh dataset on tape and confirms the address."""
    return _verified(client, mailbox, tape_dataset(tape), READER, capture)


def _staff_act(
    admin_client: Client, capture: Any, request: RestageRequest, action: str, reason: str
) -> None:
    """A staff action with a reason, confirmed on the admin's intermediate form."""
    with capture(execute=True):
        admin_client.post(
            "/admin/tape/restagerequest/",
            {
                "action": action,
                "_selected_action": [request.pk],
                "reason": reason,
                "apply": "Confirm",
            },
        )


def test_one_address_may_ask_only_so_often(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, settings: Any
) -> None:
    settings.PORTAL_RESTAGE_EMAIL_LIMIT = 2
    datasets = [tape_dataset(tape) for _ in range(3)]
    assert ask(client, datasets[0], "busy@example.org").status_code == 200
    assert ask(client, datasets[1], "Busy@Example.org").status_code == 200  # same address
    refused = ask(client, datasets[2], "busy@example.org")
    assert refused.status_code == 429
    assert "too many requests today" in refused.content.decode()
    assert ask(client, datasets[2], "other@example.org").status_code == 200
    # The limit counts hashes: no address is needed for it.
    assert Requester.objects.filter(email_hash=restage.email_hash("busy@example.org")).count() == 2


def test_the_daily_budget_parks_a_request_until_tomorrow(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PORTAL_RESTAGE_DAILY_BYTES = 3000
    first = _verified(
        client, mailbox, tape_dataset(tape), "a@example.org", django_capture_on_commit_callbacks
    )
    assert first.state == RestageState.STAGING  # 2000 bytes
    second = _verified(
        client, mailbox, tape_dataset(tape), "b@example.org", django_capture_on_commit_callbacks
    )
    assert second.state == RestageState.QUEUED
    assert second.next_attempt_at is not None
    assert second.next_attempt_at.date() == timezone.now().date() + timedelta(days=1)
    assert "budget" in second.last_error
    assert len(tape.stage_requests()) == 1
    assert work(django_capture_on_commit_callbacks)["submitted"] == 0  # not due yet


def test_a_large_request_waits_for_approval_in_the_admin(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    admin_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PORTAL_RESTAGE_APPROVAL_BYTES = 1500
    dataset = tape_dataset(tape)
    request = _verified(
        client, mailbox, dataset, "reader@example.org", django_capture_on_commit_callbacks
    )
    assert request.state == RestageState.APPROVAL
    assert not tape.stage_requests()
    [note] = mailbox.to(STAFF)
    assert "waits for approval" in str(note["Subject"])
    assert f"/admin/tape/restagerequest/{request.pk}/change/" in note.get_content()
    assert "Being restored from tape" in restage_part(client, dataset)

    listing = admin_client.get("/admin/tape/restagerequest/").content.decode()
    assert "Waiting for staff approval" in listing
    assert "reader@example.org" not in listing
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/tape/restagerequest/",
            {"action": "approve", "_selected_action": [request.pk]},
        )
    request.refresh_from_db()
    assert request.state == RestageState.STAGING
    assert request.decided_by == "admin"
    assert len(tape.stage_requests()) == 1


def test_staff_refuse_with_a_reason_the_requester_gets(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    admin_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PORTAL_RESTAGE_APPROVAL_BYTES = 1500
    request = _reader_asks(tape, mailbox, client, django_capture_on_commit_callbacks)
    form = admin_client.post(
        "/admin/tape/restagerequest/", {"action": "refuse", "_selected_action": [request.pk]}
    )
    assert "The requesters get this reason by e-mail" in form.content.decode()
    _staff_act(
        admin_client,
        django_capture_on_commit_callbacks,
        request,
        "refuse",
        "The beamline is migrating its tapes this week.",
    )
    request.refresh_from_db()
    assert request.state == RestageState.REFUSED
    [declined] = [m for m in mailbox.to("reader@example.org") if "declined" in str(m["Subject"])]
    assert "migrating its tapes" in declined.get_content()
    assert Requester.objects.get().email == ""


def test_staff_cancel_a_staging_request_at_the_storage(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    admin_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = _reader_asks(tape, mailbox, client, django_capture_on_commit_callbacks)
    assert request.state == RestageState.STAGING
    _staff_act(
        admin_client,
        django_capture_on_commit_callbacks,
        request,
        "cancel",
        "Duplicate of a request by the PI.",
    )
    request.refresh_from_db()
    assert request.state == RestageState.CANCELLED
    assert any(path.endswith("/cancel") for _, path, _ in tape.seen)
    assert [m for m in mailbox.to("reader@example.org") if "cancelled" in str(m["Subject"])]


def test_storage_errors_are_retried_with_backoff_then_reported(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    tape.fail(503, method="POST", path="/api/v1/stage", times=10)
    request = _reader_asks(tape, mailbox, client, django_capture_on_commit_callbacks)
    assert request.state == RestageState.QUEUED
    assert request.attempts == 1
    assert request.next_attempt_at is not None
    assert request.next_attempt_at - timezone.now() > timedelta(minutes=1)
    assert "503" in request.last_error
    backoffs = []
    for _ in range(2):  # PORTAL_RESTAGE_RETRIES = 2 in these tests
        RestageRequest.objects.filter(pk=request.pk).update(next_attempt_at=timezone.now())
        work(django_capture_on_commit_callbacks)
        request.refresh_from_db()
        if request.next_attempt_at:
            backoffs.append(request.next_attempt_at - timezone.now())
    assert request.state == RestageState.FAILED
    assert backoffs[0] > timedelta(minutes=3)  # 2, 4, ... minutes
    [staff] = mailbox.to(STAFF)
    assert "failed" in str(staff["Subject"])
    assert "503" in staff.get_content()
    assert [
        m for m in mailbox.to("reader@example.org") if "could not be completed" in str(m["Subject"])
    ]
    assert Requester.objects.get().email == ""


def test_a_lost_file_fails_the_stage_and_is_retried(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dataset = tape_dataset(tape, localities=("TAPE", "TAPE"))
    request = _verified(
        client, mailbox, dataset, "reader@example.org", django_capture_on_commit_callbacks
    )
    tape.lose(request.paths[0])
    work(django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.state == RestageState.QUEUED
    assert "File is LOST" in request.last_error
    # Back on tape (the operators found it): the retry stages it again and it comes online.
    tape.put(request.paths[0], "TAPE")
    RestageRequest.objects.filter(pk=request.pk).update(next_attempt_at=timezone.now())
    work(django_capture_on_commit_callbacks)
    tape.advance(700)
    work(django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.state == RestageState.ONLINE
    assert len(tape.stage_requests()) == 2


def test_unverified_addresses_lapse(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, settings: Any
) -> None:
    ask(client, tape_dataset(tape), "never@example.org")
    Requester.objects.update(created=timezone.now() - timedelta(hours=49))
    assert restage.requesters_lapse() == 1
    assert Requester.objects.get().email == ""


def test_the_storage_forgetting_a_request_stages_again(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = _reader_asks(tape, mailbox, client, django_capture_on_commit_callbacks)
    tape.state.requests.clear()
    work(django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.state == RestageState.QUEUED
    assert "404" in request.last_error
