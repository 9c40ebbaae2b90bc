"""Structured logs: JSON lines with a request id (also in X-Request-ID), sync and DOI events with
their record ids, and no secret or private catalogue field in any line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client

from operations import logs
from publishing.services.registration import publication_register
from sync import live
from tests.publishing.support import PASSWORD as DATACITE_PASSWORD
from tests.publishing.support import DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn
from tests.standins.scicat import SciCatStandIn
from tests.sync.conftest import PASSWORD as SCICAT_PASSWORD
from tests.sync.support import PROPOSAL, add, dataset, pid

pytestmark = pytest.mark.django_db

SECRET_KEY = "test-secret-key-that-must-never-be-logged-0123456789"
# What the catalogue holds that must never leave it (tests/sync/support.py's records).
PRIVATE = (
    "ada@facility.example",
    "someone@facility.example",
    str(PROPOSAL["pi_email"]),
    "11019634-dmgt",
    "11019634-clbt",
)


@pytest.fixture
def captured(settings: Any) -> Iterator[io.StringIO]:
    """Every log line, at DEBUG, as the production handler writes it."""
    settings.SECRET_KEY = SECRET_KEY
    logs._secrets.cache_clear()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logs._secrets.cache_clear()


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_response_carries_a_request_id(client: Client) -> None:
    made = client.get("/robots.txt")["X-Request-ID"]
    kept = client.get("/robots.txt", HTTP_X_REQUEST_ID="lb-1234.abc_9")["X-Request-ID"]
    replaced = client.get("/robots.txt", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]

    assert len(made) == 32
    assert kept == "lb-1234.abc_9"
    assert replaced not in ("<script>", made)


def test_log_lines_are_json_with_the_request_id(client: Client, captured: io.StringIO) -> None:
    answer = client.get("/datasets/no-such-dataset", HTTP_X_REQUEST_ID="req-42")

    lines = _lines(captured)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert answer["X-Request-ID"] == "req-42"
    assert not_found
    assert not_found[0]["request_id"] == "req-42"
    assert not_found[0]["level"] == "WARNING"
    assert not_found[0]["time"].endswith("+00:00")
    assert not_found[0]["status_code"] == 404


def test_extras_that_name_a_secret_are_redacted(captured: io.StringIO) -> None:
    logging.getLogger("portal.test").info(
        "calling %s", "somewhere", extra={"api_token": "abc", "pid": "x/1"}
    )

    (line,) = _lines(captured)
    assert (line["api_token"], line["pid"], line["message"]) == (
        "[redacted]",
        "x/1",
        "calling somewhere",
    )


def test_sync_and_doi_events_carry_record_ids_and_no_secret_or_private_field(
    scicat: SciCatStandIn,
    standin: DataCiteStandIn,
    client: Client,
    captured: io.StringIO,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> None:
    for n in range(3):
        add(scicat, n)
    scicat.expire_tokens()  # a fresh login mid-run, with the password
    live.catalogue_sync()
    scicat.put_dataset(dataset(1, published=False))
    live.catalogue_sync()
    draft = DraftPublicationFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        publication_register(publication_id=draft.pk)
    draft.refresh_from_db()
    client.get(
        "/", HTTP_AUTHORIZATION=f"Bearer {SECRET_KEY}", HTTP_COOKIE=f"sessionid={SECRET_KEY}"
    )

    text = captured.getvalue()
    lines = _lines(captured)

    for secret in (SECRET_KEY, SCICAT_PASSWORD, DATACITE_PASSWORD, *PRIVATE):
        assert secret not in text, secret
    written = [line for line in lines if line["message"].startswith("datasets written")]
    assert pid(2) in written[0]["created_pids"]
    withdrawn = [line for line in lines if "withdrawn_pids" in line]
    assert withdrawn[0]["withdrawn_pids"] == [pid(1)]
    runs = [line for line in lines if "sync_run" in line and "done" in line["message"]]
    assert len(runs) == 2
    registered = [line for line in lines if line.get("doi") == draft.doi]
    assert registered
    assert registered[0]["publication"] == draft.pk
