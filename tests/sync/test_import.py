"""The one import path from SciCat records to the public catalogue."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import DataFile, Dataset, Instrument, Proposal, ScientificParameter, Thumbnail
from catalogue.services import dataset_withdraw
from catalogue.visibility import Visibility
from publishing.models import Publication
from publishing.payloads import PublicationIn
from publishing.services.from_catalogue import publication_digest
from sync.scicat.linked import publication_from
from sync.services import ImportReport, References, export_import, records_import

DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"
EMBARGOED = "20.500.12269/9d1c0c3e-0000-4a1e-8a8e-embargoed0001"
ELAPSED = "20.500.12269/4a7b9e10-1111-4c2d-9e3f-dateelapsed01"
WITH_FILES = "20.500.12269/b77dfdb1-7271-4858-b72b-71624dfeaa28"
PRIVATE_MARKERS = ("@", "dmgt", "clbt", "p08-staff", "ingestor-p08", "gpfs://", "sharedWith")

pytestmark = pytest.mark.django_db


def _demo(name: str) -> list[dict[str, Any]]:
    return json.loads((DEMO / name).read_text())


def _import(records: list[dict[str, Any]], *, blocks: dict | None = None) -> ImportReport:
    report = ImportReport()
    references = References.parse(_demo("instruments.v4.json"), _demo("proposals.v4.json"), report)
    records_import(
        records=records, blocks=blocks or {}, attachments={}, references=references, report=report
    )
    return report


def _all_stored_text() -> str:
    """Every value the catalogue stored, as one string."""
    models = (Dataset, ScientificParameter, DataFile, Instrument, Proposal, Publication)
    return "\n".join(json.dumps(list(m.objects.values()), default=str) for m in models)


def test_demo_export_imports_the_public_records() -> None:
    report = export_import(path=DEMO)
    assert (report.created, report.failed, report.not_public) == (5, 0, 2)
    assert Dataset.objects.public().count() == 5
    assert not Dataset.objects.filter(pid=EMBARGOED).exists()
    assert report.publications.created == 1


def test_reimporting_the_same_export_changes_nothing() -> None:
    export_import(path=DEMO)
    before = list(Dataset.objects.order_by("pid").values())
    files_before = DataFile.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = export_import(path=DEMO)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert report.publications.unchanged == 1
    assert list(Dataset.objects.order_by("pid").values()) == before
    assert DataFile.objects.count() == files_before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_no_private_field_is_stored() -> None:
    export_import(path=DEMO)
    stored = _all_stored_text()
    for marker in PRIVATE_MARKERS:
        assert marker not in stored, marker


def test_embargoed_record_is_never_imported_whatever_the_policy(settings: Any) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    export_import(path=DEMO)
    assert not Dataset.objects.filter(pid=EMBARGOED).exists()


def test_elapsed_embargo_is_public_only_when_the_policy_says_so(settings: Any) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = False
    export_import(path=DEMO)
    assert not Dataset.objects.filter(pid=ELAPSED).exists()
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    export_import(path=DEMO)
    assert Dataset.objects.public().filter(pid=ELAPSED).exists()


def test_fields_are_mapped() -> None:
    export_import(path=DEMO)
    dataset = Dataset.objects.select_related("instrument", "proposal").get(pid=WITH_FILES)
    assert dataset.type == "raw"
    assert dataset.instrument is not None
    assert (dataset.instrument.unique_name, dataset.instrument.facility) == ("P08", "PETRA III")
    assert dataset.proposal is not None
    assert dataset.proposal.pi_name == "Noether, Emmy"
    assert dataset.techniques.get().pid == "panet01253"
    assert dataset.creators == [{"name": "Lovelace, Ada"}, {"name": "Noether, Emmy"}]
    assert dataset.principal_investigators == ["Noether, Emmy"]
    assert dataset.data_location == "disk"
    assert dataset.files.count() == 120
    assert dataset.number_of_files == 120
    first = dataset.files.order_by("path").first()
    assert first is not None
    assert first.checksum_algorithm == "sha256"
    assert len(first.checksum) == 64
    assert dataset.parameters.filter(
        key_path="approx_distance_range"
    ).get().si_value_max == pytest.approx(0.02)


def test_thumbnails_are_stored_as_files_not_base64() -> None:
    export_import(path=DEMO)
    thumbnail = Thumbnail.objects.get(source_id="att-0001")
    assert str(thumbnail.image.name).endswith(".png")
    assert thumbnail.image.read().startswith(b"\x89PNG")
    assert "base64" not in json.dumps(list(Thumbnail.objects.values()), default=str)


def test_changed_record_is_updated_in_place() -> None:
    records = _demo("datasets.v4.json")
    _import(records)
    changed = copy.deepcopy(records)
    changed[0]["datasetName"] = "A better title"
    changed[0]["scientificMetadata"] = {"sample_temperature": {"value": 300, "unit": "K"}}
    report = _import(changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    dataset = Dataset.objects.get(pid=records[0]["pid"])
    assert dataset.title == "A better title"
    assert list(dataset.parameters.values_list("key_path", flat=True)) == ["sample_temperature"]


def test_record_unpublished_by_the_catalogue_is_withdrawn_and_restored_later() -> None:
    records = _demo("datasets.v4.json")
    _import(records)
    unpublished = copy.deepcopy(records)
    unpublished[0]["isPublished"] = False
    report = _import(unpublished)
    assert report.withdrawn == 1
    dataset = Dataset.objects.get(pid=records[0]["pid"])
    assert dataset.visibility == Visibility.WITHDRAWN
    assert dataset.withdrawn_by == "catalogue"
    _import(records)
    dataset.refresh_from_db()
    assert dataset.visibility == Visibility.PUBLIC


def test_staff_withdrawal_survives_a_later_import() -> None:
    records = _demo("datasets.v4.json")
    _import(records)
    dataset = Dataset.objects.get(pid=records[0]["pid"])
    dataset_withdraw(dataset=dataset, reason="Personal data in a file name")
    _import(records)
    dataset.refresh_from_db()
    assert dataset.visibility == Visibility.WITHDRAWN
    assert dataset.withdrawn_reason == "Personal data in a file name"


def test_malformed_record_is_reported_and_does_not_stop_the_import() -> None:
    records = _demo("datasets.v4.json")
    bad = copy.deepcopy(records[0])
    bad["pid"] = "20.500.12269/broken"
    bad["startTime"] = "yesterday"
    no_pid = {"datasetName": "no pid", "isPublished": True}
    report = _import([bad, no_pid, *records])
    assert report.failed == 2
    assert any("startTime" in error for error in report.errors)
    assert any("pid" in error for error in report.errors)
    assert Dataset.objects.count() == 5


def test_v3_shape_is_understood() -> None:
    v3 = {
        "pid": "20.500.12269/v3-record",
        "type": "raw",
        "datasetName": "A v3 record",
        "isPublished": True,
        "owner": "Curie, Marie",
        "orcidOfOwner": "https://orcid.org/0000-0002-1825-0097",
        "ownerEmail": "marie@facility.example",
        "principalInvestigator": "Curie, Marie",
        "proposalId": "11019634",
        "instrumentId": "instr-p08",
        "sourceFolder": "/asap3/x",
        "creationTime": "2020-01-01T00:00:00Z",
        "scientificMetadata": {"energy": {"value": 8, "unit": "keV"}},
    }
    blocks = {
        v3["pid"]: [
            {
                "datasetId": v3["pid"],
                "chkAlg": "md5",
                "dataFileList": [{"path": "a.h5", "size": 10, "chk": "abc"}],
            }
        ]
    }
    report = _import([v3], blocks=blocks)
    assert report.created == 1, report.errors
    dataset = Dataset.objects.get(pid=v3["pid"])
    assert dataset.proposal is not None
    assert dataset.proposal.proposal_id == "11019634"
    assert dataset.instrument is not None
    assert dataset.instrument.unique_name == "P08"
    assert dataset.principal_investigators == ["Curie, Marie"]
    assert dataset.creators == [{"name": "Curie, Marie", "orcid": "0000-0002-1825-0097"}]
    assert dataset.files.get().checksum_algorithm == "md5"


def test_publish_on_embargo_end_uses_the_date(settings: Any) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    record = _demo("datasets.v4.json")[0] | {"isPublished": False, "pid": "20.500.12269/soon"}
    soon = datetime.now(UTC) + timedelta(hours=1)
    record["datasetlifecycle"] = {"dateOfPublishing": soon.isoformat()}
    _import([record])
    assert not Dataset.objects.filter(pid="20.500.12269/soon").exists()


def test_publication_is_linked_to_its_public_datasets() -> None:
    export_import(path=DEMO)
    publication = Publication.objects.get(doi="10.5072/desy-pd-0001")
    assert publication.datasets.count() == 2
    assert publication.creators[1]["nameIdentifiers"][0]["nameIdentifierScheme"] == "ORCID"
    assert publication.publisher == "Deutsches Elektronen-Synchrotron DESY"


def test_command_imports_an_export(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("sync_catalogue", "--from-export", str(DEMO), "--no-progress")
    assert "5 created" in capsys.readouterr().out
    call_command("sync_catalogue", "--from-export", str(DEMO), "--no-progress")
    assert "5 unchanged" in capsys.readouterr().out


def test_command_rejects_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a directory"):
        call_command("sync_catalogue", "--from-export", str(tmp_path / "nope"))


def test_command_rejects_broken_json(tmp_path: Path) -> None:
    (tmp_path / "datasets.v4.json").write_text("[{")
    with pytest.raises(CommandError, match=r"datasets\.v4\.json"):
        call_command("sync_catalogue", "--from-export", str(tmp_path), "--no-progress")


def test_command_fails_when_records_fail(tmp_path: Path) -> None:
    (tmp_path / "datasets.v4.json").write_text(json.dumps([{"isPublished": True}]))
    with pytest.raises(CommandError, match="1 record"):
        call_command("sync_catalogue", "--from-export", str(tmp_path), "--no-progress")


def test_contributors_and_geo_locations_of_the_catalogues_publications_are_kept() -> None:
    raw: dict[str, Any] = {
        "doi": "10.5072/with-contributors",
        "title": "With contributors",
        "metadata": {
            "creators": [{"name": "Franklin, Rosalind"}],
            "contributors": [{"name": "Gosling, Raymond", "contributorType": "DataCollector"}],
            "geoLocations": [{"geoLocationPlace": "London"}],
        },
    }
    item = publication_from(raw)
    assert item.contributors == raw["metadata"]["contributors"]
    assert item.geo_locations == raw["metadata"]["geoLocations"]
    # A record without them keeps the digest it had before the fields existed.
    plain = PublicationIn(doi="10.5072/x", title="X")
    assert publication_digest(plain) == (
        "ee193473491678bbb03aeeaad1ac297130444053cb805f8f50c6d55fce8e4942"
    )
