"""The citation exports agree with each other, read back by a second reader each.

BibTeX is read by pybtex (bibtexparser reads it in test_readers.py), RIS by rispy and CSL-JSON
as JSON; all must name the same title, creators, full publication date and DOI as the DataCite
metadata they are written from. The resource type in every citation is the DataCite general
type ("Dataset"), never the facility's free text ("raw").
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import rispy
from pybtex.database import parse_string
from pybtex.richtext import Text

from catalogue.models import Dataset
from landing.citation import STYLES, cite
from landing.records import dataset_record, publication_record
from publishing.formats import bibtex, csl, fields, ris
from publishing.metadata import dataset_metadata, publication_metadata
from publishing.models import Publication
from publishing.record import DataCiteRecord, parse


def _latex_text(parts: list[str]) -> str:
    return str(Text.from_latex(" ".join(parts)))


def _from_bibtex(record: DataCiteRecord) -> dict[str, Any]:
    entry = next(iter(parse_string(bibtex.bibtex(record), "bibtex").entries.values()))
    day = entry.fields.get("day")
    date = entry.fields["date"] if "date" in entry.fields else entry.fields["year"]
    if day:  # BibTeX's own three fields say the same as biblatex's date
        assert date == f"{entry.fields['year']}-{int(entry.fields['month']):02d}-{int(day):02d}"
    return {
        "title": _latex_text([entry.fields["title"]]),
        "creators": [_latex_text(person.last_names) for person in entry.persons["author"]],
        "date": date,
        "doi": entry.fields.get("doi", ""),
        "type": entry.fields["howpublished"],
    }


def _from_ris(record: DataCiteRecord) -> dict[str, Any]:
    (entry,) = rispy.loads(ris.ris(record))
    return {
        "title": entry["title"],
        "creators": [author.split(",")[0] for author in entry["authors"]],
        "date": entry["date"].replace("/", "-"),
        "doi": entry.get("doi", ""),
        "type": entry["type_of_work"],
    }


def _from_csl(record: DataCiteRecord) -> dict[str, Any]:
    (item,) = json.loads(csl.csl_json(record))
    return {
        "title": item["title"],
        "creators": [a.get("family") or a["literal"] for a in item["author"]],
        "date": "-".join(f"{p:02d}" for p in item["issued"]["date-parts"][0]),
        "doi": item.get("DOI", ""),
        "type": item["genre"],
    }


def _family(creator: dict[str, Any]) -> str:
    if creator.get("familyName"):
        return str(creator["familyName"])
    name = str(creator["name"])
    return name.split(",")[0] if creator.get("nameType") == "Personal" else name


def _from_datacite(record: DataCiteRecord) -> dict[str, Any]:
    """The truth: the DataCite JSON itself, not the helpers the formats share."""
    attributes = record.attributes
    dates = {d["dateType"]: d["date"] for d in attributes["dates"]}
    # a dataset's: its embargo's end, or its creation when it was public from the start
    issued = dates.get("Issued") or dates.get("Available") or dates["Created"]
    return {
        "title": attributes["titles"][0]["title"],
        "creators": [_family(c) for c in attributes["creators"]],
        "date": issued[:10],
        "doi": attributes.get("doi", ""),
        "type": attributes["types"]["resourceTypeGeneral"],
    }


# LaTeX's specials are read back by bibtexparser in test_readers.py; here a title a reader
# must only keep intact (Unicode, an apostrophe, a dash).
TITLE = "Strain in Bi₂Se₃ films at 295 K — Müller's data"


def _records(publication: Publication, dataset: Dataset) -> list[DataCiteRecord]:
    dataset.type = "raw"  # the facility's free text, as SciCat's dataset types are
    dataset.title = TITLE
    dataset.save()
    publication.resource_type = "raw"
    publication.title = TITLE
    publication.save()
    return [parse(publication_metadata(publication)), parse(dataset_metadata(dataset))]


def test_bibtex_ris_and_csl_agree_with_the_datacite_metadata(
    publication: Publication, dataset: Dataset
) -> None:
    for record in _records(publication, dataset):
        truth = _from_datacite(record)
        assert len(truth["date"]) == 10, "the fixtures carry a full date"
        assert truth["type"] == "Dataset"
        for reader in (_from_bibtex, _from_ris, _from_csl):
            assert reader(record) == truth, reader.__name__


def test_the_free_text_type_is_kept_where_the_format_has_a_place(
    publication: Publication, dataset: Dataset
) -> None:
    for record in _records(publication, dataset):
        assert fields.resource_type(record) == ("Dataset", "raw")
        assert "N1  - Resource type: raw" in ris.ris(record)
        assert "raw" not in json.dumps(csl.csl_item(record)["genre"])


@pytest.mark.parametrize("style", sorted(STYLES))
def test_no_citation_style_prints_the_free_text_type(
    style: str, publication: Publication, dataset: Dataset
) -> None:
    _records(publication, dataset)
    for record in (publication_record(publication), dataset_record(dataset)):
        text = cite(record, style).text
        assert "raw" not in text.lower(), text
        if style == "apa":
            assert "[Dataset]" in text
