"""The nightly bulk dump: every public record and nothing else, DataCite JSON Lines and XML in
gzip, sizes and SHA-256 in a manifest, listed at /dumps/, in the beat schedule and robots.txt."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from lxml import etree

from catalogue.services import dataset_withdraw
from operations.dumps import dumps_available, metadata_dump
from portal.celery import beat_schedule
from tests.factories import DatasetFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dumps(settings: Any, tmp_path: Path) -> Path:
    settings.DUMPS_ROOT = tmp_path / "dumps"
    settings.DUMPS_KEEP = 2
    return settings.DUMPS_ROOT


def test_the_dump_holds_every_public_record_and_nothing_withdrawn(dumps: Path) -> None:
    kept = DatasetFactory.create_batch(3)
    gone = DatasetFactory.create(title="Withdrawn one")
    dataset_withdraw(dataset=gone, reason="Retracted")
    publication = PublicationFactory.create()

    call_command("dump_metadata", "--no-progress")

    (dump,) = dumps_available()
    files = {f.format: f for f in dump.files}
    lines = [
        json.loads(line)
        for line in gzip.decompress((dumps / files["jsonl"].name).read_bytes()).splitlines()
    ]
    assert {line["id"] for line in lines} == {d.pid for d in kept} | {publication.doi}
    assert dump.records == 4
    first = next(line for line in lines if line["kind"] == "dataset")
    assert first["attributes"]["titles"][0]["title"]
    assert first["url"].endswith(f"/datasets/{first['id']}")
    assert first["oai_identifier"].startswith("oai:")
    xml = etree.fromstring(gzip.decompress((dumps / files["xml"].name).read_bytes()))
    resources = xml.findall("{http://datacite.org/schema/kernel-4}resource")
    assert len(resources) == 4
    for file in dump.files:
        data = (dumps / file.name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (file.size, file.sha256)
    assert not [p for p in dumps.iterdir() if p.name.endswith(".partial")]


def test_the_same_records_give_the_same_bytes_and_old_dumps_go(dumps: Path) -> None:
    from datetime import UTC, datetime

    DatasetFactory.create_batch(2)
    days = [datetime(2026, 1, d, 3, tzinfo=UTC) for d in (1, 2, 3)]
    made = [metadata_dump(now=day) for day in days]

    assert made[0].files[0].sha256 == made[2].files[0].sha256
    assert [d.date for d in dumps_available()] == ["2026-01-03", "2026-01-02"]
    assert not list(dumps.glob("*2026-01-01*"))


def test_dumps_are_listed_and_served(dumps: Path, client: Client) -> None:
    DatasetFactory.create()
    assert b"No dump has been made yet" in client.get("/dumps/").content
    dump = metadata_dump()
    name = dump.files[0].name

    page = client.get("/dumps/")
    listing = client.get("/dumps/index.json").json()
    served = client.get(f"/dumps/{name}")

    assert page.status_code == 200
    assert name.encode() in page.content
    assert dump.files[0].sha256.encode() in page.content
    assert listing["dumps"][0]["files"][0]["url"].endswith(f"/dumps/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/gzip"
    assert b"".join(served.streaming_content) == (dumps / name).read_bytes()  # type: ignore[attr-defined]
    assert client.get("/dumps/..%2Fsecret_key").status_code == 404
    assert client.get("/dumps/portal-metadata-2020-01-01.datacite.xml.gz").status_code == 404


def test_the_dump_is_nightly_and_announced(client: Client) -> None:
    assert beat_schedule()["metadata-dump"]["task"] == "operations.tasks.metadata_dump"
    robots = client.get("/robots.txt").content.decode()
    assert "Allow: /dumps/" in robots
    assert "/dumps/" in robots.split("Sitemap:")[0]
