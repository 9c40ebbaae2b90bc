"""Every export, checked with the tool that reads it: the datacite package's JSON schema, the
kernel-4 and oai_dc XSDs kept in the repo, bibtexparser, rispy and citeproc-py; and the export
routes (media type, file name, 404, 410)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from citeproc.source.json import CiteProcJSON
from datacite import schema45
from django.conf import settings
from django.test import Client
from django.utils import timezone
from lxml import etree

from catalogue.models import Dataset
from catalogue.visibility import Visibility
from landing.exports import EXPORTS, export_url
from landing.records import LandingRecord, dataset_record, publication_record
from publishing.formats import bibtex as bibtex_format
from publishing.formats import csl
from publishing.formats import datacite_json as datacite_json_format
from publishing.formats import ris as ris_format
from publishing.formats.datacite_xml import resource_document
from publishing.formats.dublin_core import oai_dc_document
from publishing.models import Publication
from tests.oai.conftest import kernel_schema

SCHEMAS = Path(settings.BASE_DIR) / "oai" / "schemas"


@functools.cache
def oai_dc_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai_dc.xsd")))


def datacite_json(record: LandingRecord) -> str:
    return datacite_json_format.datacite_json(record.metadata)


def datacite_xml(record: LandingRecord) -> bytes:
    return resource_document(record.metadata)


def dublin_core(record: LandingRecord) -> str:
    return oai_dc_document(record.metadata)


def bibtex(record: LandingRecord) -> str:
    return bibtex_format.bibtex(record.metadata)


def ris(record: LandingRecord) -> str:
    return ris_format.ris(record.metadata)


def csl_json(record: LandingRecord) -> str:
    return csl.csl_json(record.metadata)


def parse_bibtex(text: str) -> Any:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()],
    )
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    return library.entries[0]


def test_datacite_json_is_valid_kernel_4(publication: Publication, dataset: Dataset) -> None:
    for record in (publication_record(publication), dataset_record(dataset)):
        data = json.loads(datacite_json(record))
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in schema45.validator.iter_errors(data)
        ]
        assert errors == []
        assert data["url"] == record.url


def test_datacite_xml_validates_against_the_kernel_4_xsd(
    publication: Publication, dataset: Dataset
) -> None:
    for record in (publication_record(publication), dataset_record(dataset)):
        tree = etree.fromstring(datacite_xml(record))
        schema = kernel_schema()
        assert schema.validate(tree), schema.error_log
    identifier = tree.find("{http://datacite.org/schema/kernel-4}identifier")
    assert identifier is not None
    assert identifier.text == dataset.pid


def test_dublin_core_validates_against_oai_dc(publication: Publication) -> None:
    tree = etree.fromstring(dublin_core(publication_record(publication)).encode())
    assert oai_dc_schema().validate(tree), oai_dc_schema().error_log
    creators = tree.findall("{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators][:2] == ["Franklin, Rosalind", "Ørsted, Hans Christian"]


def test_bibtex_parses_back_with_the_same_fields(publication: Publication) -> None:
    record = publication_record(publication)
    entry = parse_bibtex(bibtex(record))
    assert entry.entry_type == "misc"
    fields = {field.key: field.value for field in entry.fields}
    assert fields["doi"] == "10.5072/landing-formats-0001"
    assert fields["url"] == "https://doi.org/10.5072/landing-formats-0001"
    assert fields["year"] == "2025"
    assert fields["publisher"] == "Photon Science Facility"
    # LaTeX decoded (and without the braces that keep its capitals), the title is the title;
    # pylatexenc reads \textasciicircum as the modifier letter circumflex.
    assert fields["title"].replace("\u02c6", "^") == record.title
    authors = fields["author"]
    assert [(a.last, a.first) for a in authors[:2]] == [
        (["Franklin"], ["Rosalind"]),
        (["Ørsted"], ["Hans", "Christian"]),
    ]
    # The organisation is one name, never "Beamline P08 team" and "friends".
    assert len(authors) == 3
    assert "friends" in " ".join(authors[2].last)


def test_ris_parses_back(publication: Publication) -> None:
    record = publication_record(publication)
    text = ris(record)
    assert text.endswith("ER  - \r\n")
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "DATA"
    assert entry["title"] == record.title
    assert entry["authors"] == [
        "Franklin, Rosalind",
        "Ørsted, Hans Christian",
        "Beamline P08 team and friends",
    ]
    assert entry["year"] == "2025"
    assert entry["doi"] == "10.5072/landing-formats-0001"
    assert entry["urls"] == ["https://doi.org/10.5072/landing-formats-0001"]
    assert entry["keywords"] == ["X-ray reflectivity", "lipids"]
    assert entry["publisher"] == "Photon Science Facility"


# CSL 1.0.2's "license" variable is newer than citeproc-py.
@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_csl_json_is_read_by_citeproc(publication: Publication) -> None:
    items = json.loads(csl_json(publication_record(publication)))
    source = CiteProcJSON(items)
    reference = source["10.5072/landing-formats-0001"]
    assert str(reference["title"]).startswith("Strain & {stress}")
    assert items[0]["type"] == "dataset"
    assert items[0]["author"][2] == {"literal": "Beamline P08 team and friends"}
    assert items[0]["issued"] == {"date-parts": [[2025, 2, 3]]}


def test_a_dataset_without_doi_is_cited_by_its_handle(dataset: Dataset) -> None:
    record = dataset_record(dataset)
    assert record.doi == ""
    entry = parse_bibtex(bibtex(record))
    fields = {field.key: field.value for field in entry.fields}
    assert "doi" not in fields
    assert fields["url"] == f"https://hdl.handle.net/{dataset.pid}"


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
    tree = etree.fromstring(datacite_xml(record))
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
