"""OAI-PMH 2.0 verbs and error conditions; every response is validated against the XSDs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client

from catalogue.models import Dataset
from catalogue.services import dataset_withdraw
from publishing.models import Publication
from sync.services import export_import
from tests.factories import DatasetFactory
from tests.oai.conftest import NS, Oai, error_codes, request_attributes, validate

DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"
DOI = "10.5072/desy-pd-0001"
PID = "20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988"
BASE = "https://data.facility.example/oai"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    export_import(path=DEMO)


def oai_id(key: str) -> str:
    return f"oai:data.facility.example:{key}"


def test_identify_describes_the_repository(oai: Oai, demo: None) -> None:
    tree = oai(verb="Identify")
    identify = tree.find("oai:Identify", NS)
    assert identify is not None
    assert identify.findtext("oai:repositoryName", namespaces=NS) == "Photon Science Data Portal"
    assert identify.findtext("oai:baseURL", namespaces=NS) == BASE
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "data-office@facility.example"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = min(
        [
            *Dataset.objects.values_list("modified", flat=True),
            *Publication.objects.values_list("modified", flat=True),
        ]
    )
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == earliest.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert tree.findtext(".//{*}repositoryIdentifier") == "data.facility.example"
    assert tree.findtext("oai:request", namespaces=NS) == BASE
    assert request_attributes(tree) == {"verb": "Identify"}


def test_identify_of_an_empty_repository_is_valid(oai: Oai) -> None:
    assert oai(verb="Identify").findtext(".//oai:earliestDatestamp", namespaces=NS)


def test_post_is_answered_like_get(oai: Oai, demo: None) -> None:
    tree = oai(method="post", verb="GetRecord", identifier=oai_id(DOI), metadataPrefix="oai_dc")
    assert tree.findtext(".//oai:header/oai:identifier", namespaces=NS) == oai_id(DOI)


def test_post_needs_no_csrf_token(demo: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/oai", {"verb": "Identify"})
    assert response.status_code == 200
    validate(response.content)


def test_other_methods_are_refused(client: Client) -> None:
    assert client.put("/oai?verb=Identify").status_code == 405


def test_metadata_formats(oai: Oai, demo: None) -> None:
    tree = oai(verb="ListMetadataFormats")
    prefixes = [e.text for e in tree.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "oai_datacite", "datacite"]
    namespaces = [e.text for e in tree.iterfind(".//oai:metadataNamespace", NS)]
    assert namespaces == [
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "http://schema.datacite.org/oai/oai-1.1/",
        "http://datacite.org/schema/kernel-4",
    ]


def test_metadata_formats_of_one_record(oai: Oai, demo: None) -> None:
    tree = oai(verb="ListMetadataFormats", identifier=oai_id(PID))
    assert len(tree.findall(".//oai:metadataFormat", NS)) == 3
    assert request_attributes(tree) == {"verb": "ListMetadataFormats", "identifier": oai_id(PID)}


def test_metadata_formats_of_an_unknown_record(oai: Oai, demo: None) -> None:
    tree = oai(verb="ListMetadataFormats", identifier=oai_id("20.500.12269/nope"))
    assert error_codes(tree) == ["idDoesNotExist"]


def test_list_sets_names_and_describes_every_set(oai: Oai, demo: None) -> None:
    tree = oai(verb="ListSets")
    specs = [e.text for e in tree.iterfind(".//oai:setSpec", NS)]
    assert specs[:4] == ["publications", "datasets", "openaire_data", "instrument"]
    for spec in (
        "instrument:instr-p08",
        "facility",
        "facility:PETRA~20III",
        "type",
        "type:raw",
        "type:derived",
    ):
        assert spec in specs
    assert len(specs) == len(set(specs))
    for element in tree.iterfind(".//oai:set", NS):
        assert element.findtext("oai:setName", namespaces=NS)
        assert element.findtext(".//dc:description", namespaces=NS)


def test_get_record_of_a_publication_in_every_format(oai: Oai, demo: None) -> None:
    dc = oai(verb="GetRecord", identifier=oai_id(DOI), metadataPrefix="oai_dc")
    assert dc.findtext(".//dc:identifier", namespaces=NS) == f"https://doi.org/{DOI}"
    assert [e.text for e in dc.iterfind(".//oai:setSpec", NS)] == ["publications", "openaire_data"]
    wrapped = oai(verb="GetRecord", identifier=oai_id(DOI), metadataPrefix="oai_datacite")
    assert wrapped.findtext(".//oai_datacite:schemaVersion", namespaces=NS) == "4.7"
    assert wrapped.findtext(".//datacite:identifier", namespaces=NS) == DOI
    direct = oai(verb="GetRecord", identifier=oai_id(DOI), metadataPrefix="datacite")
    resource = direct.find(".//oai:metadata/datacite:resource", NS)
    assert resource is not None
    rights = [e.get("rightsURI") for e in resource.iterfind(".//datacite:rights", NS)]
    assert "info:eu-repo/semantics/openAccess" in rights


def test_get_record_of_a_dataset(oai: Oai, demo: None) -> None:
    tree = oai(verb="GetRecord", identifier=oai_id(PID), metadataPrefix="oai_datacite")
    identifier = tree.find(".//datacite:identifier", NS)
    assert identifier is not None
    assert (identifier.text, identifier.get("identifierType")) == (PID, "Handle")
    specs = [e.text for e in tree.iterfind(".//oai:setSpec", NS)]
    assert specs == [
        "datasets",
        "openaire_data",
        "type:derived",
        "instrument:instr-p08",
        "facility:PETRA~20III",
    ]


def test_identifiers_are_case_insensitive_for_dois(oai: Oai, demo: None) -> None:
    tree = oai(verb="GetRecord", identifier=oai_id(DOI.upper()), metadataPrefix="oai_dc")
    assert tree.findtext(".//oai:header/oai:identifier", namespaces=NS) == oai_id(DOI)


def test_identifier_with_unusual_characters_round_trips(oai: Oai) -> None:
    DatasetFactory.create(pid="local/run 7#<b>")
    listed = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    identifier = listed.findtext(".//oai:header/oai:identifier", namespaces=NS)
    assert identifier == oai_id("local/run%207%23%3Cb%3E")
    tree = oai(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert tree.find(".//oai:record", NS) is not None


def test_withdrawn_record_is_reported_deleted(oai: Oai, demo: None) -> None:
    dataset_withdraw(dataset=Dataset.objects.get(pid=PID), reason="Retracted")
    tree = oai(verb="GetRecord", identifier=oai_id(PID), metadataPrefix="oai_dc")
    header = tree.find(".//oai:header", NS)
    assert header is not None
    assert header.get("status") == "deleted"
    assert tree.find(".//oai:metadata", NS) is None


def _get(oai: Oai, query: str) -> tuple[list[str], dict[str, str]]:
    tree = oai(query=query)
    return error_codes(tree), request_attributes(tree)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Bogus", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=identify", "badVerb"),
        ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&from=2024-01-02", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00.5Z", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
            "badArgument",
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&identifier=x", "badArgument"),
        ("verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListIdentifiers&from=2024-01-01", "badArgument"),
        ("verb=GetRecord&identifier=oai:data.facility.example:x", "badArgument"),
        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListSets&set=datasets", "badArgument"),
        ("verb=ListMetadataFormats&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=nosuchset", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=type:nosuchtype", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2099-01-01", "noRecordsMatch"),
        ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListIdentifiers&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
        ("verb=GetRecord&identifier=oai:other.example:x&metadataPrefix=oai_dc", "idDoesNotExist"),
        ("verb=GetRecord&identifier=not-an-oai-id&metadataPrefix=oai_dc", "idDoesNotExist"),
    ],
)
def test_error_conditions(oai: Oai, demo: None, query: str, code: str) -> None:
    codes, attributes = _get(oai, query)
    assert codes == [code]
    if code in ("badVerb", "badArgument"):
        assert attributes == {}  # 3.2: the request element holds the base URL only


def test_unknown_record_in_an_unknown_format_reports_both(oai: Oai, demo: None) -> None:
    codes, attributes = _get(
        oai, "verb=GetRecord&identifier=oai:data.facility.example:nope&metadataPrefix=marc"
    )
    assert codes == ["idDoesNotExist", "cannotDisseminateFormat"]
    assert attributes == {
        "verb": "GetRecord",
        "identifier": "oai:data.facility.example:nope",
        "metadataPrefix": "marc",
    }


def test_arguments_that_do_not_fit_the_schema_are_not_echoed(oai: Oai, demo: None) -> None:
    codes, attributes = _get(oai, "verb=ListRecords&metadataPrefix=not%20a%20prefix")
    assert codes == ["cannotDisseminateFormat"]
    assert attributes == {"verb": "ListRecords"}


def test_response_date_is_now_in_utc(oai: Oai) -> None:
    text = oai(verb="Identify").findtext("oai:responseDate", namespaces=NS)
    assert text is not None
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60
