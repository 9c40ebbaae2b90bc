"""The tape tests' shared pieces: one stand-in of the storage's Tape REST API per module (emptied
for every test), the portal pointed at it, and datasets with files on tape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset
from tape import restage, wlcg
from tests.factories import DataFileFactory, DatasetFactory
from tests.servers import SmtpSink
from tests.standins.tape import TapeStandIn

TOKEN = "tape-token-for-tests"
VERIFY_LINK = re.compile(r"https?://\S+/restage/verify/(\S+)")


def restage_part(client: Client, dataset: Dataset) -> str:
    """What a landing page's restage part shows: htmx fetches it from the uncached request page
    (the landing page itself is cached and shared)."""
    answer = client.get(f"/restage/datasets/{dataset.pid}", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return answer.content.decode()


def ask(client: Client, dataset: Dataset, email: str, **extra: Any) -> Any:
    return client.post(f"/restage/datasets/{dataset.pid}", {"email": email}, **extra)


def token_from(mailbox: SmtpSink, email: str) -> str:
    [message] = [m for m in mailbox.to(email) if "confirm" in str(m["Subject"]).lower()]
    match = VERIFY_LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


def verify(client: Client, token: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/restage/verify/{token}")


def work(capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return restage.restages_work()


@pytest.fixture(scope="module")
def tape_server() -> Iterator[TapeStandIn]:
    with TapeStandIn(token=TOKEN, start_seconds=60, stage_seconds=600) as server:
        yield server


@pytest.fixture
def tape(tape_server: TapeStandIn, settings: Any) -> Iterator[TapeStandIn]:
    """The stand-in, empty, with the portal configured to use it (discovery from the base URL)."""
    tape_server.reset()
    wlcg._clients.clear()
    settings.PORTAL_TAPE_REST_URL = tape_server.url
    settings.PORTAL_TAPE_TOKEN = TOKEN
    settings.PORTAL_TAPE_TIMEOUT = 2
    settings.PORTAL_TAPE_PATH = "/pnfs/site/public/{source_folder}/{path}"
    settings.PORTAL_DOWNLOAD_URL = (
        "https://dcache.example.org:2880/pnfs/site/public/{source_folder}/{path}"
    )
    settings.PORTAL_RESTAGE_RETRIES = 2
    settings.PORTAL_RESTAGE_STAFF_EMAIL = ["data-team@facility.example"]
    yield tape_server
    wlcg._clients.clear()


def tape_dataset(
    tape: TapeStandIn,
    *,
    localities: tuple[str, ...] = ("TAPE", "TAPE"),
    size: int = 1000,
    **kwargs: Any,
) -> Dataset:
    """A public dataset with one file per locality, stored in the stand-in accordingly."""
    dataset = DatasetFactory.create(number_of_files=len(localities), data_location="tape", **kwargs)
    for n, locality in enumerate(localities):
        item = DataFileFactory(dataset=dataset, path=f"scan_{n:03d}.h5", size=size)
        tape.put(f"/pnfs/site/public{dataset.source_folder}/{item.path}", locality)
    return dataset
