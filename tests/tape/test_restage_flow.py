"""The whole path of a restage request: the landing page's form, the verification e-mail (a real
SMTP conversation with the loopback sink), the link, one stage request at the storage, its
progress, the "online" e-mail with the download links, the addresses erased; merged requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset
from tape.models import Requester, RestageRequest, RestageState
from tests.servers import SmtpSink
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import ask, restage_part, tape_dataset, token_from, verify, work

pytestmark = pytest.mark.django_db


def test_from_the_landing_page_to_the_online_email(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = tape_dataset(tape, localities=("TAPE", "DISK_AND_TAPE", "TAPE"))
    page = client.get(f"/datasets/{dataset.pid}").content.decode()
    assert "Request this data from tape" in page
    assert f'data-hx-get="/restage/datasets/{dataset.pid}"' in page
    assert "csrfmiddlewaretoken" not in page  # the landing page is shared: no token in it
    part = restage_part(client, dataset)
    assert f'action="/restage/datasets/{dataset.pid}"' in part
    assert "csrfmiddlewaretoken" in part

    answer = ask(client, dataset, "reader@example.org")
    assert answer.status_code == 200
    assert "We have sent you an e-mail" in answer.content.decode()
    token = token_from(mailbox, "reader@example.org")
    [message] = mailbox.messages
    assert dataset.title in message.get_content()

    # Following the link shows a button; only pressing it verifies (mail scanners fetch links).
    shown = client.get(f"/restage/verify/{token}")
    assert shown.status_code == 200
    assert "Confirm the request" in shown.content.decode()
    assert Requester.objects.get().verified_at is None
    done = verify(client, token, django_capture_on_commit_callbacks)
    assert done.status_code == 200
    assert "your request is confirmed" in done.content.decode()

    # One stage request for the two files not on disk, with the configured disk lifetime.
    [staged] = tape.stage_requests()
    assert len(staged["paths"]) == 2
    assert all(not p.endswith("scan_001.h5") for p in staged["paths"])
    assert staged["lifetimes"] == {"P7D"}
    request = RestageRequest.objects.get()
    assert request.state == RestageState.STAGING
    assert request.bytes == 2000
    assert "Being restored from tape, requested" in restage_part(client, dataset)

    assert work(django_capture_on_commit_callbacks)["online"] == 0  # not yet: still on tape
    tape.advance(700)
    assert work(django_capture_on_commit_callbacks)["online"] == 1
    [online] = [m for m in mailbox.to("reader@example.org") if "online" in str(m["Subject"])]
    body = online.get_content()
    assert "https://dcache.example.org:2880/pnfs/site/public/data/" in body
    assert f"/download/metalink/datasets/{dataset.pid}" in body
    assert "They stay on disk until" in body
    requester = Requester.objects.get()
    assert requester.email == ""
    assert requester.erased_at is not None
    request.refresh_from_db()
    assert request.state == RestageState.ONLINE
    dataset.refresh_from_db()
    assert dataset.data_location == "disk"  # the storage was asked again
    assert "Restored: online until" in restage_part(client, dataset)


def test_two_requests_for_one_dataset_make_one_stage_and_two_emails(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = tape_dataset(tape)
    for email in ("a@example.org", "b@example.org"):
        ask(client, dataset, email)
        verify(client, token_from(mailbox, email), django_capture_on_commit_callbacks)
    assert len(tape.stage_requests()) == 1
    assert RestageRequest.objects.get().requesters.count() == 2
    tape.advance(700)
    work(django_capture_on_commit_callbacks)
    for email in ("a@example.org", "b@example.org"):
        assert [m for m in mailbox.to(email) if "online" in str(m["Subject"])]
    assert not Requester.objects.exclude(email="").exists()


def test_someone_asking_after_it_is_online_is_told_at_once(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = tape_dataset(tape)
    ask(client, dataset, "first@example.org")
    verify(client, token_from(mailbox, "first@example.org"), django_capture_on_commit_callbacks)
    tape.advance(700)
    work(django_capture_on_commit_callbacks)
    ask(client, dataset, "late@example.org")
    answer = verify(
        client, token_from(mailbox, "late@example.org"), django_capture_on_commit_callbacks
    )
    assert "The files are online already" in answer.content.decode()
    assert [m for m in mailbox.to("late@example.org") if "online" in str(m["Subject"])]
    assert len(tape.stage_requests()) == 1


def test_forged_and_reused_links_get_a_clear_answer(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = tape_dataset(tape)
    ask(client, dataset, "reader@example.org")
    token = token_from(mailbox, "reader@example.org")
    forged = verify(client, token[:-3] + "abc", django_capture_on_commit_callbacks)
    assert forged.status_code == 400
    assert "This link is not valid" in forged.content.decode()
    assert verify(client, token, django_capture_on_commit_callbacks).status_code == 200
    reused = verify(client, token, django_capture_on_commit_callbacks)
    assert reused.status_code == 400
    assert "This link has been used already" in reused.content.decode()
    assert len(tape.stage_requests()) == 1


def test_an_expired_link_says_so(
    tape: TapeStandIn,
    mailbox: SmtpSink,
    client: Client,
    settings: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dataset = tape_dataset(tape)
    ask(client, dataset, "reader@example.org")
    token = token_from(mailbox, "reader@example.org")
    import time as clock

    later = clock.time() + (settings.PORTAL_RESTAGE_VERIFY_HOURS + 1) * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    answer = verify(client, token, django_capture_on_commit_callbacks)
    assert answer.status_code == 400
    assert "This link has expired" in answer.content.decode()


def test_a_bad_address_is_refused_with_the_reason(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client
) -> None:
    dataset = tape_dataset(tape)
    answer = ask(client, dataset, "not an address")
    assert answer.status_code == 400
    assert "This is not an e-mail address" in answer.content.decode()
    assert ask(client, dataset, "").status_code == 400
    assert not Requester.objects.exists()
    assert not mailbox.messages


def test_a_mail_server_failure_keeps_nothing(
    tape: TapeStandIn, mailbox: SmtpSink, client: Client
) -> None:
    dataset = tape_dataset(tape)
    mailbox.refuse()
    answer = ask(client, dataset, "reader@example.org")
    assert answer.status_code == 503
    assert "could not send the e-mail" in answer.content.decode()
    assert not Requester.objects.exists()


def test_a_dataset_on_disk_offers_no_restage(tape: TapeStandIn, client: Client) -> None:
    dataset = tape_dataset(tape, localities=("DISK",))
    Dataset.objects.filter(pk=dataset.pk).update(data_location="disk")
    assert (
        "Request this data from tape" not in client.get(f"/datasets/{dataset.pid}").content.decode()
    )
    answer = ask(client, dataset, "reader@example.org")
    assert answer.status_code == 409
    assert "not on tape" in answer.content.decode()


def test_without_a_tape_endpoint_the_page_is_as_before(client: Client, settings: Any) -> None:
    settings.PORTAL_TAPE_REST_URL = ""
    from tests.factories import DatasetFactory

    dataset = DatasetFactory.create(data_location="tape", number_of_files=1)
    page = client.get(f"/datasets/{dataset.pid}").content.decode()
    assert "Archived on tape" in page
    assert "Request this data from tape" not in page
    assert ask(client, dataset, "reader@example.org").status_code == 409


def test_a_publication_links_its_datasets_on_tape_to_the_request_form(
    tape: TapeStandIn, client: Client
) -> None:
    from tests.factories import PublicationFactory

    on_tape = tape_dataset(tape)
    on_disk = tape_dataset(tape, localities=("DISK",))
    Dataset.objects.filter(pk=on_disk.pk).update(data_location="disk")
    publication = PublicationFactory.create()
    publication.datasets.add(on_tape, on_disk)
    page = client.get(f"/doi/{publication.doi}").content.decode()
    assert f'href="/restage/datasets/{on_tape.pid}"' in page
    assert f'href="/restage/datasets/{on_disk.pid}"' not in page
    form = client.get(f"/restage/datasets/{on_tape.pid}")
    assert form.status_code == 200
    assert "Request this data from tape" in form.content.decode()
