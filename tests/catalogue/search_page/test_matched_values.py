"""Each result row shows what the dataset holds for every active condition's key, with its unit
(and in the condition's unit when that is another one), whichever backend answered."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from catalogue.matched_values import DASH, MatchedValue, matched_values
from catalogue.models import Dataset
from tests.catalogue.search_page.conftest import with_parameters
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def _matched(body: str) -> dict[str, list[str]]:
    """Row PID -> the row's matched-value lines as text."""
    out: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        pid = re.search(r'data-label="PID"><a href="/datasets/([^"]+)"', row)
        if pid is None:
            continue
        lines = re.findall(r'<p class="matched">(.*?)</p>', row, re.DOTALL)
        out[pid.group(1)] = [" ".join(re.sub(r"<[^>]+>", "", line).split()) for line in lines]
    return out


def test_rows_show_the_matched_values_with_units(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get(
        "/datasets/", {"sm": ["incident_energy > 10 keV", "sample_temperature > 0 degC"]}
    )
    assert response.status_code == 200
    rows = _matched(response.content.decode())
    assert rows == {
        "20.500.12269/ui-warm": [
            "incident energy: 25 keV",  # asked in its own unit: said once
            "sample temperature: 40 degC",
        ],
        "20.500.12269/ui-monolayer": [
            "incident energy: 15000 eV (15 keV)",  # and in the unit the condition was written in
            "sample temperature: 295 K (21.85 degC)",
        ],
    }


def test_rows_show_no_values_without_conditions(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    body = client.get("/datasets/", {"q": "reflectivity"}).content.decode()
    assert 'class="matched"' not in body


def test_text_conditions_and_ranges_show_as_stored(db: None) -> None:
    dataset = with_parameters(
        DatasetFactory.create(),
        {
            "sample_name": "DPPG on water",
            "scan_range": {"value": [20, 10], "unit": "mm"},
            "count": 12,
        },
    )
    other = DatasetFactory.create()
    found = matched_values(
        [dataset.pk, other.pk], ["sample_name", "scan_range", "count", "unknown"]
    )
    assert found == {
        dataset.pk: (
            MatchedValue("sample_name", "DPPG on water"),
            MatchedValue("scan_range", f"10{DASH}20 mm"),
            MatchedValue("count", "12"),
        )
    }
    assert matched_values([dataset.pk], []) == {}
    # In the unit a condition asked for, if it measures the same quantity; never in SI base units.
    assert matched_values([dataset.pk], ["scan_range"], {"scan_range": "cm"}) == {
        dataset.pk: (MatchedValue("scan_range", f"10{DASH}20 mm", f"1{DASH}2 cm"),)
    }
    assert matched_values([dataset.pk], ["scan_range"], {"scan_range": "keV"}) == {
        dataset.pk: (MatchedValue("scan_range", f"10{DASH}20 mm"),)
    }
