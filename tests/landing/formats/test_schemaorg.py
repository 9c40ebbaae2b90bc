"""schema.org Dataset JSON-LD: extracted by extruct, with Google Dataset Search's properties."""

from __future__ import annotations

from typing import Any

import extruct
import pytest

from catalogue.models import ScientificParameter
from landing.records import dataset_record, publication_record
from landing.schemaorg import description, jsonld_script, schemaorg
from publishing.formats.schemaorg import DESCRIPTION_MAX, DESCRIPTION_MIN, script_json
from publishing.models import Publication
from tests.factories import DatasetFactory
from tests.full_records import make_publication

REQUIRED = {"name", "description"}
RECOMMENDED = {
    "url",
    "identifier",
    "sameAs",
    "creator",
    "publisher",
    "datePublished",
    "license",
    "keywords",
    "measurementTechnique",
    "variableMeasured",
    "temporalCoverage",
    "distribution",
    "includedInDataCatalog",
    "isAccessibleForFree",
}


def extract(html: str) -> list[dict[str, Any]]:
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])
    return list(data["json-ld"])


def page(script: str) -> str:
    return f"<!doctype html><html><head><title>x</title>{script}</head><body></body></html>"


def test_extruct_extracts_the_publication_with_every_property(publication: Publication) -> None:
    record = publication_record(publication)
    [data] = extract(page(jsonld_script(record)))
    assert data["@type"] == "Dataset"
    assert set(data) >= REQUIRED | RECOMMENDED
    assert data["name"] == record.title
    assert data["sameAs"] == "https://doi.org/10.5072/landing-formats-0001"
    assert data["identifier"] == ["https://doi.org/10.5072/landing-formats-0001"]
    assert data["url"] == record.url
    assert data["isAccessibleForFree"] is True
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["datePublished"] == "2025-02-03"
    franklin, orsted, team = data["creator"]
    assert franklin["@type"] == "Person"
    assert franklin["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert franklin["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert franklin["identifier"]["value"] == "0000-0002-1825-0097"
    assert franklin["affiliation"][0]["@id"] == "https://ror.org/01js2sh04"
    assert orsted["givenName"] == "Hans Christian"
    assert team == {"@type": "Organization", "name": "Beamline P08 team and friends"}
    assert data["measurementTechnique"][0]["url"] == "http://purl.org/pan-science/PaNET/PaNET01253"
    variables = {v["name"]: v for v in data["variableMeasured"]}
    assert variables["sample.temperature"]["unitText"] == "K"
    assert variables["sample.temperature"]["unitCode"] == "KEL"
    assert variables["beam.energy"] == {
        "@type": "PropertyValue",
        "name": "beam.energy",
        "unitText": "keV",
    }
    assert data["temporalCoverage"].startswith("2024-10-10T08:00:00")
    assert {d["encodingFormat"] for d in data["distribution"]} >= {"application/metalink4+xml"}
    assert all(d["contentUrl"].startswith("http") for d in data["distribution"])
    assert len(data["hasPart"]) == 2
    assert data["funder"][0]["name"] == "European Commission"


def test_a_small_dataset_lists_its_files(publication: Publication) -> None:
    dataset = publication.datasets.order_by("pid").first()
    assert dataset is not None
    data = schemaorg(dataset_record(dataset))
    files = [d for d in data["distribution"] if "contentSize" in d]
    assert [f["encodingFormat"] for f in files] == ["application/x-hdf5"] * 3
    assert files[0]["contentUrl"] == (f"https://data.example.org/pub/{dataset.pid}/raw/scan_000.h5")
    assert data["identifier"] == [f"https://hdl.handle.net/{dataset.pid}"]
    assert "sameAs" not in data
    assert data["temporalCoverage"] == "2024-10-10T08:00:00+00:00/2024-10-10T20:00:00+00:00"


def test_no_download_pattern_no_distribution(publication: Publication, settings: Any) -> None:
    settings.PORTAL_DOWNLOAD_URL = ""
    assert "distribution" not in schemaorg(publication_record(publication))


@pytest.mark.parametrize("abstract", ["", "Short.", "word " * 3000])
def test_description_is_50_to_5000_characters(db: None, abstract: str) -> None:
    record = dataset_record(DatasetFactory.create(description=abstract, title="T"))
    text = description(record)
    assert DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX
    if abstract.startswith("Short"):
        assert text.startswith("Short.")


def test_the_script_cannot_be_closed_by_the_data() -> None:
    text = script_json({"name": "</script><script>alert(1)</script> & <!--"})
    assert not {"<", ">", "&"} & set(text)


def test_jsonld_script_survives_markup_in_titles(db: None) -> None:
    dataset = DatasetFactory.create(title="a < b </script> & c", description="x" * 60)
    html = page(jsonld_script(dataset_record(dataset)))
    assert html.count("</script>") == 1
    [data] = extract(html)
    assert data["name"] == dataset_record(dataset).title


def test_a_big_publication_keeps_its_jsonld_small(db: None, downloads: str) -> None:
    # 50 datasets, each with its own parameters: the page's 100 KB budget must still hold.
    publication = make_publication(datasets=50, files=1, doi="10.5072/big-jsonld")
    for n, dataset in enumerate(publication.datasets.all()):
        ScientificParameter.objects.bulk_create(
            ScientificParameter(dataset=dataset, key_path=f"detector.channel_{n}.gain", unit="dB")
            for _ in range(3)
        )
    script = jsonld_script(publication_record(publication))
    # About 470 bytes a dataset (factory PIDs grow with the test session's sequence numbers).
    assert len(script.encode()) < 30_000
    [data] = extract(page(script))
    assert len(data["hasPart"]) == 50
    assert len(data["variableMeasured"]) == 52


def test_contributors_keep_their_role_and_places_are_spatial_coverage(
    publication: Publication,
) -> None:
    [data] = extract(page(jsonld_script(publication_record(publication))))
    carberry, meitner, lab = data["contributor"]
    assert carberry["@type"] == "Role"
    assert carberry["roleName"] == "ContactPerson"
    assert carberry["contributor"]["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert carberry["contributor"]["affiliation"][0]["@id"] == "https://ror.org/05gq02987"
    assert meitner["roleName"] == "Editor"
    assert lab["contributor"] == {"@type": "Organization", "name": "Sample Preparation Lab"}
    hamburg, box = data["spatialCoverage"]
    assert hamburg == {
        "@type": "Place",
        "name": "Hamburg, Germany",
        "geo": {"@type": "GeoCoordinates", "latitude": "53.5754", "longitude": "9.8803"},
    }
    # schema.org's box: the lower corner, then the upper one, each "latitude longitude".
    assert box == {"@type": "Place", "geo": {"@type": "GeoShape", "box": "35 -10.5 71.2 30"}}
