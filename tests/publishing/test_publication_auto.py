"""Automatic DOIs (PORTAL_AUTO_DOI): records whose embargo lifts get a publication and a DOI."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from catalogue.models import Dataset
from publishing.models import DoiState, Publication
from sync.services import ImportReport, References, records_import
from tests.standins.datacite import DataCiteStandIn

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]
DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"
BEAMTIME = "11019634"  # four public datasets in the demo export
ELAPSED = "11010203"  # one dataset whose embargo has ended, not yet published by the catalogue


def demo(name: str) -> list[dict[str, Any]]:
    return list(json.loads((DEMO / name).read_text()))


def sync(records: list[dict[str, Any]], on_commit: OnCommit) -> None:
    report = ImportReport()
    references = References.parse(demo("instruments.v4.json"), demo("proposals.v4.json"), report)
    with on_commit(execute=True):
        records_import(
            records=records, blocks={}, attachments={}, references=references, report=report
        )
    assert report.failed == 0, report.errors


def of_proposal(proposal_id: str) -> list[dict[str, Any]]:
    return [r for r in demo("datasets.v4.json") if proposal_id in (r.get("proposalIds") or [])]


def test_off_by_default_nothing_is_published(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit
) -> None:
    sync(demo("datasets.v4.json"), django_capture_on_commit_callbacks)

    assert Dataset.objects.public().exists()
    assert not Publication.objects.exists()
    assert standin.seen == []


def test_dataset_policy_gives_each_new_public_dataset_its_doi(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, settings: Any
) -> None:
    settings.PORTAL_AUTO_DOI = "dataset"

    sync(demo("datasets.v4.json"), django_capture_on_commit_callbacks)

    public = Dataset.objects.public()
    publications = Publication.objects.all()
    assert publications.count() == public.count() == 5
    assert {p.doi_state for p in publications} == {DoiState.FINDABLE}
    assert {p.auto_key for p in publications} == {f"dataset:{d.pid}" for d in public}
    assert len(standin.dois()) == 5
    for publication in publications:
        assert publication.datasets.count() == 1
        remote = standin.doi(publication.doi)
        has_part = [r["relatedIdentifier"] for r in remote.attributes["relatedIdentifiers"]]
        assert has_part == [publication.datasets.get().pid]


def test_syncing_again_mints_nothing_new(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, settings: Any
) -> None:
    settings.PORTAL_AUTO_DOI = "dataset"
    sync(demo("datasets.v4.json"), django_capture_on_commit_callbacks)
    seen = len(standin.seen)

    sync(demo("datasets.v4.json"), django_capture_on_commit_callbacks)

    assert Publication.objects.count() == 5
    assert len(standin.seen) == seen


def test_beamtime_policy_makes_one_doi_per_proposal_that_grows(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, settings: Any
) -> None:
    settings.PORTAL_AUTO_DOI = "beamtime"
    records = of_proposal(BEAMTIME)

    sync(records[:2], django_capture_on_commit_callbacks)
    publication = Publication.objects.get(auto_key=f"proposal:{BEAMTIME}")
    assert publication.doi_state == DoiState.FINDABLE
    assert publication.datasets.count() == 2

    sync(records, django_capture_on_commit_callbacks)

    publication.refresh_from_db()
    assert Publication.objects.count() == 1
    assert publication.datasets.count() == 4
    assert publication.doi_state == DoiState.FINDABLE
    remote = standin.doi(publication.doi)
    assert len(remote.attributes["relatedIdentifiers"]) == 4
    assert len(standin.dois()) == 1
    assert standin.requests("PUT")  # the DOI's metadata followed


def test_a_record_whose_embargo_lifts_gets_its_doi_when_synced(
    standin: DataCiteStandIn, django_capture_on_commit_callbacks: OnCommit, settings: Any
) -> None:
    settings.PORTAL_AUTO_DOI = "beamtime"
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = False
    sync(of_proposal(ELAPSED), django_capture_on_commit_callbacks)
    assert not Publication.objects.exists()

    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True  # the facility's policy: the embargo has ended
    sync(of_proposal(ELAPSED), django_capture_on_commit_callbacks)

    publication = Publication.objects.get()
    assert publication.auto_key == f"proposal:{ELAPSED}"
    assert publication.doi_state == DoiState.FINDABLE
    assert list(standin.dois()) == [publication.doi]
