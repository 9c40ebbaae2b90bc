"""Harvesting lists: paging with resumption tokens, selective harvesting, deletions, text."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import signing
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from catalogue.models import Dataset
from catalogue.services import dataset_withdraw
from oai import selectors
from oai.selectors import Listing
from oai.sets import EVERYTHING
from publishing.models import Publication
from publishing.services.withdrawal import publication_withdraw
from tests.factories import (
    DatasetFactory,
    InstrumentFactory,
    PublicationFactory,
    TechniqueFactory,
)
from tests.oai.conftest import NS, Oai, error_codes

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)


def stamp(record: Dataset | Publication, moment: datetime) -> None:
    """Give ``record`` the datestamp ``moment`` (``modified`` is otherwise always now)."""
    type(record).objects.filter(pk=record.pk).update(modified=moment)


def oai_id(key: str) -> str:
    return f"oai:data.facility.example:{key}"


def headers(tree: etree._Element) -> list[tuple[str, str, str | None]]:
    return [
        (
            h.findtext("oai:identifier", namespaces=NS) or "",
            h.findtext("oai:datestamp", namespaces=NS) or "",
            h.get("status"),
        )
        for h in tree.iterfind(".//oai:header", NS)
    ]


def token_of(tree: etree._Element) -> etree._Element | None:
    return tree.find(".//oai:resumptionToken", NS)


def harvest(oai: Oai, verb: str = "ListIdentifiers", **arguments: str) -> list[etree._Element]:
    """Every page of a list, following the resumption tokens."""
    pages = [oai(verb=verb, **arguments)]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(verb=verb, resumptionToken=token.text))
        assert len(pages) < 1000
    return pages


@pytest.fixture
def ten(settings: Any) -> list[Dataset]:
    """Ten datasets, a minute apart, and pages of three records."""
    settings.OAI_PAGE_SIZE = 3
    datasets = DatasetFactory.create_batch(10)
    for n, dataset in enumerate(datasets):
        stamp(dataset, T0 + timedelta(minutes=n))
    return datasets


def test_a_harvest_pages_through_every_record_once(oai: Oai, ten: list[Dataset]) -> None:
    publication = PublicationFactory.create()
    stamp(publication, T0 + timedelta(minutes=4))
    pages = harvest(oai, metadataPrefix="oai_dc")
    seen = [h[0] for page in pages for h in headers(page)]
    expected = [oai_id(d.pid) for d in ten]
    expected.insert(4, oai_id(publication.doi or ""))
    assert seen == expected  # datestamp order (publications first at a tie), each record once
    tokens = [token_of(page) for page in pages]
    assert [t.get("cursor") for t in tokens if t is not None] == ["0", "3", "6", "9"]
    assert {t.get("completeListSize") for t in tokens if t is not None} == {"11"}
    last = tokens[-1]
    assert last is not None
    assert last.text is None  # the page that completes the list carries an empty token
    assert last.get("expirationDate") is None


def test_a_list_that_fits_one_page_has_no_token(oai: Oai, ten: list[Dataset]) -> None:
    tree = oai(
        verb="ListRecords", metadataPrefix="oai_dc", set="type:raw", until="2024-03-01T10:01:00Z"
    )
    assert len(headers(tree)) == 2
    assert token_of(tree) is None


def test_records_with_the_same_datestamp_are_split_by_id(oai: Oai, ten: list[Dataset]) -> None:
    Dataset.objects.update(modified=T0)
    publication = PublicationFactory.create()
    stamp(publication, T0)
    pages = harvest(oai, metadataPrefix="oai_dc")
    seen = [h[0] for page in pages for h in headers(page)]
    assert seen == [oai_id(publication.doi or ""), *(oai_id(d.pid) for d in ten)]


def test_changes_during_a_harvest_skip_nothing(oai: Oai, ten: list[Dataset]) -> None:
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    delivered = [h[0] for h in headers(first)]
    assert delivered == [oai_id(d.pid) for d in ten[:3]]
    # Meanwhile: new records arrive, one record already sent and one not yet sent change.
    late = DatasetFactory.create_batch(2)
    ten[1].title = "Corrected title"
    ten[1].save()
    ten[7].title = "Corrected title"
    ten[7].save()
    pages = [first]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(verb="ListIdentifiers", resumptionToken=token.text))
    seen = [h[0] for page in pages for h in headers(page)]
    unchanged = [d for n, d in enumerate(ten) if n not in (1, 7)]
    for dataset in unchanged:
        assert seen.count(oai_id(dataset.pid)) == 1
    assert seen.count(oai_id(ten[7].pid)) == 1  # sent once, in its new version
    assert seen.count(oai_id(ten[1].pid)) == 2  # sent, changed, sent again (new datestamp)
    for dataset in late:
        assert seen.count(oai_id(dataset.pid)) == 1
    assert seen[-3:] == [oai_id(d.pid) for d in sorted([*late, ten[1], ten[7]], key=_modified)][-3:]


def _modified(dataset: Dataset) -> datetime:
    return Dataset.objects.get(pk=dataset.pk).modified


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"from": "2024-03-01T10:03:00Z"}, range(3, 10)),
        ({"until": "2024-03-01T10:03:00Z"}, range(4)),  # until is inclusive, to the second
        ({"from": "2024-03-01T10:02:00Z", "until": "2024-03-01T10:04:00Z"}, range(2, 5)),
        ({"from": "2024-03-01T10:02:30Z", "until": "2024-03-01T10:02:59Z"}, range(0)),
        ({"from": "2024-03-01", "until": "2024-03-01"}, range(10)),  # whole days
        ({"until": "2024-02-29"}, range(0)),
        ({"from": "2024-03-02"}, range(0)),
        ({"from": "0001-01-01", "until": "9999-12-31"}, range(10)),
        ({"until": "9999-12-31T23:59:59Z"}, range(10)),
    ],
)
def test_selective_harvesting_by_date(
    oai: Oai, ten: list[Dataset], arguments: dict[str, str], expected: range
) -> None:
    # Datestamps carry microseconds in the database; a harvester sees whole seconds.
    for n, dataset in enumerate(ten):
        stamp(dataset, T0 + timedelta(minutes=n, microseconds=999_999))
    pages = harvest(oai, metadataPrefix="oai_dc", **arguments)
    seen = [h[0] for page in pages for h in headers(page)]
    if not expected:
        assert error_codes(pages[0]) == ["noRecordsMatch"]
    else:
        assert seen == [oai_id(ten[n].pid) for n in expected]


def test_datestamps_are_seconds_in_utc(oai: Oai, ten: list[Dataset]) -> None:
    stamp(ten[0], datetime(2024, 3, 1, 11, 0, 0, 500_000, tzinfo=UTC))
    tree = oai(verb="GetRecord", identifier=oai_id(ten[0].pid), metadataPrefix="oai_dc")
    assert headers(tree)[0][1] == "2024-03-01T11:00:00Z"


def test_sets_select_their_records(oai: Oai, settings: Any) -> None:
    p08 = InstrumentFactory.create(pid="instr-p08", facility="PETRA III")
    flash = InstrumentFactory.create(pid="instr flash/1", facility="FLASH")
    bare = InstrumentFactory.create(pid="instr-x", facility="")
    raw_p08 = DatasetFactory.create(instrument=p08, type="raw")
    derived_p08 = DatasetFactory.create(instrument=p08, type="derived")
    raw_flash = DatasetFactory.create(instrument=flash, type="raw")
    no_facility = DatasetFactory.create(instrument=bare, type="raw")
    no_instrument = DatasetFactory.create(instrument=None, type="derived")
    publication = PublicationFactory.create()

    def members(spec: str) -> set[str]:
        return {
            h[0] for page in harvest(oai, metadataPrefix="oai_dc", set=spec) for h in headers(page)
        }

    def ids(*records: Dataset | Publication) -> set[str]:
        return {oai_id(r.pid if isinstance(r, Dataset) else r.doi or "") for r in records}

    everything = ids(raw_p08, derived_p08, raw_flash, no_facility, no_instrument, publication)
    assert members("openaire_data") == everything
    assert members("publications") == ids(publication)
    assert members("datasets") == everything - ids(publication)
    assert members("type") == everything - ids(publication)
    assert members("type:raw") == ids(raw_p08, raw_flash, no_facility)
    assert members("instrument") == ids(raw_p08, derived_p08, raw_flash, no_facility)
    assert members("instrument:instr-p08") == ids(raw_p08, derived_p08)
    assert members("instrument:instr~20flash~2F1") == ids(raw_flash)
    assert members("facility") == ids(raw_p08, derived_p08, raw_flash)
    assert members("facility:PETRA~20III") == ids(raw_p08, derived_p08)
    assert members("facility:FLASH") == ids(raw_flash)
    listed = oai(verb="ListSets")
    assert "instrument:instr~20flash~2F1" in [e.text for e in listed.iterfind(".//oai:setSpec", NS)]


def test_deleted_records_stay_in_every_list(oai: Oai, ten: list[Dataset]) -> None:
    dataset_withdraw(dataset=ten[2], reason="Duplicate")
    publication = PublicationFactory.create()
    publication_withdraw(publication=publication, reason="Withdrawn by the authors")
    for verb in ("ListIdentifiers", "ListRecords"):
        pages = harvest(oai, verb=verb, metadataPrefix="oai_datacite", set="openaire_data")
        status = {h[0]: h[2] for page in pages for h in headers(page)}
        assert status[oai_id(ten[2].pid)] == "deleted"
        assert status[oai_id(publication.doi or "")] == "deleted"
        assert status[oai_id(ten[3].pid)] is None
        records = [r for page in pages for r in page.iterfind(".//oai:record", NS)]
        for record in records:
            deleted = record.find("oai:header", NS).get("status") == "deleted"
            assert (record.find("oai:metadata", NS) is None) == deleted


def test_a_deletion_is_a_change_selective_harvesters_see(oai: Oai, ten: list[Dataset]) -> None:
    dataset_withdraw(dataset=ten[0], reason="Retracted")
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tree = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert headers(tree) == [(oai_id(ten[0].pid), headers(tree)[0][1], "deleted")]


def test_token_is_refused_when_altered_or_for_another_verb(oai: Oai, ten: list[Dataset]) -> None:
    token = token_of(oai(verb="ListRecords", metadataPrefix="oai_dc"))
    assert token is not None
    assert token.text
    altered = token.text[:-3] + ("AAA" if not token.text.endswith("AAA") else "BBB")
    assert error_codes(oai(verb="ListRecords", resumptionToken=altered)) == ["badResumptionToken"]
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=token.text)) == [
        "badResumptionToken"
    ]


def _token_issued(oai: Oai, monkeypatch: pytest.MonkeyPatch, age: timedelta) -> str:
    issued = time.time() - age.total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(issued))
        )
        token = token_of(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert token is not None
    assert token.text
    return token.text


def test_token_stays_valid_for_a_day_and_more(
    oai: Oai, ten: list[Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token_issued(oai, monkeypatch, timedelta(hours=25))
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=token)) == []


def test_token_expires_after_a_week(
    oai: Oai, ten: list[Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token_issued(oai, monkeypatch, timedelta(days=7, minutes=1))
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]


def test_token_announces_its_expiry(oai: Oai, ten: list[Dataset]) -> None:
    tree = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = token_of(tree)
    assert token is not None
    expires = datetime.strptime(token.get("expirationDate") or "", "%Y-%m-%dT%H:%M:%SZ")
    answered = datetime.strptime(
        tree.findtext("oai:responseDate", namespaces=NS) or "", "%Y-%m-%dT%H:%M:%SZ"
    )
    assert expires - answered >= timedelta(days=7) - timedelta(seconds=1)


def test_tokens_carry_the_original_arguments(oai: Oai, ten: list[Dataset]) -> None:
    pages = harvest(
        oai, verb="ListRecords", metadataPrefix="oai_datacite", **{"from": "2024-03-01T10:02:00Z"}
    )
    assert len(pages) == 3
    assert (
        len([r for page in pages for r in page.iterfind(".//oai_datacite:oai_datacite", NS)]) == 8
    )


def test_a_page_takes_the_same_queries_whatever_its_size(oai: Oai, settings: Any) -> None:
    technique = TechniqueFactory.create()
    for dataset in DatasetFactory.create_batch(30):
        dataset.techniques.add(technique)
    PublicationFactory.create().datasets.add(*Dataset.objects.all()[:5])

    def queries(page_size: int, prefix: str) -> int:
        settings.OAI_PAGE_SIZE = page_size
        with CaptureQueriesContext(connection) as captured:
            oai(verb="ListRecords", metadataPrefix=prefix)
        return len(captured.captured_queries)

    for prefix in ("oai_dc", "datacite"):
        assert queries(3, prefix) == queries(30, prefix)


def test_text_is_safe_for_harvesters(oai: Oai) -> None:
    DatasetFactory.create(
        title="Scan <i>42</i>\x0b",
        description=(
            "<p>Beam &amp; <b>sample</b></p><script>alert(1)</script>Mail: a.b@example.org\x1f"
        ),
        keywords=["<tag>", "x\x02y"],
    )
    tree = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert tree.findtext(".//dc:title", namespaces=NS) == "Scan 42"
    description = tree.findtext(".//dc:description", namespaces=NS)
    assert description == "Beam & sample\nMail: [e-mail address removed]"
    subjects = [e.text for e in tree.iterfind(".//dc:subject", NS)]
    assert subjects == ["xy"]  # a keyword that was only markup is gone


def test_the_list_size_is_counted_within_a_budget(ten: list[Dataset]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
        assert selectors.list_size_within(Listing(EVERYTHING), budget_ms=5000) == (10, True)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


def test_a_list_too_big_to_count_in_time_gets_an_estimate(
    oai: Oai, ten: list[Dataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_slow(listing: Listing) -> int:
        raise OperationalError("canceling statement due to statement timeout")

    if connection.vendor == "postgresql":
        monkeypatch.setattr(selectors, "list_size", too_slow)
    pages = harvest(oai, metadataPrefix="oai_dc")
    assert sum(len(headers(page)) for page in pages) == 10
    sizes = [int(t.get("completeListSize") or 0) for p in pages if (t := token_of(p)) is not None]
    assert all(size >= 1 for size in sizes)
    assert sizes[-1] >= 10  # the page that ends the list never claims fewer than were sent
