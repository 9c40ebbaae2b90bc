"""Where files are: archiveinfo summed per dataset into the catalogue's data location, which the
landing page, the search facet and the statistics read; the sync asks after an import."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset
from tape.locality import datasets_locality_check, localities_due
from tape.models import DatasetLocality
from tests.factories import DatasetFactory
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import restage_part, tape_dataset

pytestmark = pytest.mark.django_db


def _check(*datasets: Dataset) -> Any:
    return datasets_locality_check(dataset_ids=[d.pk for d in datasets])


def test_each_dataset_gets_the_location_its_files_have(tape: TapeStandIn) -> None:
    on_disk = tape_dataset(tape, localities=("DISK", "DISK_AND_TAPE"))
    partly = tape_dataset(tape, localities=("DISK", "TAPE"))
    on_tape = tape_dataset(tape, localities=("TAPE", "TAPE"))
    lost = tape_dataset(tape, localities=("LOST", "NONE"))
    report = _check(on_disk, partly, on_tape, lost)
    assert report.checked == 4
    assert not report.errors
    locations = dict(Dataset.objects.values_list("pid", "data_location"))
    assert locations[on_disk.pid] == "disk"
    assert locations[partly.pid] == "partial"
    assert locations[on_tape.pid] == "tape"
    assert locations[lost.pid] == "unavailable"
    stored = DatasetLocality.objects.get(dataset=partly)
    assert (stored.files_on_disk, stored.files_total, stored.bytes_on_disk) == (1, 2, 1000)
    # One archiveinfo call for all four datasets' files.
    assert [path for method, path, _ in tape.seen if method == "POST"] == ["/api/v1/archiveinfo"]


def test_the_facet_and_the_landing_page_read_the_same_location(
    tape: TapeStandIn, client: Client
) -> None:
    partly = tape_dataset(tape, localities=("DISK", "TAPE"))
    tape_dataset(tape, localities=("TAPE",))
    _check(*Dataset.objects.all())
    page = client.get("/datasets/?location=partial").content.decode()
    assert re.search(r'data-total="1"', page)
    assert partly.title in page
    landing = client.get(f"/datasets/{partly.pid}").content.decode()
    assert "Partly on disk" in landing
    assert "1 of 2 files on disk" in restage_part(client, partly)


def test_without_a_tape_endpoint_the_catalogue_location_stays(settings: Any) -> None:
    settings.PORTAL_TAPE_REST_URL = ""
    dataset = DatasetFactory.create(data_location="tape", number_of_files=1)
    assert _check(dataset).checked == 0
    dataset.refresh_from_db()
    assert dataset.data_location == "tape"
    assert not DatasetLocality.objects.exists()


def test_a_storage_outage_puts_the_last_answer_back(tape: TapeStandIn) -> None:
    dataset = tape_dataset(tape, localities=("DISK",))
    _check(dataset)
    Dataset.objects.filter(pk=dataset.pk).update(data_location="tape")  # as a sync would write
    tape.fail(503, path="/api/v1/archiveinfo")
    report = _check(dataset)
    assert report.errors
    assert "503" in report.errors[0]
    dataset.refresh_from_db()
    assert dataset.data_location == "disk"


def test_datasets_without_files_keep_what_the_catalogue_says(tape: TapeStandIn) -> None:
    dataset = DatasetFactory.create(data_location="tape", number_of_files=0)
    report = _check(dataset)
    assert report.skipped == 1
    dataset.refresh_from_db()
    assert dataset.data_location == "tape"


def test_due_are_the_unchecked_and_the_stale(tape: TapeStandIn, settings: Any) -> None:
    fresh = tape_dataset(tape, localities=("TAPE",))
    never = tape_dataset(tape, localities=("TAPE",))
    _check(fresh)
    assert localities_due() == [never.pk]
    DatasetLocality.objects.update(checked_at="2020-01-01T00:00:00Z")
    assert sorted(localities_due()) == sorted([fresh.pk, never.pk])


def test_the_sync_asks_the_storage_after_an_import(
    tape: TapeStandIn, django_capture_on_commit_callbacks: Any
) -> None:
    from sync.services import ImportReport, References, records_import

    raw: dict[str, Any] = {
        "pid": "20.500.12269/tape-sync-1",
        "isPublished": True,
        "datasetName": "On tape by the catalogue, on disk by the storage",
        "type": "raw",
        "size": 10,
        "numberOfFiles": 1,
        "sourceFolder": "/data/2025/raw/77",
        "creationTime": "2025-01-01T00:00:00Z",
        "datasetlifecycle": {"archiveStatusMessage": "datasetOnArchiveDisk", "retrievable": True},
        "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-02T00:00:00Z",
    }
    blocks: dict[str, Any] = {
        raw["pid"]: [
            {
                "datasetId": raw["pid"],
                "dataFileList": [{"path": "a.h5", "size": 10, "time": "2025-01-01T00:00:00Z"}],
            }
        ]
    }
    tape.put("/pnfs/site/public/data/2025/raw/77/a.h5", "DISK_AND_TAPE")
    report = ImportReport()
    with django_capture_on_commit_callbacks(execute=True):
        records_import(
            records=[raw],
            blocks=blocks,
            attachments={},
            references=References.parse([], [], report),
            report=report,
        )
    dataset = Dataset.objects.get(pid=raw["pid"])
    assert dataset.data_location == "disk"
    assert DatasetLocality.objects.filter(dataset=dataset, files_on_disk=1).exists()
