"""The SUSHI Dataset Report writer (usage/report.py), checked against DataCite's COUNTER schema."""

from __future__ import annotations

import gzip
from datetime import date
from typing import Any

import jsonschema
import pytest

from tests.standins.datacite_usage import schema_validator
from usage.report import (
    COMPRESSED_EXCEPTION,
    MAX_ITEMS,
    Counts,
    ReportHeader,
    ReportItem,
    decode,
    encode,
    encoded_parts,
    parts,
    report_document,
)

HEADER = ReportHeader(
    month=date(2026, 2, 14),
    created_by="Photon Science Data Portal",
    platform="Photon Science Data Portal",
    publisher="Photon Science Facility",
    publisher_client_id="psf.portal",
    created=date(2026, 3, 1),
)
VALIDATOR = schema_validator()


def item(n: int = 1, **kwargs: Any) -> ReportItem:
    defaults: dict[str, Any] = {
        "identifier": f"10.99999/ds-{n}",
        "title": f"Dataset {n}",
        "regular": Counts(5, 3, 2, 1),
        "machine": Counts(7, 1, 0, 0),
    }
    return ReportItem(**{**defaults, **kwargs})


def errors_of(doc: dict[str, Any]) -> list[str]:
    """Schema errors, both as DataCite validates (header flattened in) and as sent."""
    flat = {**doc["report-header"], "report-datasets": doc["report-datasets"]}
    as_sent = {"$ref": "#/definitions/counter_dataset_report"}
    sent_validator = jsonschema.Draft4Validator({**VALIDATOR.schema, **as_sent})
    return [e.message for e in VALIDATOR.iter_errors(flat)] + [
        e.message for e in sent_validator.iter_errors(doc)
    ]


def test_a_full_report_is_valid_against_the_counter_research_data_schema() -> None:
    full = item(
        uri="https://portal.example/doi/10.99999/ds-1",
        publication_date=date(2024, 5, 6),
        year_of_publication=2024,
        contributors=("Ada Lovelace", "Marie Curie"),
    )
    doc = report_document(HEADER, [full, item(2, machine=Counts())])
    assert errors_of(doc) == []
    assert doc["report-header"]["reporting-period"] == {
        "begin-date": "2026-02-01",
        "end-date": "2026-02-28",
    }
    first = doc["report-datasets"][0]
    assert first["dataset-id"] == [{"type": "doi", "value": "10.99999/ds-1"}]
    assert first["yop"] == "2024"
    assert first["dataset-dates"] == [{"type": "pub-date", "value": "2024-05-06"}]
    assert first["publisher-id"] == [{"type": "client-id", "value": "psf.portal"}]


def test_a_report_missing_a_required_field_is_invalid() -> None:
    """The schema check can fail: a dataset without its title is caught."""
    doc = report_document(HEADER, [item()])
    del doc["report-datasets"][0]["dataset-title"]
    assert any("dataset-title" in e for e in errors_of(doc))


def test_each_access_method_and_metric_is_one_instance_and_zeros_are_left_out() -> None:
    doc = report_document(HEADER, [item()])
    instances = doc["report-datasets"][0]["performance"][0]["instance"]
    assert instances == [
        {"access-method": "regular", "metric-type": "total-dataset-investigations", "count": 5},
        {"access-method": "regular", "metric-type": "unique-dataset-investigations", "count": 3},
        {"access-method": "regular", "metric-type": "total-dataset-requests", "count": 2},
        {"access-method": "regular", "metric-type": "unique-dataset-requests", "count": 1},
        {"access-method": "machine", "metric-type": "total-dataset-investigations", "count": 7},
        {"access-method": "machine", "metric-type": "unique-dataset-investigations", "count": 1},
    ]


def test_a_dataset_without_usage_is_not_reported() -> None:
    doc = report_document(HEADER, [item(1), item(2, regular=Counts(), machine=Counts())])
    assert [d["dataset-title"] for d in doc["report-datasets"]] == ["Dataset 1"]


def test_every_part_carries_the_compressed_exception_datacite_asks_for() -> None:
    header = report_document(HEADER, [item()])["report-header"]
    assert header["exceptions"] == [COMPRESSED_EXCEPTION]
    assert COMPRESSED_EXCEPTION["code"] == 69
    assert (header["release"], header["report-id"], header["report-name"]) == (
        "rd1",
        "DSR",
        "dataset report",
    )


def test_counts_refuse_more_uniques_than_totals_and_negative_numbers() -> None:
    with pytest.raises(ValueError, match="unique investigations"):
        Counts(total_investigations=1, unique_investigations=2)
    with pytest.raises(ValueError, match="unique requests"):
        Counts(total_requests=0, unique_requests=1)
    with pytest.raises(ValueError, match="not negative"):
        Counts(total_investigations=-1)


def test_the_body_is_the_gzip_of_the_json_and_the_same_every_time() -> None:
    doc = report_document(HEADER, [item()])
    body = encode(doc)
    assert body[:2] == b"\x1f\x8b"
    assert decode(body) == doc
    assert gzip.decompress(body).startswith(b'{"report-header"')
    assert encode(doc) == body


def test_parts_split_past_the_threshold_and_keep_every_item_once() -> None:
    items = [item(n) for n in range(7)] + [item(99, regular=Counts(), machine=Counts())]
    chunks = list(parts(items, max_items=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [i.identifier for c in chunks for i in c] == [f"10.99999/ds-{n}" for n in range(7)]


def test_a_month_without_usage_is_still_one_empty_part() -> None:
    assert list(parts([])) == [[]]
    assert errors_of(report_document(HEADER, [])) == []


def test_the_threshold_cannot_pass_datacites_limit() -> None:
    with pytest.raises(ValueError, match="max_items"):
        list(parts([item()], max_items=MAX_ITEMS + 1))


def test_fifty_thousand_and_one_items_make_two_parts_with_the_same_header() -> None:
    """The real limit, on the writer alone: 50,000 datasets in the first part, 1 in the second."""
    items = (item(n) for n in range(MAX_ITEMS + 1))
    encoded = list(encoded_parts(HEADER, items))
    assert [count for _, count in encoded] == [MAX_ITEMS, 1]
    first, second = (decode(body) for body, _ in encoded)
    assert len(first["report-datasets"]) == MAX_ITEMS
    assert second["report-datasets"][0]["dataset-id"][0]["value"] == "10.99999/ds-50000"
    assert first["report-header"] == second["report-header"]
    assert errors_of(second) == []
