"""Every format, checked with the tool that reads it: the kernel-4.7 JSON schema
(publishing.kernel), the kernel-4.7 and oai_dc XSDs kept in the repo, bibtexparser, rispy and
citeproc-py. The records come straight from the builder (publishing.metadata); the landing pages'
export routes are tested in tests/landing/formats/test_exports.py."""

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
from django.conf import settings
from lxml import etree

from catalogue.models import Dataset
from publishing import kernel
from publishing.formats import bibtex, csl, ris
from publishing.formats.datacite_json import datacite_json
from publishing.formats.datacite_xml import resource_document
from publishing.formats.dublin_core import oai_dc_document
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from publishing.record import DataCiteRecord, parse
from tests.oai.conftest import kernel_schema

SCHEMAS = Path(settings.BASE_DIR) / "oai" / "schemas"


@functools.cache
def oai_dc_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai_dc.xsd")))


def publication_datacite(publication: Publication) -> DataCiteRecord:
    return parse(publication_metadata(publication))


def dataset_datacite(dataset: Dataset) -> DataCiteRecord:
    """A dataset of a publication of two: it has no DOI of its own, and is part of that one."""
    publications = dataset.publications.values_list("doi", flat=True)
    return parse(dataset_metadata(dataset, part_of=list(publications)))


def parse_bibtex(text: str) -> Any:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()],
    )
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    return library.entries[0]


def test_datacite_json_is_valid_kernel_4(publication: Publication, dataset: Dataset) -> None:
    for record in (publication_datacite(publication), dataset_datacite(dataset)):
        data = json.loads(datacite_json(record))
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in kernel.validator.iter_errors(data)
        ]
        assert errors == []
        assert data["url"] == record.url
        assert data == record.attributes


def test_datacite_xml_validates_against_the_kernel_4_xsd(
    publication: Publication, dataset: Dataset
) -> None:
    for record in (publication_datacite(publication), dataset_datacite(dataset)):
        tree = etree.fromstring(resource_document(record))
        schema = kernel_schema()
        assert schema.validate(tree), schema.error_log
    identifier = tree.find("{http://datacite.org/schema/kernel-4}identifier")
    assert identifier is not None
    assert identifier.text == dataset.pid


KERNEL = "{http://datacite.org/schema/kernel-4}"


def test_contributors_and_geo_locations_are_valid_kernel_4_xml(publication: Publication) -> None:
    tree = etree.fromstring(resource_document(publication_datacite(publication)))
    assert kernel_schema().validate(tree), kernel_schema().error_log
    contributors = tree.findall(f"{KERNEL}contributors/{KERNEL}contributor")
    assert [
        (c.get("contributorType"), c.findtext(f"{KERNEL}contributorName")) for c in contributors
    ] == [
        ("ContactPerson", "Carberry, Josiah"),
        ("Editor", "Meitner, Lise"),
        ("DataCollector", "Sample Preparation Lab"),
    ]
    assert contributors[0].findtext(f"{KERNEL}nameIdentifier") == (
        "https://orcid.org/0000-0002-1825-0097"
    )
    assert contributors[0].find(f"{KERNEL}affiliation").get("affiliationIdentifier") == (
        "https://ror.org/05gq02987"
    )
    places = tree.findall(f"{KERNEL}geoLocations/{KERNEL}geoLocation")
    assert places[0].findtext(f"{KERNEL}geoLocationPlace") == "Hamburg, Germany"
    assert places[0].findtext(f"{KERNEL}geoLocationPoint/{KERNEL}pointLatitude") == "53.5754"
    box = places[1].find(f"{KERNEL}geoLocationBox")
    assert [e.text for e in box] == ["-10.5", "30", "35", "71.2"]


def test_dublin_core_validates_against_oai_dc(publication: Publication) -> None:
    tree = etree.fromstring(oai_dc_document(publication_datacite(publication)).encode())
    assert oai_dc_schema().validate(tree), oai_dc_schema().error_log
    creators = tree.findall("{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators][:2] == ["Franklin, Rosalind", "Ørsted, Hans Christian"]
    contributors = tree.findall("{http://purl.org/dc/elements/1.1/}contributor")
    assert [c.text for c in contributors] == [
        "Carberry, Josiah",
        "Meitner, Lise",
        "Sample Preparation Lab",
    ]
    coverage = [c.text for c in tree.findall("{http://purl.org/dc/elements/1.1/}coverage")]
    assert coverage == [
        "Hamburg, Germany",
        "east=9.8803; north=53.5754; projection=WGS84",
        "northlimit=71.2; eastlimit=30; southlimit=35; westlimit=-10.5; projection=WGS84",
    ]


def test_bibtex_parses_back_with_the_same_fields(publication: Publication) -> None:
    record = publication_datacite(publication)
    entry = parse_bibtex(bibtex.bibtex(record))
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
    # Of the contributors, BibTeX has a place for the editor only.
    assert [(e.last, e.first) for e in fields["editor"]] == [(["Meitner"], ["Lise"])]
    assert "Carberry" not in bibtex.bibtex(record)


def test_ris_parses_back(publication: Publication) -> None:
    record = publication_datacite(publication)
    text = ris.ris(record)
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
    assert entry["secondary_authors"] == ["Meitner, Lise"]  # the editor


# CSL 1.0.2's "license" variable is newer than citeproc-py.
@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_csl_json_is_read_by_citeproc(publication: Publication) -> None:
    items = json.loads(csl.csl_json(publication_datacite(publication)))
    source = CiteProcJSON(items)
    reference = source["10.5072/landing-formats-0001"]
    assert str(reference["title"]).startswith("Strain & {stress}")
    assert items[0]["type"] == "dataset"
    assert items[0]["author"][2] == {"literal": "Beamline P08 team and friends"}
    assert items[0]["issued"] == {"date-parts": [[2025, 2, 3]]}
    assert items[0]["editor"] == [{"family": "Meitner", "given": "Lise"}]
    assert "Carberry" not in json.dumps(items)  # a contact person has no CSL variable


def test_a_dataset_without_doi_is_cited_by_its_handle(dataset: Dataset) -> None:
    record = dataset_datacite(dataset)
    assert record.doi == ""
    entry = parse_bibtex(bibtex.bibtex(record))
    fields = {field.key: field.value for field in entry.fields}
    assert "doi" not in fields
    assert fields["url"] == f"https://hdl.handle.net/{dataset.pid}"
