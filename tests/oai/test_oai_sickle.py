"""End to end: a real harvester (Sickle) harvests the portal over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sickle import Sickle
from sickle.response import OAIResponse

from catalogue.models import Dataset
from catalogue.services import dataset_withdraw
from publishing.models import Publication
from sync.services import export_import
from tests.factories import DatasetFactory
from tests.oai.conftest import validate

DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"


class ValidatingSickle(Sickle):
    """Sickle, with every response it receives validated against the XSDs."""

    responses = 0

    def harvest(self, **kwargs: Any) -> OAIResponse:
        response = super().harvest(**kwargs)
        assert response.http_response.headers["Content-Type"] == "text/xml; charset=utf-8"
        validate(response.http_response.content)
        self.responses += 1
        return response


@pytest.fixture
def portal(live_server: Any, settings: Any) -> ValidatingSickle:
    """The demo export plus a dozen more datasets, one withdrawn, served in pages of four."""
    export_import(path=DEMO)
    DatasetFactory.create_batch(12)
    dataset_withdraw(dataset=Dataset.objects.order_by("id").first(), reason="Retracted")  # type: ignore[arg-type]
    settings.OAI_PAGE_SIZE = 4
    return ValidatingSickle(f"{live_server.url}/oai", max_retries=0, timeout=30)


def expected() -> dict[str, bool]:
    """Every record's OAI identifier and whether it is deleted."""
    out = {f"oai:data.facility.example:{p.doi}": p.is_withdrawn for p in Publication.objects.all()}
    out.update(
        {f"oai:data.facility.example:{d.pid}": d.is_withdrawn for d in Dataset.objects.all()}
    )
    return out


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_record_exactly_once(portal: ValidatingSickle) -> None:
    identify = portal.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.deletedRecord == "persistent"
    harvested: dict[str, bool] = {}
    titles = []
    for record in portal.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False):
        assert record.header.identifier not in harvested
        harvested[record.header.identifier] = record.deleted
        if not record.deleted:
            titles.append(record.metadata["title"][0])
    assert harvested == expected()  # 5 demo datasets, 1 publication, 12 more: 18 in 5 pages
    assert len(harvested) == 18
    assert sum(harvested.values()) == 1
    assert all(titles)
    assert portal.responses == 1 + 5


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_over_post(portal: ValidatingSickle) -> None:
    portal.http_method = "POST"
    records = list(portal.ListRecords(metadataPrefix="oai_datacite", ignore_deleted=True))
    assert len(records) == 17
    assert all(r.metadata["identifier"] for r in records)


@pytest.mark.django_db(transaction=True)
def test_sickle_lists_identifiers_sets_and_formats(portal: ValidatingSickle) -> None:
    identifiers = [h.identifier for h in portal.ListIdentifiers(metadataPrefix="oai_datacite")]
    assert sorted(identifiers) == sorted(expected())
    specs = [s.setSpec for s in portal.ListSets()]
    assert "openaire_data" in specs
    formats = [f.metadataPrefix for f in portal.ListMetadataFormats()]
    assert formats == ["oai_dc", "oai_datacite", "datacite"]
    publications = list(portal.ListIdentifiers(metadataPrefix="datacite", set="publications"))
    assert [h.identifier for h in publications] == [
        "oai:data.facility.example:10.5072/desy-pd-0001"
    ]
