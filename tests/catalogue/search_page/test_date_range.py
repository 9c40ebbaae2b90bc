"""The search page's start-time range: ``start_from`` / ``start_to`` in the URL, chips, notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def _total(body: str) -> int:
    return int(body.split('data-total="', 1)[1].split('"', 1)[0])


def test_a_year_range_filters_and_shows_removable_chips(client: Client) -> None:
    for year in (2022, 2023, 2024):
        DatasetFactory.create(start_time=dt.datetime(year, 6, 1, tzinfo=dt.UTC))
    body = client.get("/datasets/?start_from=2023&start_to=2024-06").content.decode()
    assert _total(body) == 2
    assert "from 2023-01-01" in body
    assert "to 2024-06-30" in body
    assert 'value="2023-01-01"' in body  # the date field keeps it


def test_a_bad_date_is_left_out_with_a_notice(client: Client) -> None:
    DatasetFactory.create()
    response = client.get("/datasets/?start_from=yesterday")
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not a date" in body
    assert _total(body) == 1


def test_a_reversed_range_is_turned(client: Client) -> None:
    DatasetFactory.create(start_time=dt.datetime(2023, 6, 1, tzinfo=dt.UTC))
    body = client.get("/datasets/?start_from=2024&start_to=2022").content.decode()
    assert "wrong way round" in body
    assert _total(body) == 1
