"""The landing records the exports are made from, and the export routes (media type, file name,
404, 410). Each format itself is checked with the tool that reads it in
tests/publishing/formats/test_readers.py."""

from __future__ import annotations

import pytest
import rispy
from datacite import schema45
from django.test import Client
from django.utils import timezone
from lxml import etree

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from landing.exports import EXPORTS, export_url
from landing.records import dataset_record, publication_record
from publishing.formats.datacite_xml import resource_document
from publishing.models import Publication
from tests.oai.conftest import kernel_schema


def test_a_dataset_published_alone_has_the_doi_of_its_publication(
    publication: Publication, dataset: Dataset
) -> None:
    own = Publication.objects.create(
        doi="10.5072/just-this-one",
        title="One dataset",
        registered_at=timezone.now(),
    )
    own.datasets.set([dataset])
    record = dataset_record(dataset)
    assert record.doi == "10.5072/just-this-one"
    assert record.identifier == "10.5072/just-this-one"
    assert record.part_of == ("10.5072/landing-formats-0001",)
    assert record.metadata.doi == "10.5072/just-this-one"
    assert {
        "relatedIdentifier": "10.5072/landing-formats-0001",
        "relatedIdentifierType": "DOI",
        "relationType": "IsPartOf",
    } in record.metadata.attributes["relatedIdentifiers"]
    assert list(schema45.validator.iter_errors(record.metadata.attributes)) == []
    tree = etree.fromstring(resource_document(record.metadata))
    assert kernel_schema().validate(tree), kernel_schema().error_log
    assert tree.findtext("{http://datacite.org/schema/kernel-4}identifier") == (
        "10.5072/just-this-one"
    )


def test_publication_record_totals_and_versions(publication: Publication) -> None:
    publication.related_identifiers = [
        {
            "relatedIdentifier": "10.5072/landing-formats-0000",
            "relatedIdentifierType": "DOI",
            "relationType": "IsNewVersionOf",
        }
    ]
    publication.save()
    record = publication_record(publication)
    assert record.file_count == 6
    assert record.size == sum(d.size for d in publication.datasets.all())
    [version] = record.versions
    assert version.url == "https://doi.org/10.5072/landing-formats-0000"
    assert version.relation == "IsNewVersionOf"


@pytest.mark.parametrize("key", list(EXPORTS))
def test_export_route_is_a_download_with_media_type_and_file_name(
    client: Client, publication: Publication, key: str
) -> None:
    fmt = EXPORTS[key]
    response = client.get(export_url(publication_record(publication), key))
    assert response.status_code == 200
    assert response["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="10.5072_landing-formats-0001.{fmt.extension}"'
    )
    assert response.content
    assert response["Access-Control-Allow-Origin"] == "*"


def test_export_route_for_a_dataset_pid_with_slashes(client: Client, dataset: Dataset) -> None:
    response = client.get(f"/export/ris/datasets/{dataset.pid}")
    assert response.status_code == 200
    assert rispy.loads(response.content.decode())[0]["title"] == dataset.title


def test_export_route_matches_the_doi_in_any_case_and_encoded(
    client: Client, publication: Publication
) -> None:
    response = client.get("/export/bibtex/doi/10.5072%2FLANDING-formats-0001")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/export/nonsense/doi/10.5072/landing-formats-0001",
        "/export/bibtex/doi/10.5072/missing",
        "/export/bibtex/datasets/nope/nothing",
        "/export/bibtex/doi/" + "x" * 5000,
        "/export/bibtex/doi/10.5072/%00nul",
        "/export/bibtex/datasets/20.500.12269/%00nul",
        "/linkset/json/datasets/%7F",
        "/linkset/yaml/doi/10.5072/landing-formats-0001",
    ],
)
def test_unknown_export_or_record_is_404(
    client: Client, publication: Publication, path: str
) -> None:
    assert client.get(path).status_code == 404


def test_withdrawn_record_exports_are_410(
    client: Client, publication: Publication, dataset: Dataset
) -> None:
    Publication.objects.filter(pk=publication.pk).update(
        visibility=Visibility.WITHDRAWN, withdrawn_reason="Duplicate"
    )
    Dataset.objects.filter(pk=dataset.pk).update(visibility=Visibility.WITHDRAWN)
    for path in (
        "/export/bibtex/doi/10.5072/landing-formats-0001",
        f"/export/datacite-json/datasets/{dataset.pid}",
        "/linkset/json/doi/10.5072/landing-formats-0001",
    ):
        response = client.get(path)
        assert response.status_code == 410, path
